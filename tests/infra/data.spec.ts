import { expect } from "chai";
import {
  Data,
  MIN_RETENTION_DAYS,
  VAULT_LOCK_COOLING_OFF_DAYS,
  documentBucketPolicy,
  fileSystemPolicy,
} from "../../infra/data";
import { PROJECT_DIR, replicationOutputs } from "../../tools/engine";
import { STATEFUL_TYPES } from "../../policy-pack/policies/governance/protectStateful";
import {
  Evaluation,
  bothStacks,
  ResourceRecord,
  build,
  json,
  one,
  ofType,
  stack,
  stackWith,
} from "../helpers";

type Tags = Record<string, string>;
const keyOf = (e: Evaluation, purpose: string) =>
  ofType(e.resources, "aws:kms/key:Key").find((k) => (k.inputs.tags as Tags).Purpose === purpose)!;

/** Arguments for building the component alone, in-process. */
const UNIT_ARGS = {
  phiKeyArn: "phi",
  backupsKeyArn: "backups",
  logsKeyArn: "logs",
  partition: "aws",
  accountId: "123456789012",
  vpcId: "vpc-1",
  dataSubnetIds: ["subnet-1", "subnet-2"],
  appSubnetIds: ["subnet-3", "subnet-4"],
  appSecurityGroupId: "sg-app",
};

/** Resources whose loss loses patient data or audit evidence, or the keys to read them. */
const MUST_OUTLIVE_THE_STACK = [...STATEFUL_TYPES, "aws:cloudwatch/logGroup:LogGroup"];

describe("ehealth:data:Data", () => {
  for (const stackName of ["ireland", "oregon"]) {
    describe(`in the ${stackName} stack`, () => {
      let evaluation: Evaluation;
      before(async () => {
        evaluation = await stack(stackName);
      });

      it("keeps patient documents in three private buckets under the PHI key, versioned, TLS-only, logged", () => {
        const byBucket = (type: string, bucket: ResourceRecord) =>
          ofType(evaluation.resources, type).filter(
            (r) => r.inputs.bucket === bucket.outputs.bucket,
          );
        const logs = ofType(evaluation.resources, "aws:s3/bucket:Bucket").find(
          (b) => (b.inputs.tags as Tags).Purpose === "s3-access-logs",
        )!;
        const documents = ofType(evaluation.resources, "aws:s3/bucket:Bucket").filter(
          (b) => (b.inputs.tags as Tags).DataClassification === "PHI",
        );
        // Replicas (oregon) get the same settings as the documents they copy.
        expect(
          documents
            .map((b) => (b.inputs.tags as Tags).Purpose)
            .filter((p) => !p.endsWith("-replica")),
        ).to.have.members(["uploads", "images", "results"]);
        const phi = keyOf(evaluation, "phi").outputs.arn;
        for (const bucket of documents) {
          const [sse] = byBucket(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            bucket,
          );
          expect(sse.inputs.rules).to.deep.equal([
            {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: phi },
              bucketKeyEnabled: true,
            },
          ]);
          const [pab] = byBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket);
          expect(pab.inputs).to.include({
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
          });
          const [ownership] = byBucket(
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            bucket,
          );
          expect(ownership.inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
          const [versioning] = byBucket("aws:s3/bucketVersioning:BucketVersioning", bucket);
          expect(versioning.inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
          // What this policy admits (TLS only, the PHI key only): data-access.spec.ts and
          // tests/access/services.spec.ts simulate it as recorded.
          const [policy] = byBucket("aws:s3/bucketPolicy:BucketPolicy", bucket);
          expect(json(policy.inputs.policy)).to.deep.equal(
            documentBucketPolicy(String(bucket.outputs.arn), String(phi)),
          );
          const [logging] = byBucket("aws:s3/bucketLogging:BucketLogging", bucket);
          expect(logging.inputs.targetBucket).to.equal(logs.outputs.bucket);
          const [lifecycle] = byBucket(
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            bucket,
          );
          const rules = lifecycle.inputs.rules as {
            noncurrentVersionExpiration: { noncurrentDays: number };
          }[];
          expect(rules[0].noncurrentVersionExpiration.noncurrentDays).to.equal(2190);
        }
      });

      // Who writes the access-log bucket (S3 log delivery of this account alone), who assumes the
      // backup role (AWS Backup alone) and what the replication role reaches (the sources, and
      // the replicas only to write): tests/infra/data-access.spec.ts simulates them as recorded.

      it("runs PostgreSQL in the data tier only, Multi-AZ, encrypted, TLS-forced, with a managed password", () => {
        const db = one(evaluation.resources, "aws:rds/instance:Instance");
        const phi = keyOf(evaluation, "phi").outputs.arn;
        expect(db.inputs).to.include({
          engine: "postgres",
          multiAz: true,
          storageEncrypted: true,
          kmsKeyId: phi,
          manageMasterUserPassword: true,
          masterUserSecretKmsKeyId: phi,
          iamDatabaseAuthenticationEnabled: true,
          publiclyAccessible: false,
          performanceInsightsKmsKeyId: phi,
          backupRetentionPeriod: 35,
          deletionProtection: true,
          skipFinalSnapshot: false,
          copyTagsToSnapshot: true,
          autoMinorVersionUpgrade: true,
          monitoringInterval: 60,
        });
        expect(db.inputs.password).to.equal(undefined);
        expect(db.inputs.enabledCloudwatchLogsExports).to.deep.equal(["postgresql", "upgrade"]);
        const dataSubnets = ofType(evaluation.resources, "aws:ec2/subnet:Subnet")
          .filter((s) => (s.inputs.tags as Tags).Tier === "data")
          .map((s) => s.outputs.id);
        const group = one(evaluation.resources, "aws:rds/subnetGroup:SubnetGroup");
        expect(db.inputs.dbSubnetGroupName).to.equal(group.outputs.name);
        expect(group.inputs.subnetIds).to.have.members(dataSubnets);
        const params = one(evaluation.resources, "aws:rds/parameterGroup:ParameterGroup");
        expect(db.inputs.parameterGroupName).to.equal(params.outputs.name);
        expect(params.inputs.parameters).to.deep.include({ name: "rds.force_ssl", value: "1" });
        expect(params.inputs.parameters).to.deep.include({ name: "log_connections", value: "1" });
      });

      it("admits 5432 to the database from the app tier's security group and nothing else", () => {
        const db = one(evaluation.resources, "aws:rds/instance:Instance");
        const [sgId] = db.inputs.vpcSecurityGroupIds as string[];
        const rules = ofType(
          evaluation.resources,
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ).filter((r) => r.inputs.securityGroupId === sgId);
        const app = ofType(evaluation.resources, "aws:ec2/securityGroup:SecurityGroup").find(
          (g) => (g.inputs.tags as Tags).Tier === "app",
        )!;
        expect(rules.map((r) => r.inputs)).to.deep.equal([
          {
            securityGroupId: sgId,
            description: "PostgreSQL from the app tier",
            ipProtocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            referencedSecurityGroupId: app.outputs.id,
          },
        ]);
      });

      it("creates the database's log groups first, encrypted with the logs key", () => {
        const db = one(evaluation.resources, "aws:rds/instance:Instance");
        for (const log of ["postgresql", "upgrade"]) {
          const group = ofType(evaluation.resources, "aws:cloudwatch/logGroup:LogGroup").find(
            (g) => g.inputs.name === `/aws/rds/instance/${String(db.inputs.identifier)}/${log}`,
          );
          expect(group?.inputs.kmsKeyId, log).to.equal(keyOf(evaluation, "logs").outputs.arn);
          expect(db.dependencies).to.include(group!.urn);
        }
      });

      it("shares files on EFS under the PHI key, mounted only in the app subnets, TLS-only, IAM-authorized", () => {
        const fs = one(evaluation.resources, "aws:efs/fileSystem:FileSystem");
        expect(fs.inputs).to.include({
          encrypted: true,
          kmsKeyId: keyOf(evaluation, "phi").outputs.arn,
        });
        const appSubnets = ofType(evaluation.resources, "aws:ec2/subnet:Subnet")
          .filter((s) => (s.inputs.tags as Tags).Tier === "app")
          .map((s) => s.outputs.id);
        const mounts = ofType(evaluation.resources, "aws:efs/mountTarget:MountTarget");
        expect(mounts.map((m) => m.inputs.subnetId)).to.have.members(appSubnets);
        // Who mounts it (TLS only, IAM-authorised clients of the account): data-access.spec.ts.
        const policy = one(evaluation.resources, "aws:efs/fileSystemPolicy:FileSystemPolicy");
        expect(json(policy.inputs.policy)).to.deep.equal(
          fileSystemPolicy(String(fs.outputs.arn), "aws", "123456789012"),
        );
        expect(
          one(evaluation.resources, "aws:efs/backupPolicy:BackupPolicy").inputs.backupPolicy,
        ).to.deep.equal({ status: "DISABLED" });
        const ap = one(evaluation.resources, "aws:efs/accessPoint:AccessPoint");
        expect(ap.inputs.posixUser).to.deep.equal({ uid: 1000, gid: 1000 });
        const [sg] = mounts[0].inputs.securityGroups as string[];
        const rules = ofType(
          evaluation.resources,
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ).filter((r) => r.inputs.securityGroupId === sg);
        expect(
          rules.map((r) => [
            r.inputs.fromPort,
            r.inputs.cidrIpv4,
            typeof r.inputs.referencedSecurityGroupId,
          ]),
        ).to.deep.equal([[2049, undefined, "string"]]);
      });

      it("caches in Valkey across two AZs, encrypted at rest and in transit, IAM-authenticated, data tier only", () => {
        const cache = one(
          evaluation.resources,
          "aws:elasticache/replicationGroup:ReplicationGroup",
        );
        expect(cache.inputs).to.include({
          engine: "valkey",
          numCacheClusters: 2,
          automaticFailoverEnabled: true,
          multiAzEnabled: true,
          atRestEncryptionEnabled: true,
          kmsKeyId: keyOf(evaluation, "phi").outputs.arn,
          transitEncryptionEnabled: true,
          transitEncryptionMode: "required",
        });
        const users = ofType(evaluation.resources, "aws:elasticache/user:User");
        const byName = Object.fromEntries(users.map((u) => [String(u.inputs.userName), u]));
        expect(byName.default.inputs.accessString).to.equal("off -@all");
        const app = users.find((u) => u.inputs.userName !== "default")!;
        expect(app.inputs.authenticationMode).to.deep.equal({ type: "iam" });
        expect(app.inputs.userId).to.equal(app.inputs.userName);
        const group = one(evaluation.resources, "aws:elasticache/subnetGroup:SubnetGroup");
        const dataSubnets = ofType(evaluation.resources, "aws:ec2/subnet:Subnet")
          .filter((s) => (s.inputs.tags as Tags).Tier === "data")
          .map((s) => s.outputs.id);
        expect(group.inputs.subnetIds).to.have.members(dataSubnets);
      });

      it("keeps the upload index under the PHI key, with point-in-time recovery and deletion protection", () => {
        const table = one(evaluation.resources, "aws:dynamodb/table:Table");
        expect(table.inputs.serverSideEncryption).to.deep.equal({
          enabled: true,
          kmsKeyArn: keyOf(evaluation, "phi").outputs.arn,
        });
        expect(table.inputs.pointInTimeRecovery).to.deep.equal({ enabled: true });
        expect(table.inputs.deletionProtectionEnabled).to.equal(true);
        expect((table.inputs.tags as Tags).Backup).to.equal("daily");
      });

      it("encrypts the backup vault with the backups key and locks it in compliance mode after a cooling-off", () => {
        const vault = one(evaluation.resources, "aws:backup/vault:Vault");
        expect(vault.inputs.kmsKeyArn).to.equal(keyOf(evaluation, "backups").outputs.arn);
        expect(vault.inputs.forceDestroy).to.equal(false);
        const lock = one(
          evaluation.resources,
          "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        );
        expect(lock.inputs.backupVaultName).to.equal(vault.outputs.name);
        expect(lock.inputs.minRetentionDays).to.equal(MIN_RETENTION_DAYS);
        expect(lock.inputs.changeableForDays).to.equal(VAULT_LOCK_COOLING_OFF_DAYS);
      });

      it("backs up daily for 35 days and monthly for a year into the vault", () => {
        const plan = one(evaluation.resources, "aws:backup/plan:Plan");
        const rules = plan.inputs.rules as {
          ruleName: string;
          targetVaultName: string;
          lifecycle: { deleteAfter: number };
        }[];
        const vault = one(evaluation.resources, "aws:backup/vault:Vault");
        expect(rules.map((r) => [r.ruleName, r.lifecycle.deleteAfter])).to.deep.equal([
          ["daily", 35],
          ["monthly", 365],
        ]);
        for (const r of rules) expect(r.targetVaultName).to.equal(vault.outputs.name);
      });

      it("selects every resource tagged Backup=daily, through the stack's backup role", () => {
        const selection = one(evaluation.resources, "aws:backup/selection:Selection");
        expect(selection.inputs.selectionTags).to.deep.equal([
          { type: "STRINGEQUALS", key: "Backup", value: "daily" },
        ]);
        const role = ofType(evaluation.resources, "aws:iam/role:Role").find(
          (r) => r.outputs.arn === selection.inputs.iamRoleArn,
        )!;
        // The role the access tables simulate (only AWS Backup assumes it).
        expect(role.name).to.equal(`ehealth-${stackName}-backup`);
      });

      it("protects and retains every resource whose loss would lose data (a new store cannot slip in without it)", () => {
        const stores = evaluation.resources.filter((r: ResourceRecord) =>
          MUST_OUTLIVE_THE_STACK.includes(r.type),
        );
        expect(stores.length).to.be.at.least(6);
        for (const r of stores) {
          expect(r.protect, `${r.type} ${r.name} protect`).to.equal(true);
          expect(r.retainOnDelete, `${r.type} ${r.name} retainOnDelete`).to.equal(true);
        }
      });
    });
  }

  describe("across the two regions", () => {
    const stacks = bothStacks();

    it("has oregon offer replica buckets under its own PHI key, and its vault, as the stack output ireland reads", () => {
      const offered = stacks.oregon.outputs.replication as {
        buckets: Record<string, string>;
        keyArn: string;
        backupVaultArn: string;
      };
      const replicas = ofType(stacks.oregon.resources, "aws:s3/bucket:Bucket").filter((b) =>
        String((b.inputs.tags as Tags).Purpose).endsWith("-replica"),
      );
      expect(Object.values(offered.buckets)).to.have.members(replicas.map((b) => b.outputs.arn));
      expect(offered.keyArn).to.equal(keyOf(stacks.oregon, "phi").outputs.arn);
      expect(offered.backupVaultArn).to.equal(
        one(stacks.oregon.resources, "aws:backup/vault:Vault").outputs.arn,
      );
      expect(stacks.ireland.outputs.replication).to.equal(undefined);
    });

    it("answers ireland's stack reference offline with exactly what oregon exports", () => {
      expect(replicationOutputs(PROJECT_DIR, "oregon")).to.deep.equal({
        replication: stacks.oregon.outputs.replication,
      });
    });

    it("replicates each ireland document bucket to its oregon replica under oregon's PHI key", () => {
      const offered = stacks.oregon.outputs.replication as {
        buckets: Record<string, string>;
        keyArn: string;
      };
      const documents = ofType(stacks.ireland.resources, "aws:s3/bucket:Bucket").filter(
        (b) => (b.inputs.tags as Tags).DataClassification === "PHI",
      );
      // The stack's other replication copies AWS Config's files into the log archive (infra/audit).
      const configs = ofType(
        stacks.ireland.resources,
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
      ).filter((c) => documents.some((b) => b.outputs.bucket === c.inputs.bucket));
      expect(configs).to.have.length(3);
      for (const config of configs) {
        const bucket = documents.find((b) => b.outputs.bucket === config.inputs.bucket)!;
        const kind = (bucket.inputs.tags as Tags).Purpose;
        const [rule] = config.inputs.rules as {
          destination: { bucket: string; encryptionConfiguration: { replicaKmsKeyId: string } };
        }[];
        expect(rule.destination.bucket, kind).to.equal(offered.buckets[kind]);
        expect(rule.destination.encryptionConfiguration.replicaKmsKeyId).to.equal(offered.keyArn);
        expect(config.dependencies.some((d) => d.includes("bucketVersioning"))).to.equal(true);
      }
    });

    it("copies every ireland recovery point to oregon's vault, kept as long as the original", () => {
      const rules = one(stacks.ireland.resources, "aws:backup/plan:Plan").inputs.rules as {
        lifecycle: { deleteAfter: number };
        copyActions: { destinationVaultArn: string; lifecycle: { deleteAfter: number } }[];
      }[];
      const oregonVault = one(stacks.oregon.resources, "aws:backup/vault:Vault").outputs.arn;
      for (const r of rules) {
        expect(r.copyActions).to.deep.equal([
          { destinationVaultArn: oregonVault, lifecycle: { deleteAfter: r.lifecycle.deleteAfter } },
        ]);
      }
      const oregonRules = one(stacks.oregon.resources, "aws:backup/plan:Plan").inputs.rules as {
        copyActions?: unknown;
      }[];
      for (const r of oregonRules) expect(r.copyActions).to.equal(undefined);
    });
  });

  it("takes backup retention from config, and drops the vault lock outside prod", async () => {
    const dev = await stackWith("oregon", {
      overrides: {
        "ehealth:environment": "dev",
        "ehealth:dataProtection": "false",
        "ehealth:backupDailyRetentionDays": "14",
        "ehealth:backupMonthlyRetentionDays": "90",
      },
    });
    const rules = one(dev.resources, "aws:backup/plan:Plan").inputs.rules as {
      lifecycle: { deleteAfter: number };
    }[];
    expect(rules.map((r) => r.lifecycle.deleteAfter)).to.deep.equal([14, 90]);
    expect(
      ofType(dev.resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration"),
    ).to.deep.equal([]);
    expect(one(dev.resources, "aws:dynamodb/table:Table").protect).to.equal(false);
  });

  it("fails when backups would be kept less than a week, or monthly ones shorter than daily ones", () => {
    const args = UNIT_ARGS;
    expect(() => new Data("unit-short", { ...args, dailyRetentionDays: 3 })).to.throw(
      /dailyRetentionDays must be a whole number >= 7, got 3/,
    );
    expect(
      () =>
        new Data("unit-inverted", { ...args, dailyRetentionDays: 35, monthlyRetentionDays: 30 }),
    ).to.throw(/monthlyRetentionDays must be >= dailyRetentionDays \(35\), got 30/);
  });

  it("builds with defaults in-process: a locked vault, a protected table", async () => {
    const { resources } = await build(() => new Data("unit-data", UNIT_ARGS));
    expect(one(resources, "aws:dynamodb/table:Table").protect).to.equal(true);
    expect(
      ofType(resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration"),
    ).to.have.length(1);
  });
});
