/**
 * Property-based tests of the logging, data-protection, identity and governance policies: for
 * each, families of generated programs that mean the same thing (keys by alias, alias ARN, key
 * ARN, id or omitted; settings inline or as separate resources; names in any case; every path a
 * weakness can take) must all be caught, and families of secure programs must all pass.
 * properties.spec.ts holds the shared noise families; properties-exposure.spec.ts the exposure
 * and transit ones.
 */
import { expect } from "chai";
import { policies } from "../../policy-pack/policies";
import { DATA } from "./families/data";
import { Family, checkFamilies } from "./families/family";
import { GOVERNANCE } from "./families/governance";
import { IDENTITY } from "./families/identity";
import { LOGGING } from "./families/logging";

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

  checkFamilies(FAMILIES);
});
