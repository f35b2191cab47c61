import { expect } from "chai";
import * as path from "node:path";
import { policies } from "../../policy-pack/policies";
import { PROJECT_DIR } from "../../tools/engine";
import { Finding, runPolicies } from "../../tools/policy/run";
import { evaluateOnce } from "../helpers";

/** Each weakness of the fixture, the resource it lives on, and the policy meant to catch it. */
const WEAKNESSES: readonly (readonly [string, string, string])[] = [
  [
    "public subnets that auto-assign public IPs",
    "public-a",
    "ec2-subnet-disallow-public-ip-on-launch",
  ],
  [
    "public subnets that auto-assign public IPs",
    "public-b",
    "ec2-subnet-disallow-public-ip-on-launch",
  ],
  ["SSH open to 0.0.0.0/0", "web", "ec2-ingress-enforce-admin-allowlist"],
  ["HTTP open to the internet without a load balancer", "web", "ec2-ingress-disallow-internet"],
  [
    "an application instance with an unencrypted root volume",
    "portal",
    "ec2-volume-enforce-encryption",
  ],
  [
    "an application instance with a public IP in a public subnet",
    "portal",
    "ec2-subnet-disallow-public-in-private",
  ],
  ["an application instance without IMDSv2", "portal", "ec2-instance-enforce-imdsv2"],
  [
    "a patient-data bucket with only default encryption",
    "patient-data",
    "s3-bucket-enforce-encryption",
  ],
  [
    "a patient-data bucket without a public access block",
    "patient-data",
    "s3-bucket-disallow-public-access",
  ],
  ["a patient-data bucket without versioning", "patient-data", "s3-bucket-enable-versioning"],
  ["a patient-data bucket without a TLS-only policy", "patient-data", "s3-bucket-enforce-tls"],
  ["a patient-data bucket without access logs", "patient-data", "s3-bucket-enable-access-logs"],
  ["an IAM user with an inline policy", "uploader-s3", "iam-user-disallow-credentials"],
  ["an IAM user with an access key", "uploader", "iam-user-disallow-credentials"],
  ["an s3:* policy", "uploader-s3", "iam-policy-disallow-service-wildcards"],
  ["a single-AZ database", "records", "rds-instance-configure-operations"],
  ["an unencrypted database", "records", "rds-storage-enforce-encryption"],
  ["a database with no backups", "records", "rds-instance-enforce-backups"],
  ["a literal database password", "records", "rds-instance-enforce-managed-password"],
  [
    "a database security group admitting the public subnet",
    "db",
    "ec2-ingress-disallow-public-subnet-to-data",
  ],
  ["a database subnet group of public subnets", "db", "ec2-subnet-disallow-public-in-private"],
  ["a database without TLS enforced", "records", "rds-parametergroup-enforce-tls"],
  ["an unencrypted file system", "shared", "efs-filesystem-enforce-encryption"],
  ["no flow logs", "clinic", "ec2-vpc-enable-flow-logs"],
  ["an open default security group", "clinic", "ec2-vpc-enforce-closed-default-security-group"],
];

/** Weaknesses of the stack as a whole (no resource to name). */
const STACK_WEAKNESSES: readonly (readonly [string, string])[] = [
  ["no trail", "cloudtrail-trail-missing-in-primary"],
  ["no GuardDuty", "guardduty-detector-enable-in-region"],
];

describe("the insecure healthcare stack", () => {
  let findings: Finding[];
  before(async () => {
    const evaluation = await evaluateOnce({
      program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "insecure-healthcare.ts"),
      project: "clinic",
      stack: "prod",
      config: { "aws:region": "eu-west-1" },
    });
    findings = runPolicies(evaluation.resources, policies).violations;
  });

  for (const [weakness, resource, policy] of WEAKNESSES) {
    it(`reports ${weakness} (${resource}) through ${policy}`, () => {
      const hit = findings.filter((f) => f.policy === policy && f.urn?.endsWith(`::${resource}`));
      expect(
        hit.length,
        findings
          .filter((f) => f.policy === policy)
          .map((f) => f.message)
          .join(" | "),
      ).to.be.greaterThan(0);
    });
  }

  for (const [weakness, policy] of STACK_WEAKNESSES) {
    it(`reports ${weakness} through ${policy}`, () => {
      expect(findings.some((f) => f.policy === policy && f.urn === null)).to.equal(true);
    });
  }

  it("fails the stack: mandatory violations, every one naming what to set", () => {
    const mandatory = findings.filter((f) => f.enforcementLevel === "mandatory");
    expect(mandatory.length).to.be.at.least(20);
    for (const f of mandatory)
      expect(f.message, f.policy).to.match(
        /: (set|add|remove|use|give|move|grant|make|replace|narrow|keep|put|attach|tag|create|change|admit)/i,
      );
  });
});
