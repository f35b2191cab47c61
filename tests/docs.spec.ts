import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CIS_MONITORS, CONFIG_RULES, breakGlassMonitor } from "../infra/audit";
import { planSubnets } from "../infra/network/cidr";
import { CONFIG_KEYS } from "../stacks/config";
import { policies } from "../policy-pack/policies";
import { PROJECT_DIR, loadProjectFile, loadStackConfig } from "../tools/engine";

const read = (file: string) => readFileSync(path.join(PROJECT_DIR, file), "utf8");

/** The cells of every Markdown table row, trimmed (prettier pads them). */
function rows(markdown: string): string[][] {
  return markdown
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

describe("documentation", () => {
  const readme = read("README.md");

  it("lists every configuration key in the README with its default", () => {
    for (const spec of CONFIG_KEYS) {
      const cells = rows(readme).find((r) => r[0] === `\`${spec.key}\``);
      expect(cells, spec.key).to.not.equal(undefined);
      const declaredDefault = "default" in spec ? `\`${spec.default}\`` : "";
      expect(cells![1], `${spec.key} required`).to.equal("default" in spec ? "no" : "yes");
      expect(cells![2], `${spec.key} default`).to.equal(declaredDefault);
    }
  });

  it("shows ireland's real subnet plan in docs/network.md", () => {
    const config = loadStackConfig(
      path.join(PROJECT_DIR, "Pulumi.ireland.yaml"),
      loadProjectFile(PROJECT_DIR),
    );
    const plan = planSubnets(config["ehealth:vpcCidr"], Number(config["ehealth:azCount"]));
    const network = read("docs/network.md");
    for (const tier of ["app", "data", "public"] as const) {
      const block = `\`${plan.tiers[tier].block}\``;
      const cells = rows(network).find((r) => r[0] === tier && r[1] === block);
      expect(cells, tier).to.not.equal(undefined);
      expect(cells!.slice(2, 2 + plan.tiers[tier].subnets.length)).to.deep.equal(
        plan.tiers[tier].subnets.map((s) => `\`${s}\``),
      );
    }
    const reserved = `\`${plan.reserved[0]}\``;
    expect(rows(network).some((r) => r[0] === "reserved" && r[1] === reserved)).to.equal(true);
  });

  it("counts the policy pack's policies and their levels as the pack has them", () => {
    const mandatory = policies.filter((p) => p.meta.enforcementLevel === "mandatory").length;
    const advisory = policies.length - mandatory;
    const text = readme.replace(/\s+/g, " ");
    expect(text).to.include(`(\`policy-pack/\`, ${policies.length} policies)`);
    expect(text).to.include(
      `${policies.length} policies, ${mandatory} mandatory and ${advisory} advisory`,
    );
  });

  it("runs exactly the README's test command in CI", () => {
    const ci = read(".ci/run");
    // The quick start: install and plan, then test; CI runs the install and the test.
    expect(readme).to.include("npm ci && npm run plan\nnpm test");
    const commands = ci
      .split("\n")
      .filter(
        (l) => l.trim() && !l.startsWith("#") && !l.startsWith("set ") && !l.startsWith("cd "),
      );
    expect(commands).to.deep.equal(["npm ci", "npm test"]);
  });
});

describe("docs/audit.md", () => {
  const audit = readFileSync(path.join(PROJECT_DIR, "docs", "audit.md"), "utf8");

  it("lists every alarm and every AWS Config rule the audit component deploys", () => {
    const alarms = rows(audit).map((r) => r[0]);
    for (const monitor of [...CIS_MONITORS, breakGlassMonitor("arn")]) {
      expect(alarms, monitor.id).to.include(`\`${monitor.id}\``);
    }
    const text = audit.replace(/\s+/g, " ");
    for (const rule of CONFIG_RULES) expect(text, rule.name).to.include(`${rule.name}`);
  });
});
