import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CIS_MONITORS, CONFIG_RULES, breakGlassMonitor } from "../infra/audit";
import { planSubnets } from "../infra/network/cidr";
import { CONFIG_KEYS } from "../stacks/config";
import { policies } from "../policy-pack/policies";
import { REPORTS, renderAssessment } from "../tools/docs/assessment";
import { SAFEGUARDS, renderHipaa } from "../tools/docs/hipaa";
import { DOCS, GENERATED } from "../tools/docs/index";
import { PROJECT_DIR, loadProjectFile, loadStackConfig } from "../tools/engine";
import { stack } from "./helpers";

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

  it("counts the AWS Config rules the audit component deploys", () => {
    expect(readme.replace(/\s+/g, " ")).to.include(`with ${CONFIG_RULES.length} managed rules`);
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
    // The quick start: install and plan, then test and verify; CI runs all but the plan.
    expect(readme).to.include("npm ci && npm run plan\nnpm test\nnpm run verify");
    const commands = ci
      .split("\n")
      .filter(
        (l) => l.trim() && !l.startsWith("#") && !l.startsWith("set ") && !l.startsWith("cd "),
      );
    expect(commands).to.deep.equal(["npm ci", "npm test", "npm run verify"]);
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

describe("generated documents", () => {
  for (const [file, render] of GENERATED) {
    it(`keeps docs/${file} as npm run docs writes it`, () => {
      expect(readFileSync(path.join(DOCS, file), "utf8")).to.equal(render());
    });
  }

  it("groups the assessment as the five reports auditors expect, each weakness refused by a policy", () => {
    expect(REPORTS.map((r) => r.title.split(":")[0])).to.deep.equal([
      "Vulnerabilities overall",
      "Data security",
      "Virtual machines",
      "Network security",
      "Disaster recovery",
    ]);
    for (const w of REPORTS.flatMap((r) => r.weaknesses)) {
      expect(w.policies.length, w.weakness).to.be.greaterThan(0);
    }
  });

  it("refuses to write an assessment naming a policy or a rule that does not exist", () => {
    const [first] = REPORTS;
    const broken = (change: Partial<(typeof first.weaknesses)[number]>) => [
      { ...first, weaknesses: [{ ...first.weaknesses[0], ...change }] },
    ];
    expect(() => renderAssessment(broken({ policies: ["s3-bucket-enforce-magic"] }))).to.throw(
      "no policy named s3-bucket-enforce-magic",
    );
    expect(() => renderAssessment(broken({ runtime: ["no-such-rule"] }))).to.throw(
      "no AWS Config rule named no-such-rule",
    );
  });

  it("refuses a HIPAA safeguard that names a missing component or is served by no one", () => {
    const base = SAFEGUARDS[0];
    expect(() => renderHipaa([{ ...base, components: [["billing", "invoices"]] }])).to.throw(
      "infra/billing",
    );
    expect(() =>
      renderHipaa([
        { citation: "164.999(z)", title: "Nothing", kind: "technical", components: [] },
      ]),
    ).to.throw("served by nothing and no one");
  });

  it("puts each policy of the pack under the safeguards its citations name", () => {
    const md = read("docs/hipaa.md");
    const row = (citation: string) =>
      rows(md).find((r) => r[0] === citation) ?? expect.fail(`no row for ${citation}`);
    for (const p of policies) {
      for (const citation of p.meta.hipaa) {
        const safeguard = SAFEGUARDS.find(
          (s) =>
            citation === s.citation ||
            citation.startsWith(`${s.citation}(`) ||
            (s.includes ?? []).some((i) => citation.startsWith(i)),
        );
        if (safeguard) expect(row(safeguard.citation)[3], citation).to.include(`\`${p.name}\``);
      }
    }
  });
});

describe("docs/architecture.md", () => {
  it("names only resource types the ireland stack creates, in every data flow", async () => {
    const ireland = await stack("ireland");
    const created = new Set(ireland.resources.map((r) => r.type));
    const text = read("docs/architecture.md");
    const named = [...new Set(text.match(/aws:[a-z0-9]+\/[A-Za-z0-9]+:[A-Za-z0-9]+/g) ?? [])];
    expect(named.length).to.be.greaterThan(15);
    expect(named.filter((t) => !created.has(t))).to.deep.equal([]);
    for (const flow of ["Patients", "Care providers", "IT support"]) {
      expect(text).to.match(new RegExp(`## ${flow}[^\\n]*\\n+\`\`\`mermaid\\nflowchart`));
    }
  });
});

describe("the README's sample plan", () => {
  it("shows the resource counts the stacks have today", async () => {
    const readme = read("README.md");
    const [ireland, oregon] = await Promise.all([stack("ireland"), stack("oregon")]);
    const count = (e: Awaited<ReturnType<typeof stack>>) =>
      e.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length;
    expect(readme).to.include(`ireland: ${count(ireland)} resources, 0 findings`);
    expect(readme).to.include(`oregon: ${count(oregon)} resources, 0 findings`);
    expect(readme).to.include(
      `PASS ${count(ireland) + count(oregon)} resources in ireland, oregon`,
    );
  });
});
