import { expect } from "chai";
import { policies } from "../../policy-pack/policies";
import type { Evaluation, ResourceRecord } from "../../tools/engine";
import { replicaSources } from "../../tools/plan/inventory";
import { renderMarkdown } from "../../tools/plan/markdown";
import { levelChanges } from "../../tools/plan/policy-config";
import { planReport, stackReport } from "../../tools/plan/report";
import { renderTerminal } from "../../tools/plan/terminal";

const urn = (type: string, name: string) => `urn:pulumi:dev::p::${type}::${name}`;
const record = (
  type: string,
  name: string,
  inputs: Record<string, unknown> = {},
): ResourceRecord => ({
  urn: urn(type, name),
  id: name,
  type,
  name,
  custom: true,
  parent: null,
  provider: null,
  protect: false,
  retainOnDelete: false,
  read: false,
  dependencies: [],
  propertyDependencies: {},
  ignoreChanges: [],
  inputs,
  outputs: { arn: `arn:aws:x:::${name}` },
  secretInputs: [],
});

function evaluation(resources: ResourceRecord[], extra: Partial<Evaluation> = {}): Evaluation {
  return {
    project: "p",
    stack: "dev",
    program: "index.ts",
    region: "eu-west-1",
    resources,
    outputs: {},
    timingsMs: { program: 1 },
    checks: { violations: [], exempted: [], checked: {} },
    ...extra,
  };
}

describe("the plan's reports", () => {
  it("renders the preflight's deploy findings in every report when the evaluation carries them", () => {
    const deploy = [
      {
        rule: "rds-instance-class-in-region",
        kind: "fails-deploy" as const,
        urn: urn("aws:rds/instance:Instance", "db"),
        message: "db.m7g.large is not offered in this region",
        reference: {
          title: "DB instance classes",
          url: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.html",
        },
      },
    ];
    const report = planReport([stackReport(evaluation([], { deploy }), "index.ts")]);
    expect(report.stacks[0].deploy).to.deep.equal(deploy);
    expect(report.summary.failsDeploy).to.equal(1);
    expect(report.summary.silentlyBroken).to.equal(0);
    const md = renderMarkdown(report);
    expect(md)
      .to.include("### Deploy findings")
      .and.include(
        "| fails-deploy | db | `rds-instance-class-in-region` | db.m7g.large is not offered in this region | [DB instance classes](https://docs.aws.amazon.com/",
      );
    expect(renderTerminal(report, false))
      .to.include("deploy (fails-deploy): db [rds-instance-class-in-region]")
      .and.include("deploy findings (preflight): 1");
    // Without the preflight, no section and no count: absent is not "nothing found".
    const without = planReport([stackReport(evaluation([]), "index.ts")]);
    expect(without.summary).to.not.have.property("deploy");
    expect(renderMarkdown(without)).to.not.include("Deploy findings");
  });

  it("judges each provision: not applicable without resources, passes when checked clean, fails on a finding", () => {
    const cited = (name: string) => policies.find((p) => p.name === name)!.meta.hipaa[0];
    const encryption = cited("rds-storage-enforce-encryption");
    const db = record("aws:rds/instance:Instance", "db");
    const statusOf = (e: Evaluation, changes = levelChanges({}, policies)) =>
      stackReport(e, "index.ts", { changes }).safeguards.find((r) => r.citation === encryption)!
        .status;
    expect(statusOf(evaluation([]))).to.equal("not applicable");
    expect(
      statusOf(
        evaluation([db], {
          checks: {
            violations: [],
            exempted: [],
            checked: { "rds-storage-enforce-encryption": 1 },
          },
        }),
      ),
    ).to.equal("passes");
    const finding = {
      policy: "rds-storage-enforce-encryption",
      enforcementLevel: "mandatory" as const,
      severity: "high",
      urn: db.urn,
      message: "m",
      hipaa: [encryption],
    };
    expect(
      statusOf(
        evaluation([db], {
          checks: {
            violations: [finding],
            exempted: [],
            checked: { "rds-storage-enforce-encryption": 1 },
          },
        }),
      ),
    ).to.equal("fails");
    const disabled = levelChanges({ "rds-storage-enforce-encryption": "disabled" }, policies);
    expect(statusOf(evaluation([db]), disabled)).to.equal("not checked");
  });

  it("inventories a store with what protects it, and calls an unencrypted one unprotected", () => {
    const key = {
      ...record("aws:kms/key:Key", "phi"),
      outputs: { arn: "arn:aws:kms:eu-west-1:1:key/k" },
    };
    const encrypted = record("aws:efs/fileSystem:FileSystem", "files", {
      encrypted: true,
      kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k",
    });
    const plain = record("aws:efs/fileSystem:FileSystem", "scratch", {});
    const policy = record("aws:efs/fileSystemPolicy:FileSystemPolicy", "files", {
      fileSystemId: "files",
      policy: JSON.stringify({
        Statement: [{ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
      }),
    });
    const backup = record("aws:efs/backupPolicy:BackupPolicy", "files", {
      fileSystemId: "files",
      backupPolicy: { status: "ENABLED" },
    });
    const [files, scratch] = stackReport(
      evaluation([key, encrypted, plain, policy, backup]),
      "index.ts",
    ).inventory;
    expect(files).to.include({
      name: "files",
      phi: true,
      protected: true,
      backup: "EFS automatic backups",
    });
    expect(files.key).to.deep.equal({ kind: "customer", name: "phi" });
    expect(files.tls.status).to.equal("enforced");
    expect(scratch).to.include({ name: "scratch", protected: false, backup: null });
    expect(scratch.key.kind).to.equal("none");
    expect(scratch.tls.status).to.equal("not enforced");
  });

  it("counts a bucket another stack replicates into as a copy, and names its source", () => {
    const key = (region: string) => ({
      ...record("aws:kms/key:Key", `phi-${region}`),
      outputs: { arn: `arn:aws:kms:${region}:1:key/k` },
    });
    const bucket = (name: string, region: string) => ({
      ...record("aws:s3/bucket:Bucket", name),
      outputs: { arn: `arn:aws:s3:::${name}-x`, bucket: `${name}-x` },
      inputs: { tags: { DataClassification: "PHI" } },
      id: `${name}-x`,
      region,
    });
    const sse = (name: string, region: string) =>
      record(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        name,
        {
          bucket: `${name}-x`,
          rules: [
            {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: `arn:aws:kms:${region}:1:key/k`,
              },
            },
          ],
        },
      );
    const tlsOnly = (name: string) =>
      record("aws:s3/bucketPolicy:BucketPolicy", name, {
        bucket: `${name}-x`,
        policy: JSON.stringify({
          Statement: [
            {
              Effect: "Deny",
              Principal: "*",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      });
    const replication = record("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "docs", {
      bucket: "docs-x",
      rules: [{ status: "Enabled", destination: { bucket: "arn:aws:s3:::replica-x" } }],
    });
    const primary = evaluation([
      key("eu-west-1"),
      bucket("docs", "eu-west-1"),
      sse("docs", "eu-west-1"),
      tlsOnly("docs"),
      replication,
    ]);
    const secondary = {
      ...evaluation([
        key("us-west-2"),
        bucket("replica", "us-west-2"),
        sse("replica", "us-west-2"),
        tlsOnly("replica"),
      ]),
      region: "us-west-2",
    };
    const alone = stackReport(secondary, "index.ts").inventory.find((s) => s.name === "replica")!;
    expect(alone.protected, "a replica judged alone has no copy").to.equal(false);
    const replicas = replicaSources([primary, secondary]);
    const linked = stackReport(secondary, "index.ts", { replicas }).inventory.find(
      (s) => s.name === "replica",
    )!;
    expect(linked.replicaOf).to.equal("docs-x (eu-west-1)");
    expect(linked.protected).to.equal(true);
  });
});
