import { expect } from "chai";
import { ACCOUNT, Program, ROOT, doc, findings, keyAdmin, rootAll, rootVia } from "./program";

/** A program with a key (this policy) and what `use` declares with it. */
function withKey(
  policy: string,
  use: (p: Program, keyArn: string) => void,
  region = "eu-west-1",
): Program {
  const p = new Program("test", region);
  const key = p.add("aws:kms/key:Key", "key", { policy });
  use(p, p.arn(key));
  return p;
}

/** Services that call KMS on their callers' behalf: the key must allow that service, not another. */
const VIA_CASES: readonly [string, string, string, (p: Program, keyArn: string) => void][] = [
  [
    "kms-ebs",
    "ec2",
    "rds",
    (p, k) =>
      void p.add("aws:ebs/volume:Volume", "data", {
        availabilityZone: "eu-west-1a",
        size: 10,
        encrypted: true,
        kmsKeyId: k,
      }),
  ],
  [
    "kms-rds",
    "rds",
    "ec2",
    (p, k) =>
      void p.add("aws:rds/instance:Instance", "db", { storageEncrypted: true, kmsKeyId: k }),
  ],
  [
    "kms-backup-vault",
    "backup",
    "s3",
    (p, k) => void p.add("aws:backup/vault:Vault", "vault", { kmsKeyArn: k }),
  ],
  [
    "kms-sqs",
    "sqs",
    "sns",
    (p, k) => void p.add("aws:sqs/queue:Queue", "dlq", { kmsMasterKeyId: k }),
  ],
  [
    "kms-dynamodb",
    "dynamodb",
    "rds",
    (p, k) =>
      void p.add("aws:dynamodb/table:Table", "index", {
        serverSideEncryption: { enabled: true, kmsKeyArn: k },
      }),
  ],
  [
    "kms-elasticache",
    "elasticache",
    "rds",
    (p, k) =>
      void p.add("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {
        atRestEncryptionEnabled: true,
        kmsKeyId: k,
      }),
  ],
  [
    "kms-efs",
    "elasticfilesystem",
    "ec2",
    (p, k) =>
      void p.add("aws:efs/fileSystem:FileSystem", "files", { encrypted: true, kmsKeyId: k }),
  ],
  [
    "kms-secretsmanager",
    "secretsmanager",
    "rds",
    (p, k) => void p.add("aws:secretsmanager/secret:Secret", "secret", { kmsKeyId: k }),
  ],
  [
    "kms-lambda-environment",
    "lambda",
    "s3",
    (p, k) => {
      const role = p.add("aws:iam/role:Role", "fn", { name: "fn" });
      p.add("aws:lambda/function:Function", "fn", { name: "fn", role: p.arn(role), kmsKeyArn: k });
    },
  ],
];

describe("preflight: KMS key usage", () => {
  for (const [rule, service, other, use] of VIA_CASES) {
    it(`${rule}: reports a key the account may use only through ${other}, accepts one usable through ${service}`, async () => {
      const bad = await findings(rule, withKey(doc(keyAdmin, rootVia(other)), use));
      expect(bad, rule).to.have.length(1);
      expect(bad[0].message).to.include(`${service}.eu-west-1.amazonaws.com`);
      expect(await findings(rule, withKey(doc(keyAdmin, rootVia(service)), use))).to.deep.equal([]);
    });
  }

  const logGroup = (p: Program, k: string) =>
    void p.add("aws:cloudwatch/logGroup:LogGroup", "app", { name: "/app/logs", kmsKeyId: k });
  const logsStatement = (region: string) => ({
    Effect: "Allow",
    Principal: { Service: "logs.eu-west-1.amazonaws.com" },
    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
    Resource: "*",
    Condition: {
      ArnLike: {
        "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${ACCOUNT}:log-group:*`,
      },
    },
  });

  it("kms-cloudwatch-logs: judges the aws:logs:arn encryption context: another region's groups only is refused", async () => {
    const bad = await findings(
      "kms-cloudwatch-logs",
      withKey(doc(rootAll, logsStatement("us-west-2")), logGroup),
    );
    expect(bad).to.have.length(1);
    expect(bad[0].message).to.include(
      "kms:EncryptionContext:aws:logs:arn=arn:aws:logs:eu-west-1:123456789012:log-group:/app/logs",
    );
    expect(
      await findings(
        "kms-cloudwatch-logs",
        withKey(doc(rootAll, logsStatement("eu-west-1")), logGroup),
      ),
    ).to.deep.equal([]);
  });

  it("kms-cloudtrail: requires the trail's encryption context of this account", async () => {
    const trail = (p: Program, k: string) =>
      void p.add("aws:cloudtrail/trail:Trail", "trail", {
        name: "trail",
        s3BucketName: "logs",
        kmsKeyId: k,
      });
    const statement = (account: string) => ({
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
      Condition: {
        StringLike: {
          "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${account}:trail/*`,
        },
      },
    });
    expect(
      await findings("kms-cloudtrail", withKey(doc(rootAll, statement("999999999999")), trail)),
    ).to.have.length(2);
    const ok = doc(rootAll, statement(ACCOUNT), {
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:DescribeKey",
      Resource: "*",
    });
    expect(await findings("kms-cloudtrail", withKey(ok, trail))).to.deep.equal([]);
  });

  it("kms-ebs-autoscaling: the group's service-linked role needs the key policy or a grant (its IAM policy has no KMS)", async () => {
    const slr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_app`;
    const build = (grant: boolean) => (p: Program, k: string) => {
      const lt = p.add("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: k } }],
      });
      p.add("aws:autoscaling/group:Group", "asg", {
        launchTemplate: { id: lt.id, version: "1" },
        serviceLinkedRoleArn: slr,
      });
      if (grant)
        p.add("aws:kms/grant:Grant", "g", {
          keyId: k,
          granteePrincipal: slr,
          operations: [
            "Encrypt",
            "Decrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
            "GenerateDataKeyWithoutPlaintext",
            "DescribeKey",
            "CreateGrant",
          ],
        });
    };
    const bad = await findings("kms-ebs-autoscaling", withKey(doc(rootAll), build(false)));
    expect(bad).to.have.length(1);
    expect(bad[0].message).to.include("AWSServiceRoleForAutoScaling_app");
    expect(await findings("kms-ebs-autoscaling", withKey(doc(rootAll), build(true)))).to.deep.equal(
      [],
    );
  });

  it("kms-sns-publishers: EventBridge sends no aws:SourceAccount, so a key statement requiring it refuses EventBridge", async () => {
    const publishers = (p: Program, k: string) => {
      const topic = p.add("aws:sns/topic:Topic", "alerts", { kmsMasterKeyId: k });
      p.add("aws:cloudwatch/eventTarget:EventTarget", "findings", { rule: "r", arn: p.arn(topic) });
      p.add("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", {
        name: "alarm",
        alarmActions: [p.arn(topic)],
      });
    };
    const statement = (condition: boolean) => ({
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: "*",
      ...(condition ? { Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } } : {}),
    });
    const bad = await findings(
      "kms-sns-publishers",
      withKey(doc(rootAll, statement(true)), publishers),
    );
    expect(bad.map((f) => f.message.split(" call ")[0])).to.deep.equal([
      "key (Key): its key policy does not let events.amazonaws.com",
    ]);
    expect(
      await findings("kms-sns-publishers", withKey(doc(rootAll, statement(false)), publishers)),
    ).to.deep.equal([]);
  });

  it("kms-config-delivery: the recorder's role must be allowed through S3; a key pinned to another role path refuses it", async () => {
    const build = (p: Program, k: string) => {
      const role = p.add("aws:iam/role:Role", "config", {
        name: "config",
        path: "/ehealth-config/",
      });
      const bucket = p.add("aws:s3/bucket:Bucket", "config-bucket");
      p.add("aws:cfg/recorder:Recorder", "rec", {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/ehealth-config/config`,
      });
      p.add("aws:cfg/deliveryChannel:DeliveryChannel", "channel", {
        s3BucketName: bucket.id,
        s3KmsKeyArn: k,
      });
      void role;
    };
    const statement = (path: string) => ({
      ...rootVia("s3"),
      Condition: {
        StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
        ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role${path}*` },
      },
    });
    expect(
      await findings("kms-config-delivery", withKey(doc(keyAdmin, statement("/other/")), build)),
    ).to.have.length(1);
    expect(
      await findings(
        "kms-config-delivery",
        withKey(doc(keyAdmin, statement("/ehealth-config/")), build),
      ),
    ).to.deep.equal([]);
  });

  it("kms-config-delivery: with the service-linked role, Config uses the key as config.amazonaws.com for this account", async () => {
    const build = (p: Program, k: string) => {
      const bucket = p.add("aws:s3/bucket:Bucket", "config-bucket");
      p.add("aws:cfg/recorder:Recorder", "rec", {
        name: "rec",
        roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
      });
      p.add("aws:cfg/deliveryChannel:DeliveryChannel", "channel", {
        s3BucketName: bucket.id,
        s3KmsKeyArn: k,
      });
    };
    const config = (account: string) => ({
      Effect: "Allow",
      Principal: { Service: "config.amazonaws.com" },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": account },
        ArnLike: { "aws:SourceArn": `arn:aws:config:eu-west-1:${account}:*` },
      },
    });
    const bad = await findings(
      "kms-config-delivery",
      withKey(doc(rootAll, config("999999999999")), build),
    );
    expect(bad).to.have.length(1);
    expect(bad[0].message).to.include("config.amazonaws.com");
    expect(
      await findings("kms-config-delivery", withKey(doc(keyAdmin, config(ACCOUNT)), build)),
    ).to.deep.equal([]);
  });

  it("kms-s3-default-encryption: a key usable only with another bucket's aws:s3:arn context leaves this bucket's objects unreadable", async () => {
    const build = (p: Program, k: string) => {
      const bucket = p.add("aws:s3/bucket:Bucket", "docs", { bucket: "docs" });
      p.add(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "docs",
        {
          bucket: bucket.id,
          rules: [
            {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: k },
              bucketKeyEnabled: true,
            },
          ],
        },
      );
    };
    const statement = (bucket: string) => ({
      ...rootVia("s3"),
      Condition: {
        StringEquals: {
          "kms:ViaService": "s3.eu-west-1.amazonaws.com",
          "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${bucket}`,
        },
      },
    });
    expect(
      await findings(
        "kms-s3-default-encryption",
        withKey(doc(keyAdmin, statement("archive")), build),
      ),
    ).to.have.length(1);
    expect(
      await findings("kms-s3-default-encryption", withKey(doc(keyAdmin, statement("docs")), build)),
    ).to.deep.equal([]);
  });

  it("kms-s3-replication: the replica key must let the replication role encrypt through S3 in the destination's region", async () => {
    const run = async (replicaRegion: string) => {
      const target = new Program("dr", "us-west-2");
      const replicaKey = target.add("aws:kms/key:Key", "replica-key", {
        policy: doc(keyAdmin, rootVia("s3", replicaRegion)),
      });
      const replica = target.add("aws:s3/bucket:Bucket", "replica", { bucket: "replica" });
      const source = withKey(doc(keyAdmin, rootVia("s3")), (p, k) => {
        const role = p.add("aws:iam/role:Role", "replication", { name: "replication" });
        const bucket = p.add("aws:s3/bucket:Bucket", "docs", { bucket: "docs" });
        p.add(
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          "docs",
          {
            bucket: bucket.id,
            rules: [
              {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: k },
                bucketKeyEnabled: true,
              },
            ],
          },
        );
        p.add("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "docs", {
          bucket: bucket.id,
          role: p.arn(role),
          rules: [
            {
              id: "dr",
              status: "Enabled",
              destination: {
                bucket: target.arn(replica),
                encryptionConfiguration: { replicaKmsKeyId: target.arn(replicaKey) },
              },
            },
          ],
        });
      });
      return findings("kms-s3-replication", source, target);
    };
    const bad = await run("eu-west-1");
    expect(bad).to.have.length(1);
    expect(bad[0].message).to.include("replica-key").and.include("s3.us-west-2.amazonaws.com");
    expect(await run("us-west-2")).to.deep.equal([]);
  });

  it("kms-backup-copy-not-fully-managed: RDS copies its own recovery points, so the destination vault's key must allow rds in that region", async () => {
    const run = async (services: string[]) => {
      const target = new Program("dr", "us-west-2");
      const key = target.add("aws:kms/key:Key", "backups", {
        policy: doc(keyAdmin, {
          ...rootVia("backup", "us-west-2"),
          Condition: {
            StringEquals: { "kms:ViaService": services.map((s) => `${s}.us-west-2.amazonaws.com`) },
          },
        }),
      });
      const vault = target.add("aws:backup/vault:Vault", "vault", { kmsKeyArn: target.arn(key) });
      const source = new Program();
      source.add("aws:rds/instance:Instance", "db", { tags: { Backup: "daily" } });
      const plan = source.add("aws:backup/plan:Plan", "plan", {
        rules: [{ ruleName: "daily", copyActions: [{ destinationVaultArn: target.arn(vault) }] }],
      });
      source.add("aws:backup/selection:Selection", "sel", {
        name: "sel",
        planId: plan.id,
        selectionTags: [{ type: "STRINGEQUALS", key: "Backup", value: "daily" }],
      });
      return findings("kms-backup-copy-not-fully-managed", source, target);
    };
    const bad = await run(["backup"]);
    expect(bad).to.have.length(1);
    expect(bad[0].message).to.include("rds.us-west-2.amazonaws.com");
    expect(await run(["backup", "rds"])).to.deep.equal([]);
  });

  it("kms-grant-bypasses-service-restriction: kms:Create* for administrators lets them grant themselves Decrypt", async () => {
    const admin = (actions: string[]) => ({
      Effect: "Allow",
      Principal: { AWS: ROOT },
      Action: actions,
      Resource: "*",
    });
    const p = new Program();
    p.add("aws:kms/key:Key", "loose", {
      policy: doc(admin(["kms:Create*", "kms:Describe*"]), rootVia("s3")),
    });
    p.add("aws:kms/key:Key", "scoped", {
      policy: doc(admin(["kms:CreateAlias", "kms:Describe*"]), rootVia("s3"), {
        ...admin(["kms:CreateGrant"]),
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      }),
    });
    p.add("aws:kms/key:Key", "open", { policy: doc(rootAll) });
    const hits = await findings("kms-grant-bypasses-service-restriction", p);
    expect(hits.map((h) => h.urn?.split("::").pop())).to.deep.equal(["loose"]);
  });
});
