import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { CDK_NAG_HIPAA } from "../../policy-pack/coverage";
import { policies } from "../../policy-pack/policies";
import { POLICIES_DOC, renderPolicies } from "../../tools/docs/policies";
import { PROJECT_DIR } from "../../tools/engine";

/** The reference catalog, beside the repository in CI (../shared/reference). */
const CATALOG = path.join(PROJECT_DIR, "..", "shared", "reference", "hipaa-rule-catalog.csv");

describe("cdk-nag HIPAA coverage", () => {
  const names = new Set(policies.map((p) => p.name));

  it("maps all 90 rules of cdk-nag's HIPAA Security pack", () => {
    expect(Object.keys(CDK_NAG_HIPAA)).to.have.length(90);
    if (existsSync(CATALOG)) {
      const rules = readFileSync(CATALOG, "utf8")
        .trim()
        .split("\n")
        .slice(1)
        .map((line) => line.split(",")[0]);
      expect(Object.keys(CDK_NAG_HIPAA)).to.have.members(rules);
    }
  });

  it("names only policies the pack has, and gives every out-of-scope rule a reason", () => {
    for (const [rule, c] of Object.entries(CDK_NAG_HIPAA)) {
      if (c.status === "covered") {
        expect(c.policies.length, rule).to.be.greaterThan(0);
        for (const p of c.policies) expect(names.has(p), `${rule} -> ${p}`).to.equal(true);
      } else {
        expect(c.reason.length, rule).to.be.greaterThan(40);
      }
    }
  });

  it("covers every rule about a service the platform uses", () => {
    const platformServices =
      /^(VPC|ALB|ELB|EC2|AutoScaling|RDS|S3|EFS|ElastiCache|DynamoDB|CloudTrail|CloudWatch|IAM[PU]|SNS|SecretsManager|WAFv2|Lambda)/;
    for (const [rule, c] of Object.entries(CDK_NAG_HIPAA)) {
      if (platformServices.test(rule)) expect(c.status, rule).to.equal("covered");
    }
  });
});

describe("docs/policies.md", () => {
  it("is generated from the policies' metadata and is up to date (npm run docs)", () => {
    expect(readFileSync(POLICIES_DOC, "utf8")).to.equal(renderPolicies());
  });

  it("lists every policy with its level, severity and citations", () => {
    const doc = renderPolicies();
    for (const p of policies) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${p.name}\` |`));
      expect(row, p.name).to.include(`| ${p.enforcementLevel} | ${p.severity} |`);
      for (const c of p.meta.hipaa) expect(row).to.include(c);
    }
  });
});
