import { expect } from "chai";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";
import { preflight } from "../../tools/preflight";
import type { DeployFinding } from "../../tools/preflight/types";
import { evaluateOnce } from "../helpers";

/** Each deliberate defect of the fixture, the resource that must change, and the rule that reports it. */
const DEFECTS: readonly (readonly [string, string, string])[] = [
  ["a KMS alias under the reserved alias/aws/", "records", "name-kms-alias"],
  [
    "a log group encrypted with a key CloudWatch Logs may not use",
    "records",
    "kms-cloudwatch-logs",
  ],
  ["a backup vault encrypted with a key AWS Backup may not use", "records", "kms-backup-vault"],
  [
    "an alert topic EventBridge cannot encrypt for (the key wants aws:SourceAccount)",
    "records",
    "kms-sns-publishers",
  ],
  ["a bucket name in upper case", "scans", "name-s3-bucket"],
  ["server access logs into an SSE-KMS, locked bucket", "letters", "s3-access-log-target"],
  ["AWS Config delivering into an Object Lock bucket", "clinic", "s3-config-delivery-object-lock"],
  [
    "a trail created beside its bucket policy",
    "clinic",
    "order-trail-after-bucket-and-role-policies",
  ],
  [
    "a load balancer autonamed past 32 characters",
    "patient-portal-public-load-balancer",
    "name-lb",
  ],
  [
    "a role name past 64 characters",
    "clinic-records-service-role-for-the-nightly-export-of-appointment-letters",
    "name-iam-role",
  ],
  ["a backup selection name past 50 characters", "records", "name-backup-selection"],
  ["a misspelled action in a policy", "export", "iam-policy-does-what-it-says"],
  ["a subnet in another region's zone", "app", "region-subnet-availability-zone"],
  ["a space in a tag key exposed in instance metadata", "app", "tags-instance-metadata-keys"],
  [
    "an Auto Scaling group on $Latest with instance refresh",
    "app",
    "asg-instance-refresh-needs-version",
  ],
  [
    "reserved concurrency in an account that may not have it",
    "export",
    "lambda-reserved-concurrency",
  ],
  ["two GuardDuty detectors in one region", "again", "singleton-per-account-region"],
];

describe("preflight on a foreign program (tests/fixtures/programs/deploy-defects.ts)", () => {
  let deploy: DeployFinding[];
  before(async () => {
    const evaluation = await evaluateOnce({
      program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "deploy-defects.ts"),
      project: "clinic",
      stack: "dev",
      config: { "aws:region": "eu-west-1" },
    });
    const result = await preflight([
      { stack: "dev", region: evaluation.region, resources: evaluation.resources },
    ]);
    deploy = result.stacks[0].deploy;
  });

  for (const [defect, resource, rule] of DEFECTS) {
    it(`reports ${defect} on ${resource} with ${rule}`, () => {
      const hits = deploy.filter((f) => f.rule === rule && f.urn?.split("::").pop() === resource);
      expect(
        hits,
        JSON.stringify(deploy.filter((f) => f.rule === rule).map((f) => f.urn)),
      ).to.have.length.greaterThan(0);
      expect(hits[0].message).to.include(resource);
    });
  }

  it("reports nothing it was not built to show as fails-deploy", () => {
    const expected = new Set(DEFECTS.map(([, , rule]) => rule));
    const unexpected = deploy
      .filter((f) => f.kind === "fails-deploy" && !expected.has(f.rule))
      .map((f) => `${f.rule} ${f.urn}`);
    expect(unexpected).to.deep.equal([]);
  });
});
