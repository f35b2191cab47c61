/**
 * Stack selectors (issue 16 item 3) and organization coverage (issue 13 item 6): rules pick stacks
 * by what the program says about them (its provider's default tags), not by name, and presence
 * checks accept the organization's services when the policy config says so.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { policies } from "../../policy-pack/policies";
import { PROJECT_DIR, ResourceRecord } from "../../tools/engine";
import { PackConfig, runPolicies } from "../../tools/policy/run";
import { res } from "./fixtures";

/** A stack named `stack` whose AWS provider sets these default tags, holding these resources. */
function stackWith(stack: string, tags: Record<string, string>, ...resources: ResourceRecord[]) {
  const provider: ResourceRecord = {
    ...res("pulumi:providers:aws", "default", { defaultTags: JSON.stringify({ tags }) }, { stack }),
    id: "prov-id",
  };
  const ref = `${provider.urn}::prov-id`;
  return [provider, ...resources.map((r) => ({ ...r, provider: ref }))];
}

const config = JSON.parse(
  readFileSync(path.join(PROJECT_DIR, "policy-pack", "config.json"), "utf8"),
) as PackConfig;

function found(policy: string, resources: ResourceRecord[], cfg: PackConfig = config) {
  return runPolicies(
    resources,
    policies.filter((p) => p.name === policy),
    cfg,
  ).violations;
}

describe("stack selectors (by the stack's properties, not its name)", () => {
  const table = (stack: string) =>
    res("aws:dynamodb/table:Table", "index", { billingMode: "PAY_PER_REQUEST" }, { stack });

  it("gives a new production stack production rules without naming it (london, Environment prod)", () => {
    const london = stackWith("london", { Environment: "prod", Primary: "false" }, table("london"));
    expect(found("pulumi-resource-enforce-protect", london).map((f) => f.message)).to.have.length(
      1,
    );
  });

  it("leaves a development stack out of production rules", () => {
    const dev = stackWith("dev", { Environment: "dev" }, table("dev"));
    expect(found("pulumi-resource-enforce-protect", dev)).to.deep.equal([]);
  });

  it("asks the primary for the trail and leaves secondaries alone, whatever their names", () => {
    const primary = stackWith("paris", { Environment: "prod", Primary: "true" }, table("paris"));
    const secondary = stackWith(
      "london",
      { Environment: "prod", Primary: "false" },
      table("london"),
    );
    expect(found("cloudtrail-trail-missing-in-primary", primary)).to.have.length(1);
    expect(found("cloudtrail-trail-missing-in-primary", secondary)).to.deep.equal([]);
  });

  it("judges a stranger's program (no tags, no config) by every presence rule", () => {
    const stranger = [table("theirs")];
    expect(found("cloudtrail-trail-missing-in-primary", stranger, {})).to.have.length(1);
    expect(found("guardduty-detector-enable-in-region", stranger, {})).to.have.length(1);
  });

  it("keeps policy-pack/config.json free of stack names", () => {
    const text = JSON.stringify(config);
    for (const name of ["ireland", "oregon", "prodStacks", "primaryStacks", "replicatingStacks"])
      expect(text).to.not.include(name);
  });
});

describe("presence checks and organization coverage", () => {
  const presence = [
    "cloudtrail-trail-missing-in-primary",
    "guardduty-detector-enable-in-region",
    "securityhub-account-enable-in-region",
    "config-recorder-enable-in-region",
  ];
  const lone = [res("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" })];

  for (const policy of presence) {
    it(`${policy} reports absence by default and not when coveredByOrganization is true`, () => {
      expect(found(policy, lone, {})).to.have.length(1);
      expect(found(policy, lone, { [policy]: { coveredByOrganization: true } })).to.deep.equal([]);
    });

    it(`${policy} declares coveredByOrganization (default false) in its config schema`, () => {
      const p = policies.find((x) => x.name === policy)!;
      const schema = p.configSchema?.properties?.coveredByOrganization as { default?: unknown };
      expect(schema?.default).to.equal(false);
    });
  }

  it("does not count a trail that is switched off (enableLogging false) as a trail", () => {
    const trail = res("aws:cloudtrail/trail:Trail", "trail", {
      isMultiRegionTrail: true,
      enableLogging: false,
    });
    expect(found("cloudtrail-trail-missing-in-primary", [trail], {})).to.have.length(1);
    const integrity = found("cloudtrail-trail-enforce-integrity", [trail], {});
    expect(integrity.map((f) => f.message).join(" ")).to.include("set enableLogging to true");
  });
});
