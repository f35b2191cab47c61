import { expect } from "chai";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";
import { preflight } from "../../tools/preflight";
import type { DeployFinding } from "../../tools/preflight/types";
import { evaluateOnce } from "../helpers";

/**
 * Programs written the way other teams write them (tests/fixtures/programs/foreign), each with the
 * deploy defects AWS documents and a valid twin. A defect is `[what, resource, rule, mention?]`:
 * the resource as `Type::name` (the last segment of its type token and its logical name), the rule
 * that must report it on that resource, and a word its message must hold when one resource draws
 * several findings of the rule.
 */
type Defect = readonly [string, string, string, string?];

const DEFECTS: Readonly<Record<string, readonly Defect[]>> = {
  "imaging-storage-defects": [
    [
      "an explicit BucketV2 name with upper case and an underscore",
      "BucketV2::radiology",
      "name-s3-bucket",
    ],
    [
      "an autonamed bucket whose logical name has an underscore",
      "Bucket::patient_uploads",
      "name-s3-bucket",
    ],
    [
      "replication to a destination without versioning",
      "BucketReplicationConfig::images",
      "s3-replication-requirements",
      "destination",
    ],
    [
      "a replication configuration beside the source's versioning",
      "BucketReplicationConfig::images",
      "order-replication-after-versioning",
    ],
    [
      "server access logs to a bucket of another region",
      "BucketLogging::images",
      "s3-access-log-same-region",
    ],
    [
      "inline replication on a bucket without versioning",
      "Bucket::reports",
      "s3-replication-requirements",
      "source",
    ],
    [
      "a policy object denying the deployer outside a VPC endpoint",
      "BucketPolicy::reports",
      "s3-bucket-policy-locks-out-deployer",
    ],
    [
      "Object Lock on a bucket never versioned",
      "BucketObjectLockConfiguration::legal-hold",
      "s3-object-lock-needs-versioning",
    ],
    [
      "a notification to a queue whose policy does not let S3 send",
      "BucketNotification::images",
      "s3-notification-destination-policy",
      "sqs:SendMessage",
    ],
    [
      "access logs into a bucket with inline SSE-KMS",
      "BucketLogging::reports",
      "s3-access-log-target",
    ],
  ],
  "claims-keys-defects": [
    ["a log group on a key with AWS's default policy", "Key::claims-logs", "kms-cloudwatch-logs"],
    [
      "a log group created beside the KeyPolicy that lets CloudWatch Logs in",
      "LogGroup::claims-audit",
      "order-key-use-after-key-policy",
    ],
    [
      "an SNS subscription to a queue whose key refuses SNS",
      "Key::claims-queue",
      "kms-sqs",
      "sns.amazonaws.com",
    ],
    [
      "alarms publishing to a topic on the AWS managed key",
      "MetricAlarm::claims-errors",
      "kms-aws-managed-key-event-sources",
      "alias/aws/sns",
    ],
    [
      "a secret on a key only S3 may use",
      "Key::claims-data",
      "kms-secretsmanager",
      "claims-db (Secret)",
    ],
    [
      "a table on that key through its alias ARN",
      "Key::claims-data",
      "kms-dynamodb",
      "claims (Table)",
    ],
    ["an Aurora cluster on that key", "Key::claims-data", "kms-rds", "claims (Cluster)"],
    [
      "a file system on that key through its alias ARN",
      "Key::claims-data",
      "kms-efs",
      "claims (FileSystem)",
    ],
    [
      "a trail key from getPolicyDocument without CloudTrail",
      "Key::claims-trail",
      "kms-cloudtrail",
      "kms:GenerateDataKey",
    ],
  ],
  "portal-edge-defects": [
    [
      "a distribution with a certificate of eu-west-1",
      "Distribution::portal",
      "region-edge-resources-us-east-1",
      "acmCertificateArn",
    ],
    [
      "a distribution with a web ACL of eu-west-1",
      "Distribution::portal",
      "region-edge-resources-us-east-1",
      "webAclId",
    ],
    [
      "a CLOUDFRONT-scope web ACL created in eu-west-1",
      "WebAcl::portal-edge",
      "region-edge-resources-us-east-1",
    ],
    [
      "a Cognito custom domain with a certificate of eu-west-1",
      "UserPoolDomain::patients",
      "region-edge-resources-us-east-1",
    ],
    [
      "an edge-optimized API domain with a certificate of eu-west-1",
      "DomainName::api",
      "region-edge-resources-us-east-1",
    ],
    ["a log group on a key of us-east-1", "LogGroup::portal", "region-cross-region-reference"],
  ],
  "scheduling-services-defects": [
    ["a FIFO queue named without .fifo", "Queue::appointments", "name-sqs-queue"],
    ["a FIFO topic named without .fifo", "Topic::appointments", "name-sns-topic"],
    ["a role path without its leading slash", "Role::scheduler", "name-iam-path"],
    ["a function name past 64 characters", "Function::reminders", "name-lambda-function"],
    [
      "950 reserved executions of a default 1,000",
      "Function::reminders",
      "lambda-reserved-concurrency",
    ],
    ["a log group under the reserved aws/ prefix", "LogGroup::ecs", "name-log-group"],
    [
      "55 tags counting the provider's default tags",
      "Bucket::exports",
      "tags-limits",
      "default tags",
    ],
    ["a tag key with the reserved aws: prefix", "Queue::dead-letters", "tags-limits"],
    [
      "a fleet on $Latest with instance refresh",
      "Group::workers",
      "asg-instance-refresh-needs-version",
    ],
    [
      "a propagated tag key with a slash while tags are in metadata",
      "Group::workers",
      "tags-instance-metadata-keys",
    ],
    ["an ECS cluster name with a period", "Cluster::scheduling", "name-ecs"],
    ["a target group name with an underscore", "TargetGroup::api", "name-lb-target-group"],
    [
      "a security group name with the reserved sg- prefix",
      "SecurityGroup::api",
      "name-security-group",
    ],
    ["a rule name past 64 characters", "EventRule::nightly", "name-eventbridge-rule"],
    ["a two-character table name", "Table::slots", "name-dynamodb-table"],
  ],
  "security-audit-defects": [
    ["a trail whose bucket has no policy for CloudTrail", "Trail::org", "cloudtrail-bucket-policy"],
    [
      "a delivery channel beside its recorder",
      "DeliveryChannel::main",
      "order-config-recorder-channel-rules",
    ],
    [
      "a second detector in one region through another provider",
      "Detector::ireland",
      "singleton-per-account-region",
    ],
    ["a subnet in a zone of another region", "Subnet::a", "region-subnet-availability-zone"],
    [
      "load balancer logs to a bucket of another region",
      "LoadBalancer::web",
      "elb-access-log-bucket",
      "us-west-2",
    ],
    [
      "load balancer logs to an SSE-KMS bucket",
      "LoadBalancer::api",
      "elb-access-log-bucket",
      "SSE-KMS",
    ],
    [
      "an alarm notifying a topic of another region",
      "MetricAlarm::root-login",
      "region-cross-region-reference",
    ],
    [
      "a standards subscription beside Security Hub",
      "StandardsSubscription::fsbp",
      "order-securityhub-standards-after-account",
    ],
  ],
};

/** Valid twins: AWS accepts them as written, so they draw no finding at all. */
const VALID = [
  "imaging-storage-valid",
  "claims-keys-valid",
  "portal-edge-valid",
  "scheduling-services-valid",
  "security-audit-valid",
  "billing-own-account-valid",
];

/** `Type::name` of a finding's resource. */
const at = (f: DeployFinding) => {
  const parts = (f.urn ?? "").split("::");
  return `${(parts[2] ?? "").split(":").pop()}::${parts[3] ?? ""}`;
};

function evaluated(program: string): () => DeployFinding[] {
  let deploy: DeployFinding[] = [];
  before(async () => {
    const evaluation = await evaluateOnce({
      program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "foreign", `${program}.ts`),
      project: "foreign",
      stack: "dev",
      config: { "aws:region": "eu-west-1" },
    });
    const result = await preflight([
      { stack: "dev", region: evaluation.region, resources: evaluation.resources },
    ]);
    deploy = result.stacks[0].deploy;
  });
  return () => deploy;
}

describe("preflight on other teams' programs (tests/fixtures/programs/foreign)", () => {
  for (const [program, defects] of Object.entries(DEFECTS)) {
    describe(program, () => {
      const deploy = evaluated(program);
      for (const [defect, resource, rule, mention] of defects) {
        it(`reports ${defect} on ${resource} with ${rule}`, () => {
          const hits = deploy().filter(
            (f) =>
              f.rule === rule && at(f) === resource && (!mention || f.message.includes(mention)),
          );
          expect(hits, JSON.stringify(deploy().filter((f) => f.rule === rule))).to.have.length(1);
          expect(hits[0].message).to.include(resource.split("::")[1]);
          expect(hits[0].message).not.to.include("undefined");
        });
      }
      it("reports no fails-deploy finding it was not built to show", () => {
        const expected = new Set(defects.map(([, resource, rule]) => `${rule} ${resource}`));
        const unexpected = deploy()
          .filter((f) => f.kind === "fails-deploy" && !expected.has(`${f.rule} ${at(f)}`))
          .map((f) => `${f.rule} ${at(f)}: ${f.message}`);
        expect(unexpected).to.deep.equal([]);
      });
    });
  }

  for (const program of VALID) {
    describe(program, () => {
      const deploy = evaluated(program);
      it("draws no finding: AWS accepts it and it does what it says", () => {
        expect(deploy().map((f) => `${f.rule} ${at(f)}: ${f.message}`)).to.deep.equal([]);
      });
    });
  }
});
