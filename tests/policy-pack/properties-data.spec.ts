/**
 * Property-based tests of the logging, data-protection, identity and governance policies: for
 * each, families of generated programs that mean the same thing (keys by alias, alias ARN, key
 * ARN, id or omitted; settings inline or as separate resources; names in any case; every path a
 * weakness can take) must all be caught, and families of secure programs must all pass.
 * properties.spec.ts holds the shared noise families; properties-exposure.spec.ts the exposure
 * and transit ones.
 */
import { expect } from "chai";
import fc from "fast-check";
import { policies } from "../../policy-pack/policies";
import { ResourceRecord } from "../../tools/engine";
import { PackConfig, runPolicies } from "../../tools/policy/run";
import { DATA } from "./families/data";
import { Family } from "./families/family";
import { GOVERNANCE } from "./families/governance";
import { IDENTITY } from "./families/identity";
import { LOGGING } from "./families/logging";

const RUNS = { numRuns: 25 };
const FAMILIES: readonly Family[] = [...LOGGING, ...DATA, ...IDENTITY, ...GOVERNANCE];

/** The policies this file answers for: each needs a caught and a secure family of its own. */
const OWNED = [
  "cloudtrail-trail-enforce-integrity",
  "ec2-vpc-enable-flow-logs",
  "s3-bucket-enable-access-logs",
  "elb-loadbalancer-enable-access-logs",
  "rds-instance-enable-log-exports",
  "wafv2-webacl-enable-logging",
  "cloudwatch-loggroup-configure-retention",
  "rds-instance-enforce-backups",
  "s3-bucket-enable-versioning",
  "dynamodb-table-enable-pitr",
  "iam-user-disallow-credentials",
  "cognito-userpool-enforce-mfa",
  "cognito-client-enforce-code-flow",
  "s3-bucket-enforce-enclave-isolation",
  "kms-key-enable-rotation",
  "kms-key-disallow-lockout-bypass",
  "ec2-instance-disallow-burstable-dedicated",
  "ec2-vpc-enforce-closed-default-security-group",
  "pulumi-resource-enforce-protect",
  "rds-instance-enforce-managed-password",
  "tagging-resource-enforce-phi-eligible-service",
  "ec2-volume-enforce-encryption",
  "rds-storage-enforce-encryption",
  "dynamodb-table-enforce-encryption",
  "redshift-cluster-enforce-encryption",
  "elasticache-cluster-enforce-encryption",
  "kinesis-stream-enforce-encryption",
  "s3-bucket-enable-replication",
  "secrets-input-disallow-literal-credentials",
];

function findings(f: Family, resources: readonly ResourceRecord[]) {
  const level = f.level ?? "mandatory";
  const only = policies.filter((p) => p.name === f.policy);
  return runPolicies(resources, only, (f.config ?? {}) as PackConfig).violations.filter(
    (x) => x.policy === f.policy && x.enforcementLevel === level,
  );
}

describe("logging, data protection, identity and governance policies, property by property (fast-check)", () => {
  it("has a caught and a secure family for every policy of this file, at the policy's level", () => {
    const missing = OWNED.flatMap((name) => {
      const own = FAMILIES.filter((f) => f.policy === name);
      const level = policies.find((p) => p.name === name)?.enforcementLevel;
      return [
        ...(own.some((f) => f.caught) ? [] : [`${name}: no caught family`]),
        ...(own.some((f) => !f.caught) ? [] : [`${name}: no secure family`]),
        ...(own.every((f) => (f.level ?? "mandatory") === level)
          ? []
          : [`${name}: level ${level}`]),
      ];
    });
    expect(missing).to.deep.equal([]);
  });

  for (const f of FAMILIES) {
    it(`${f.policy}: ${f.caught ? "catches" : "passes"} ${f.name}`, () => {
      fc.assert(
        fc.property(f.variants, (resources) => {
          const found = findings(f, resources);
          if (f.caught)
            expect(
              found.length,
              JSON.stringify(resources.map((r) => [r.type, r.name, r.inputs])),
            ).to.be.greaterThan(0);
          else expect(found.map((x) => x.message)).to.deep.equal([]);
          for (const x of found) expect(x.message).to.not.include("undefined");
        }),
        RUNS,
      );
    });
  }
});

/** Variant families per policy, for the closing note. */
export function dataFamilyCounts(): Record<string, { caught: number; secure: number }> {
  const out: Record<string, { caught: number; secure: number }> = {};
  for (const f of FAMILIES) {
    const c = (out[f.policy] ??= { caught: 0, secure: 0 });
    if (f.caught) c.caught += 1;
    else c.secure += 1;
  }
  return out;
}
