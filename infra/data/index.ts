import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrust } from "../iam";
import {
  SecureBucket,
  accessLogBucketPolicy,
  documentBucketPolicy,
  replicationRolePolicy,
  secureBucket,
} from "./buckets";
import type { AlertRoute } from "../alerts";
import { backupFailureRoutes, backupRegionSettings, taggedSelection } from "./backup";
import { postgres } from "./database";
import { valkeyCache } from "./cache";
import { sharedFiles } from "./files";

export { fileSystemPolicy } from "./files";

export { accessLogBucketPolicy, documentBucketPolicy, replicationRolePolicy } from "./buckets";

/** The patient document buckets, by what they hold. */
export const DOCUMENT_BUCKETS = ["uploads", "images", "results"] as const;
export type DocumentBucket = (typeof DOCUMENT_BUCKETS)[number];

/** Daily recovery points are kept this long (days) unless configured. */
export const DEFAULT_DAILY_RETENTION_DAYS = 35;
/** Monthly recovery points are kept this long (days) unless configured. */
export const DEFAULT_MONTHLY_RETENTION_DAYS = 365;
/** No store of patient data keeps less than a week of recovery points (164.308(a)(7)(ii)(A)). */
export const MIN_RETENTION_DAYS = 7;
/** The tag that puts a resource in the backup plan, and its value. */
export const BACKUP_TAG = { key: "Backup", value: "daily" } as const;
/** Days after which a prod vault lock can no longer be changed or removed (compliance mode). */
export const VAULT_LOCK_COOLING_OFF_DAYS = 3;
/** The longest retention a locked vault accepts: ten years. */
export const VAULT_LOCK_MAX_RETENTION_DAYS = 3653;

/** Where the primary's copies go: the secondary stack's replica buckets, replica key and vault. */
export interface ReplicationTarget {
  readonly buckets: Record<DocumentBucket, string>;
  readonly keyArn: string;
  readonly backupVaultArn: string;
  /** Every PHI bucket of the target's region (its documents and the replicas), for the trail. */
  readonly phiBucketArns: string[];
}

export type Replication =
  /** This stack receives the other region's copies: it builds the replica buckets. */
  | { readonly role: "target" }
  /** This stack sends its documents and recovery points to the target, read from its stack. */
  | { readonly role: "source"; readonly target: pulumi.Input<ReplicationTarget> };

export interface DataArgs {
  /** The KMS key for protected health information. */
  readonly phiKeyArn: pulumi.Input<string>;
  /** The KMS key of the backup vault. */
  readonly backupsKeyArn: pulumi.Input<string>;
  /** The AWS partition, for managed policy ARNs. */
  readonly partition: string;
  /** The account, for the access-log delivery condition. */
  readonly accountId: string;
  /** The KMS key of the database's log groups. */
  readonly logsKeyArn: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  /** Data-tier subnets: the database lives there only. */
  readonly dataSubnetIds: pulumi.Input<string>[];
  /** App-tier subnets: the file system's mount targets. */
  readonly appSubnetIds: pulumi.Input<string>[];
  /** The app tier's security group, the only client of the stores. */
  readonly appSecurityGroupId: pulumi.Input<string>;
  /** RDS instance class. @default "db.m7g.large" */
  readonly dbInstanceClass?: string;
  /** Run the database and the cache in two AZs. @default true */
  readonly multiAz?: boolean;
  /** ElastiCache node type of the cache. @default "cache.m7g.large" */
  readonly cacheNodeType?: string;
  /** The cache engine. @default "valkey" */
  readonly cacheEngine?: "valkey" | "redis";
  /** Cross-region copies: the secondary is the target, the primary the source. @default none */
  readonly replication?: Replication;
  /** Days of RDS automated backups (7..35). @default 35 */
  readonly dbBackupRetentionDays?: number;
  /** Days to keep database logs. @default 365 */
  readonly logRetentionDays?: number;
  /** Days to keep daily recovery points (7 or more). @default 35 */
  readonly dailyRetentionDays?: number;
  /** Days to keep monthly recovery points (no fewer than the daily ones). @default 365 */
  readonly monthlyRetentionDays?: number;
  /** Lock the vault in compliance mode after a cooling-off period (prod). @default true */
  readonly vaultLock?: boolean;
  /** Protect and retain the stores and the vault. @default true */
  readonly protect?: boolean;
}

/**
 * The stores of patient data in a region, and their backups. Built so far: PostgreSQL, the patient
 * document buckets and their access-log bucket, EFS, the upload index (DynamoDB) and AWS Backup (an
 * encrypted, locked vault; a daily and a monthly rule; every resource tagged Backup=daily
 * selected), and the Valkey cache. Replication to the other region and backup copies follow.
 */
export class Data extends pulumi.ComponentResource {
  public readonly accessLogs: aws.s3.Bucket;
  public readonly documents: Readonly<Record<DocumentBucket, SecureBucket>>;
  /** The other region's documents, replicated here (the secondary only): read after a failover. */
  public readonly replicas: readonly SecureBucket[] = [];
  /** What this stack offers as a replication target (secondary), for its stack outputs. */
  public readonly replicationTarget?: pulumi.Output<ReplicationTarget>;
  public readonly uploadIndex: aws.dynamodb.Table;
  public readonly database: aws.rds.Instance;
  public readonly fileSystem: aws.efs.FileSystem;
  public readonly accessPoint: aws.efs.AccessPoint;
  public readonly cache: aws.elasticache.ReplicationGroup;
  /** The cache user the application authenticates as with IAM. */
  public readonly cacheUser: aws.elasticache.User;
  public readonly vault: aws.backup.Vault;
  public readonly plan: aws.backup.Plan;
  /** The role AWS Backup assumes for the plan, and restores are started with. */
  public readonly backupRole: aws.iam.Role;
  public readonly backupSettings: aws.backup.RegionSettings;
  /** AWS Backup job failures, for the region's alert topic (the audit component routes them). */
  public readonly alertRoutes: readonly AlertRoute[] = backupFailureRoutes();

  constructor(name: string, args: DataArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("ehealth:data:Data", name, {}, opts);
    const daily = args.dailyRetentionDays ?? DEFAULT_DAILY_RETENTION_DAYS;
    const monthly = args.monthlyRetentionDays ?? DEFAULT_MONTHLY_RETENTION_DAYS;
    if (!Number.isInteger(daily) || daily < MIN_RETENTION_DAYS) {
      throw new Error(
        `Data ${name}: dailyRetentionDays must be a whole number >= ${MIN_RETENTION_DAYS}, got ${daily}`,
      );
    }
    if (!Number.isInteger(monthly) || monthly < daily) {
      throw new Error(
        `Data ${name}: monthlyRetentionDays must be >= dailyRetentionDays (${daily}), got ${monthly}`,
      );
    }
    const dbBackupDays = args.dbBackupRetentionDays ?? 35;
    if (!Number.isInteger(dbBackupDays) || dbBackupDays < MIN_RETENTION_DAYS || dbBackupDays > 35) {
      throw new Error(
        `Data ${name}: dbBackupRetentionDays must be ${MIN_RETENTION_DAYS}..35, got ${dbBackupDays}`,
      );
    }
    const protect = args.protect ?? true;
    // Stores of patient data: never deleted by a `pulumi destroy` unless data protection is off.
    const stateful = { parent: this, protect, retainOnDelete: protect };
    const inPlan = { [BACKUP_TAG.key]: BACKUP_TAG.value };

    // S3 server access logs can be delivered only to an SSE-S3 bucket (the policy pack knows).
    this.accessLogs = secureBucket(this, `${name}-access-logs`, {
      policy: (arn) => JSON.stringify(accessLogBucketPolicy(arn, args.accountId, args.partition)),
      tags: { Purpose: "s3-access-logs" },
      protect,
    });
    // Buckets of patient documents (and, in the secondary, their replicas) are all alike, but
    // for the backup plan: a replica is already a copy, and the primary's recovery points of the
    // documents are copied into this region's vault (docs/data.md, "Copies").
    const phiBucket = (bucketName: string, purpose: string, backedUp: boolean) =>
      secureBucket(this, bucketName, {
        kmsKeyArn: args.phiKeyArn,
        accessLogBucket: this.accessLogs,
        policy: (arn) =>
          pulumi
            .output(args.phiKeyArn)
            .apply((key) => JSON.stringify(documentBucketPolicy(arn, key))),
        tags: { DataClassification: "PHI", Purpose: purpose, ...(backedUp ? inPlan : {}) },
        protect,
      });
    const documents = {} as Record<DocumentBucket, SecureBucket>;
    for (const kind of DOCUMENT_BUCKETS) {
      documents[kind] = phiBucket(`${name}-${kind}`, kind, true);
    }
    this.documents = documents;
    if (args.replication?.role === "target") {
      const replicas = DOCUMENT_BUCKETS.map((kind) =>
        phiBucket(`${name}-replica-${kind}`, `${kind}-replica`, false),
      );
      this.replicas = replicas;
      const ownDocuments = DOCUMENT_BUCKETS.map((k) => documents[k].arn);
      this.replicationTarget = pulumi
        .all([
          pulumi.all(replicas.map((b) => b.arn)),
          pulumi.output(args.phiKeyArn),
          pulumi.all(ownDocuments),
        ])
        .apply(([arns, keyArn, own]) => ({
          buckets: Object.fromEntries(DOCUMENT_BUCKETS.map((k, i) => [k, arns[i]])) as Record<
            DocumentBucket,
            string
          >,
          keyArn,
          backupVaultArn: "",
          phiBucketArns: [...own, ...arns],
        }));
    }

    // What every store in the VPC shares: the network, its only client, the key of its data.
    const inVpc = {
      vpcId: args.vpcId,
      clientSecurityGroupId: args.appSecurityGroupId,
      phiKeyArn: args.phiKeyArn,
    };
    const multiAz = args.multiAz ?? true;

    this.database = postgres(this, name, {
      ...inVpc,
      subnetIds: args.dataSubnetIds,
      logsKeyArn: args.logsKeyArn,
      partition: args.partition,
      instanceClass: args.dbInstanceClass ?? "db.m7g.large",
      multiAz,
      backupRetentionDays: dbBackupDays,
      logRetentionDays: args.logRetentionDays ?? 365,
      protect,
      tags: { DataClassification: "PHI", ...inPlan },
    }).instance;

    const files = sharedFiles(this, name, {
      ...inVpc,
      subnetIds: args.appSubnetIds,
      partition: args.partition,
      accountId: args.accountId,
      protect,
      tags: { DataClassification: "PHI", ...inPlan },
    });
    this.fileSystem = files.fileSystem;
    this.accessPoint = files.accessPoint;

    const cache = valkeyCache(this, name, {
      ...inVpc,
      subnetIds: args.dataSubnetIds,
      nodeType: args.cacheNodeType ?? "cache.m7g.large",
      engine: args.cacheEngine ?? "valkey",
      highlyAvailable: multiAz,
      tags: { DataClassification: "PHI" },
    });
    this.cache = cache.replicationGroup;
    this.cacheUser = cache.appUser;

    this.uploadIndex = new aws.dynamodb.Table(
      `${name}-upload-index`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: "objectKey",
        attributes: [{ name: "objectKey", type: "S" }],
        serverSideEncryption: { enabled: true, kmsKeyArn: args.phiKeyArn },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
        tags: { Name: `${name}-upload-index`, DataClassification: "PHI", ...inPlan },
      },
      stateful,
    );

    this.vault = new aws.backup.Vault(
      name,
      { kmsKeyArn: args.backupsKeyArn, forceDestroy: false, tags: { Name: name } },
      stateful,
    );
    if (args.vaultLock ?? true) {
      // Compliance mode once the cooling-off days pass: then nobody, root included, can delete a
      // recovery point before its retention ends, which is what survives ransomware.
      new aws.backup.VaultLockConfiguration(
        name,
        {
          backupVaultName: this.vault.name,
          minRetentionDays: MIN_RETENTION_DAYS,
          maxRetentionDays: VAULT_LOCK_MAX_RETENTION_DAYS,
          changeableForDays: VAULT_LOCK_COOLING_OFF_DAYS,
        },
        { parent: this, protect },
      );
    }

    // In the primary, every recovery point is also copied to the other region's vault.
    const source =
      args.replication?.role === "source" ? pulumi.output(args.replication.target) : undefined;
    const rule = (
      ruleName: string,
      schedule: string,
      completionWindow: number,
      deleteAfter: number,
    ) => ({
      ruleName,
      targetVaultName: this.vault.name,
      schedule,
      startWindow: 60,
      completionWindow,
      lifecycle: { deleteAfter },
      recoveryPointTags: { Rule: ruleName },
      copyActions: source
        ? [{ destinationVaultArn: source.backupVaultArn, lifecycle: { deleteAfter } }]
        : undefined,
    });
    this.plan = new aws.backup.Plan(
      name,
      {
        // 03:00 UTC: night in Europe, evening on the US west coast, after clinic hours in both.
        rules: [
          rule("daily", "cron(0 3 * * ? *)", 360, daily),
          rule("monthly", "cron(0 4 1 * ? *)", 720, monthly),
        ],
        tags: { Name: name },
      },
      { parent: this },
    );

    // Tag-only selections back up only the resource types the region has opted in.
    this.backupSettings = backupRegionSettings(this, name);
    this.backupRole = taggedSelection(this, name, {
      partition: args.partition,
      planId: this.plan.id,
      tag: BACKUP_TAG,
      description: "AWS Backup: back up and restore the resources tagged Backup=daily",
    }).role;

    if (source) this.replicate(name, args, source);
    if (this.replicationTarget) {
      const vaultArn = this.vault.arn;
      this.replicationTarget = pulumi
        .all([this.replicationTarget, vaultArn])
        .apply(([target, backupVaultArn]) => ({ ...target, backupVaultArn }));
    }

    this.registerOutputs({
      databaseEndpoint: this.database.endpoint,
      fileSystemId: this.fileSystem.id,
      cacheEndpoint: this.cache.primaryEndpointAddress,
      documentBuckets: Object.fromEntries(DOCUMENT_BUCKETS.map((k) => [k, documents[k].bucket])),
      uploadIndexName: this.uploadIndex.name,
      uploadIndexArn: this.uploadIndex.arn,
      backupVaultName: this.vault.name,
      backupVaultArn: this.vault.arn,
      backupRoleArn: this.backupRole.arn,
      replicationTarget: this.replicationTarget,
    });
  }

  /** S3 replication of every document bucket to the target's replica, under the replica key. */
  private replicate(name: string, args: DataArgs, target: pulumi.Output<ReplicationTarget>): void {
    const child = { parent: this };
    const role = new aws.iam.Role(
      `${name}-replication`,
      {
        description: "S3 replication of the patient document buckets to the other region",
        assumeRolePolicy: serviceTrust("s3.amazonaws.com", args.accountId),
        tags: { Name: `${name}-replication` },
      },
      child,
    );
    const sources = DOCUMENT_BUCKETS.map((k) => this.documents[k].arn);
    new aws.iam.RolePolicy(
      `${name}-replication`,
      {
        role: role.id,
        policy: pulumi
          .all([pulumi.all(sources), pulumi.output(args.phiKeyArn), target])
          .apply(([arns, key, t]) =>
            JSON.stringify(
              replicationRolePolicy(
                arns,
                DOCUMENT_BUCKETS.map((k) => t.buckets[k]),
                key,
                t.keyArn,
              ),
            ),
          ),
      },
      child,
    );
    for (const kind of DOCUMENT_BUCKETS) {
      const bucket = this.documents[kind];
      new aws.s3.BucketReplicationConfig(
        `${name}-${kind}`,
        {
          bucket: bucket.bucket,
          role: role.arn,
          rules: [
            {
              id: "to-the-other-region",
              status: "Enabled",
              priority: 1,
              filter: {},
              deleteMarkerReplication: { status: "Enabled" },
              sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
              destination: {
                bucket: target.buckets[kind],
                storageClass: "STANDARD",
                encryptionConfiguration: { replicaKmsKeyId: target.keyArn },
              },
            },
          ],
        },
        // S3 refuses replication on a bucket whose versioning is not yet enabled.
        { ...child, dependsOn: [bucket.versioning] },
      );
    }
  }
}
