import { expect } from "chai";
import type { ResourceRecord } from "../../tools/engine/recorder";
import { ACCOUNT, Program, doc, findings } from "./program";

const SSE =
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";

function bucket(
  p: Program,
  name: string,
  opts: { kms?: boolean; versioned?: boolean; lock?: boolean } = {},
): ResourceRecord {
  const b = p.add("aws:s3/bucket:Bucket", name, {
    bucket: name,
    ...(opts.lock ? { objectLockEnabled: true } : {}),
  });
  p.add(SSE, name, {
    bucket: b.id,
    rules: [
      {
        applyServerSideEncryptionByDefault: opts.kms
          ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" }
          : { sseAlgorithm: "AES256" },
      },
    ],
  });
  if (opts.versioned !== false)
    p.add(VERSIONING, name, { bucket: b.id, versioningConfiguration: { status: "Enabled" } });
  if (opts.lock)
    p.add(LOCK, name, {
      bucket: b.id,
      rule: { defaultRetention: { mode: "COMPLIANCE", days: 30 } },
    });
  return b;
}

describe("preflight: S3", () => {
  it("s3-config-delivery-object-lock: reports delivery to a locked bucket, accepts an unlocked one", async () => {
    const p = new Program();
    const locked = bucket(p, "archive", { lock: true });
    const plain = bucket(p, "config");
    p.add("aws:cfg/deliveryChannel:DeliveryChannel", "bad", { s3BucketName: locked.id });
    p.add("aws:cfg/deliveryChannel:DeliveryChannel", "good", { s3BucketName: plain.id });
    const hits = await findings("s3-config-delivery-object-lock", p);
    expect(hits.map((h) => h.urn?.split("::").pop())).to.deep.equal(["bad"]);
  });

  it("s3-object-lock-needs-versioning: Object Lock on an existing bucket waits for its versioning", async () => {
    const p = new Program();
    const b = p.add("aws:s3/bucket:Bucket", "later", { bucket: "later" });
    const v = p.add(VERSIONING, "later", {
      bucket: b.id,
      versioningConfiguration: { status: "Enabled" },
    });
    p.add(LOCK, "racing", {
      bucket: b.id,
      rule: { defaultRetention: { mode: "GOVERNANCE", days: 1 } },
    });
    p.add(
      LOCK,
      "waiting",
      { bucket: b.id, rule: { defaultRetention: { mode: "GOVERNANCE", days: 1 } } },
      { dependsOn: [v] },
    );
    const atCreation = p.add("aws:s3/bucket:Bucket", "born-locked", {
      bucket: "born-locked",
      objectLockEnabled: true,
    });
    p.add(LOCK, "born", {
      bucket: atCreation.id,
      rule: { defaultRetention: { mode: "GOVERNANCE", days: 1 } },
    });
    expect(
      (await findings("s3-object-lock-needs-versioning", p)).map((h) => h.urn?.split("::").pop()),
    ).to.deep.equal(["racing"]);
  });

  it("s3-replication-requirements: needs versioning on both sides and a replica key for SSE-KMS objects", async () => {
    const run = async (ok: boolean) => {
      const dr = new Program("dr", "us-west-2");
      const replica = bucket(dr, "replica", { versioned: ok });
      const p = new Program();
      const source = bucket(p, "docs");
      p.add("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "docs", {
        bucket: source.id,
        role: "arn:aws:iam::123456789012:role/r",
        rules: [
          {
            id: "dr",
            status: "Enabled",
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: dr.arn(replica),
              ...(ok
                ? {
                    encryptionConfiguration: {
                      replicaKmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/r",
                    },
                  }
                : {}),
            },
          },
        ],
      });
      return findings("s3-replication-requirements", p, dr);
    };
    const bad = await run(false);
    expect(bad.map((h) => h.message)).to.satisfy(
      (m: string[]) =>
        m.some((x) => x.includes("no versioning")) && m.some((x) => x.includes("replicaKmsKeyId")),
    );
    expect(await run(true)).to.deep.equal([]);
  });

  it("s3-access-log-target: reports logs sent to an SSE-KMS bucket, accepts an SSE-S3 one", async () => {
    const p = new Program();
    const docs = bucket(p, "docs", { kms: true });
    const kmsLogs = bucket(p, "kms-logs", { kms: true });
    const logs = bucket(p, "logs");
    p.add("aws:s3/bucketLogging:BucketLogging", "bad", {
      bucket: docs.id,
      targetBucket: kmsLogs.id,
    });
    p.add("aws:s3/bucketLogging:BucketLogging", "good", { bucket: docs.id, targetBucket: logs.id });
    expect(
      (await findings("s3-access-log-target", p)).map((h) => h.urn?.split("::").pop()),
    ).to.deep.equal(["bad"]);
  });

  it("s3-bucket-policy-locks-out-deployer: a ListBucket deny with no outside principal exempt locks the deployer out", async () => {
    const run = async (exempt: string[]) => {
      const p = new Program();
      const b = bucket(p, "enclave");
      const arn = p.arn(b);
      p.add("aws:s3/bucketPolicy:BucketPolicy", "enclave", {
        bucket: b.id,
        policy: doc(
          {
            Sid: "DenyOutsideTheEnclave",
            Effect: "Deny",
            Principal: "*",
            Action: ["s3:GetObject", "s3:ListBucket"],
            Resource: [arn, `${arn}/*`],
            Condition: {
              StringNotEquals: { "aws:SourceVpce": "vpce-1" },
              ArnNotEquals: { "aws:PrincipalArn": exempt },
            },
          },
          ...(exempt.length > 1
            ? [
                {
                  Sid: "DeployerReadsNoObjects",
                  Effect: "Deny",
                  Principal: "*",
                  Action: "s3:GetObject",
                  Resource: `${arn}/*`,
                  Condition: { ArnEquals: { "aws:PrincipalArn": exempt[1] } },
                },
              ]
            : []),
        ),
      });
      const steward = p.add("aws:iam/role:Role", "steward", { name: "steward" });
      return {
        hits: await findings("s3-bucket-policy-locks-out-deployer", p),
        steward: p.arn(steward),
      };
    };
    const locked = await run([`arn:aws:iam::${ACCOUNT}:role/steward`]);
    expect(locked.hits).to.have.length(1);
    expect(locked.hits[0].message).to.include("s3:ListBucket");
    const open = await run([
      `arn:aws:iam::${ACCOUNT}:role/steward`,
      `arn:aws:iam::${ACCOUNT}:role/github-deploy`,
    ]);
    expect(open.hits).to.deep.equal([]);
  });

  it("s3-trail-logs-cold-storage: reports trail logs moved to GLACIER, accepts GLACIER_IR", async () => {
    const run = async (storageClass: string) => {
      const p = new Program();
      const b = bucket(p, "archive");
      p.add("aws:cloudtrail/trail:Trail", "trail", { s3BucketName: b.id });
      p.add("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "archive", {
        bucket: b.id,
        rules: [{ id: "cold", status: "Enabled", transitions: [{ days: 90, storageClass }] }],
      });
      return findings("s3-trail-logs-cold-storage", p);
    };
    expect(await run("GLACIER")).to.have.length(1);
    expect(await run("GLACIER_IR")).to.deep.equal([]);
  });

  it("s3-retained-bucket-keeps-settings: a kept bucket whose public access block is deleted is reported; all kept is not", async () => {
    const run = async (keepSettings: boolean) => {
      const p = new Program();
      const b = p.add(
        "aws:s3/bucket:Bucket",
        "data-in",
        { bucket: "data-in" },
        { retainOnDelete: true },
      );
      p.add(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "data-in",
        { bucket: b.id, blockPublicAcls: true },
        { retainOnDelete: keepSettings },
      );
      p.add(
        "aws:s3/bucketPolicy:BucketPolicy",
        "data-in",
        { bucket: b.id, policy: doc() },
        { retainOnDelete: keepSettings },
      );
      return findings("s3-retained-bucket-keeps-settings", p);
    };
    const bad = await run(false);
    expect(bad).to.have.length(1);
    expect(bad[0].message).to.include("BucketPublicAccessBlock").and.include("BucketPolicy");
    expect(await run(true)).to.deep.equal([]);
  });

  it("s3-notification-keeps-eventbridge: a notification on a backed-up bucket must keep EventBridge on", async () => {
    const run = async (eventbridge: boolean) => {
      const p = new Program();
      const b = p.add("aws:s3/bucket:Bucket", "data-in", {
        bucket: "data-in",
        tags: { Backup: "study" },
      });
      const plan = p.add("aws:backup/plan:Plan", "plan", { rules: [] });
      p.add("aws:backup/selection:Selection", "sel", {
        name: "sel",
        planId: plan.id,
        selectionTags: [{ type: "STRINGEQUALS", key: "Backup", value: "study" }],
      });
      p.add("aws:s3/bucketNotification:BucketNotification", "n", {
        bucket: b.id,
        eventbridge,
        lambdaFunctions: [],
      });
      return findings("s3-notification-keeps-eventbridge", p);
    };
    expect(await run(false)).to.have.length(1);
    expect(await run(true)).to.deep.equal([]);
  });

  it("backup-s3-opt-in: a tag selection of buckets needs S3 opted in", async () => {
    const run = async (optIn: boolean) => {
      const p = new Program();
      p.add("aws:s3/bucket:Bucket", "docs", { bucket: "docs", tags: { Backup: "daily" } });
      const plan = p.add("aws:backup/plan:Plan", "plan", { rules: [] });
      p.add("aws:backup/selection:Selection", "sel", {
        name: "sel",
        planId: plan.id,
        selectionTags: [{ type: "STRINGEQUALS", key: "Backup", value: "daily" }],
      });
      if (optIn)
        p.add("aws:backup/regionSettings:RegionSettings", "settings", {
          resourceTypeOptInPreference: { S3: true, RDS: true },
        });
      return findings("backup-s3-opt-in", p);
    };
    expect(await run(false)).to.have.length(1);
    expect(await run(true)).to.deep.equal([]);
  });
});
