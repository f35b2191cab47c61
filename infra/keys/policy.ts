/**
 * Key policies for the platform's customer-managed KMS keys, as pure functions of the account,
 * partition and region. Administration is delegated to the account (its IAM policies decide who
 * may manage keys); use of key material is granted only to the AWS services that need each key,
 * so nobody can call kms:Decrypt on PHI directly (164.312(a)(1), 164.312(a)(2)(iv)).
 */
import { PolicyDocument, Statement, accountRoot, policyDocument } from "../iam";

export const KEY_PURPOSES = ["phi", "logs", "backups"] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

export interface KeyPolicyContext {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
}

/** What the logs key's policy needs beyond the account and region. */
export interface LogsKeyContext extends KeyPolicyContext {
  /**
   * The buckets of this region that keep audit logs under the logs key (the log archive, and AWS
   * Config's delivery bucket wherever that is): account principals may read their objects through
   * S3. Empty: nobody reads archived objects but CloudTrail's own (by their trail context).
   */
  readonly logArchiveBucketArns?: readonly string[];
}

/**
 * Managing a key, never using it, listed one by one: AWS's default key administrator statement
 * ("Default key policy", AWS KMS Developer Guide,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html) uses `kms:Create*`,
 * which includes `kms:CreateGrant`, so an administrator could grant itself kms:Decrypt. Grants are
 * created only by the statements that scope them (`grantStatements`, the Auto Scaling grant).
 * Encrypt, decrypt and data-key actions are absent on purpose. `kms:PutKeyPolicy` stays: without it
 * nobody could change the policy (the personas' permission boundary refuses it to them).
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CreateAlias",
  "kms:UpdateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:GetKeyPolicy",
  "kms:PutKeyPolicy",
  "kms:ListKeyPolicies",
  "kms:GetKeyRotationStatus",
  "kms:EnableKeyRotation",
  "kms:DisableKeyRotation",
  "kms:ListKeyRotations",
  "kms:RotateKeyOnDemand",
  "kms:EnableKey",
  "kms:DisableKey",
  "kms:UpdateKeyDescription",
  "kms:ListAliases",
  "kms:ListResourceTags",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ListGrants",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
] as const;

export const KEY_USE_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:DescribeKey",
] as const;

/** Grant bookkeeping: listing and revoking never widen access. */
const GRANT_ACTIONS = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"];

/** The services that store PHI with the PHI key, each through its regional endpoint. */
export const PHI_KEY_SERVICES = [
  "rds",
  "s3",
  "elasticfilesystem",
  "elasticache",
  "dynamodb",
  "secretsmanager",
  "ec2",
] as const;

/**
 * The IAM path of the roles that copy AWS Config's files into the log archive (infra/audit/config.ts):
 * the logs key lets roles on it, and no other principal, re-encrypt those files through S3.
 */
export const CONFIG_ROLE_PATH = "/ehealth-config/";

/**
 * The Auto Scaling service-linked roles (the default one and those with a custom suffix, as
 * infra/compute creates): the only grantees a person may create a grant for, so that the group can
 * launch instances with volumes encrypted under the PHI key ("Required AWS KMS key policy for use
 * with encrypted volumes", Amazon EC2 Auto Scaling User Guide,
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
 */
export const AUTOSCALING_ROLE_PATTERN =
  "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*";

/** What that grant may allow: the operations EBS needs for the group's encrypted volumes. */
export const AUTOSCALING_GRANT_OPERATIONS = [
  "Encrypt",
  "Decrypt",
  "ReEncryptFrom",
  "ReEncryptTo",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "DescribeKey",
  "CreateGrant",
] as const;

export const KEY_DESCRIPTIONS: Readonly<Record<KeyPurpose, string>> = {
  phi: "Protected health information at rest: RDS, S3, EFS, ElastiCache, DynamoDB, Secrets Manager, EBS",
  logs: "Audit and operational logs: CloudWatch Logs, CloudTrail, AWS Config, security alerts",
  backups: "AWS Backup vaults and recovery points, and RDS snapshots copied or restored into them",
};

const endpoints = (services: readonly string[], region: string) =>
  services.map((s) => `${s}.${region}.amazonaws.com`);

function viaServices(sid: string, services: readonly string[], ctx: KeyPolicyContext): Statement[] {
  const principal = { AWS: accountRoot(ctx.partition, ctx.accountId) };
  const via = endpoints(services, ctx.region);
  return [
    {
      Sid: `${sid}Use`,
      Effect: "Allow",
      Principal: principal,
      Action: [...KEY_USE_ACTIONS],
      Resource: "*",
      Condition: {
        StringEquals: { "kms:CallerAccount": ctx.accountId, "kms:ViaService": via },
      },
    },
    grantsThrough(`${sid}Grants`, via, ctx),
  ];
}

/**
 * Services attach grants to the resources they encrypt (an RDS instance, an EBS volume, a vault);
 * a grant asked for by anyone else, for anything else, is refused.
 */
function grantsThrough(sid: string, via: string[], ctx: KeyPolicyContext): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { AWS: accountRoot(ctx.partition, ctx.accountId) },
    Action: GRANT_ACTIONS,
    Resource: "*",
    Condition: {
      StringEquals: { "kms:CallerAccount": ctx.accountId, "kms:ViaService": via },
      Bool: { "kms:GrantIsForAWSResource": "true" },
    },
  };
}

function adminStatement(ctx: KeyPolicyContext): Statement {
  return {
    Sid: "KeyAdministrationByAccount",
    Effect: "Allow",
    Principal: { AWS: accountRoot(ctx.partition, ctx.accountId) },
    Action: [...KEY_ADMIN_ACTIONS],
    Resource: "*",
  };
}

/**
 * A key the account administers and only the named services use, on behalf of this account's
 * principals (the research enclaves' keys are such keys).
 */
export function serviceKeyPolicy(
  sid: string,
  services: readonly string[],
  ctx: KeyPolicyContext,
): PolicyDocument {
  return policyDocument([adminStatement(ctx), ...viaServices(sid, services, ctx)]);
}

/**
 * The grant infra/compute creates for the Auto Scaling service-linked role: a direct CreateGrant
 * (not through a service, so kms:GrantIsForAWSResource is false), allowed only for that grantee
 * and those operations.
 */
function autoScalingGrant(ctx: KeyPolicyContext): Statement {
  return {
    Sid: "AutoScalingRoleGrantForEncryptedVolumes",
    Effect: "Allow",
    Principal: { AWS: accountRoot(ctx.partition, ctx.accountId) },
    Action: "kms:CreateGrant",
    Resource: "*",
    Condition: {
      StringEquals: { "kms:CallerAccount": ctx.accountId },
      ArnLike: {
        "kms:GranteePrincipal": `arn:${ctx.partition}:iam::${ctx.accountId}:${AUTOSCALING_ROLE_PATTERN}`,
      },
      "ForAllValues:StringEquals": { "kms:GrantOperations": [...AUTOSCALING_GRANT_OPERATIONS] },
    },
  };
}

/**
 * RDS on the backups key. RDS is not fully managed by AWS Backup: a copy of a database recovery
 * point into this region's vault is an RDS snapshot copy that RDS encrypts with the destination
 * vault's key, and a restore from it is an RDS restore. RDS acts for the caller (the backup role)
 * and needs kms:CreateGrant and kms:DescribeKey through RDS ("AWS KMS key management", Amazon RDS
 * User Guide, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html;
 * "Creating backup copies across AWS Regions", AWS Backup Developer Guide,
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html: "AWS Backup will
 * re-encrypt your copy using the customer managed key of your destination vault"). RDS then uses
 * the key through its grant, which this policy does not need to name.
 */
function rdsSnapshotStatements(ctx: KeyPolicyContext): Statement[] {
  const via = endpoints(["rds"], ctx.region);
  return [
    {
      Sid: "RdsSnapshotCopiesDescribeKey",
      Effect: "Allow",
      Principal: { AWS: accountRoot(ctx.partition, ctx.accountId) },
      Action: "kms:DescribeKey",
      Resource: "*",
      Condition: { StringEquals: { "kms:CallerAccount": ctx.accountId, "kms:ViaService": via } },
    },
    {
      ...grantsThrough("RdsSnapshotCopiesGrants", via, ctx),
      Action: "kms:CreateGrant",
    },
  ];
}

/**
 * The key policy of one purpose. AWS Backup uses the backups key through its own endpoint for the
 * resources it fully manages (S3, EFS, DynamoDB with advanced backup: "Encryption for backups in
 * AWS Backup", https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html), RDS for
 * database snapshots copied or restored into the vault; nothing else uses it.
 */
export function keyPolicy(purpose: KeyPurpose, ctx: LogsKeyContext): PolicyDocument {
  switch (purpose) {
    case "phi":
      return policyDocument([
        adminStatement(ctx),
        ...viaServices("PhiServices", PHI_KEY_SERVICES, ctx),
        autoScalingGrant(ctx),
      ]);
    case "backups":
      return policyDocument([
        adminStatement(ctx),
        ...viaServices("AwsBackup", BACKUP_KEY_SERVICES, ctx),
        ...rdsSnapshotStatements(ctx),
      ]);
    case "logs":
      return policyDocument([adminStatement(ctx), ...logsStatements(ctx)]);
  }
}

/** The services that use the backups key with every use action (RDS uses grants only). */
export const BACKUP_KEY_SERVICES = ["backup"] as const;

/**
 * The SNS developer guide, "Enable compatibility between event sources from AWS services and
 * encrypted topics" (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services):
 * a publishing service needs kms:GenerateDataKey* and kms:Decrypt on the topic's key, and "Adding
 * the aws:SourceAccount, aws:SourceArn, and aws:SourceOrgID to a AWS KMS policy is not supported for
 * EventBridge-to-encrypted topics". CloudWatch alarms keep the account condition; EventBridge gets
 * none here, and the topic policy (infra/audit/alarms.ts) names the rules that may publish.
 */
const ALERT_KEY_ACTIONS = ["kms:GenerateDataKey*", "kms:Decrypt"];

function logsStatements(ctx: LogsKeyContext): Statement[] {
  const trailArn = `arn:${ctx.partition}:cloudtrail:*:${ctx.accountId}:trail/*`;
  const archives = ctx.logArchiveBucketArns ?? [];
  return [
    {
      // The encryption context pins the key to this account's log groups in this region.
      Sid: "CloudWatchLogsForThisAccount",
      Effect: "Allow",
      Principal: { Service: `logs.${ctx.region}.amazonaws.com` },
      Action: [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ],
      Resource: "*",
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:*`,
        },
      },
    },
    {
      Sid: "CloudTrailEncryptsThisAccountsTrails",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": ctx.accountId },
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": trailArn },
      },
    },
    {
      // The archive uses an S3 Bucket Key: CloudTrail then needs kms:Decrypt to create or update
      // the trail ("Granting decrypt permissions", CloudTrail User Guide,
      // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html),
      // for this account's trails only (aws:SourceAccount is supported there).
      Sid: "CloudTrailDecryptsForBucketKey",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
    },
    {
      Sid: "CloudTrailDescribesKey",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:DescribeKey",
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
    },
    {
      // AWS Config records with its service-linked role, which cannot use KMS: it delivers as its
      // service principal, for this account's channels of this region. "Permissions for the KMS
      // Key", AWS Config Developer Guide:
      // https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html
      Sid: "AwsConfigDeliversThroughS3",
      Effect: "Allow",
      Principal: { Service: "config.amazonaws.com" },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": ctx.accountId },
        ArnLike: {
          "aws:SourceArn": `arn:${ctx.partition}:config:${ctx.region}:${ctx.accountId}:*`,
        },
      },
    },
    {
      // S3 replication copies Config's files into the archive: it decrypts them and encrypts the
      // copies under this key ("Replicating objects created with server-side encryption", Amazon
      // S3 User Guide: https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html).
      Sid: "ConfigCopiesThroughS3",
      Effect: "Allow",
      Principal: { AWS: accountRoot(ctx.partition, ctx.accountId) },
      Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:CallerAccount": ctx.accountId,
          "kms:ViaService": `s3.${ctx.region}.amazonaws.com`,
        },
        ArnLike: {
          "aws:PrincipalArn": `arn:${ctx.partition}:iam::${ctx.accountId}:role${CONFIG_ROLE_PATH}*`,
        },
      },
    },
    {
      Sid: "CloudWatchAlarmsEncryptAlerts",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ALERT_KEY_ACTIONS,
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
    },
    {
      Sid: "EventBridgeEncryptsAlerts",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: ALERT_KEY_ACTIONS,
      Resource: "*",
    },
    {
      // Auditors in the account read trail logs; IAM decides which principals.
      Sid: "AccountReadsTrailLogs",
      Effect: "Allow",
      Principal: { AWS: accountRoot(ctx.partition, ctx.accountId) },
      Action: ["kms:Decrypt", "kms:ReEncryptFrom"],
      Resource: "*",
      Condition: {
        StringEquals: { "kms:CallerAccount": ctx.accountId },
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": trailArn },
      },
    },
    ...(archives.length > 0 ? [archiveReads(archives, ctx)] : []),
  ];
}

/**
 * Auditors in the account read what the log buckets hold besides CloudTrail's files (AWS Config's
 * snapshots and histories), through S3 in this region only, and only for those buckets: S3 asks KMS
 * with the encryption context `aws:s3:arn`, the bucket's ARN when the bucket uses an S3 Bucket Key
 * (as every bucket here does) and the object's ARN otherwise ("Reducing the cost of SSE-KMS with
 * Amazon S3 Bucket Keys", https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html, and
 * "Encryption context", https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
 * IAM decides which principals; docs/audit.md names them.
 */
function archiveReads(buckets: readonly string[], ctx: KeyPolicyContext): Statement {
  return {
    Sid: "AccountReadsArchivedLogsThroughS3",
    Effect: "Allow",
    Principal: { AWS: accountRoot(ctx.partition, ctx.accountId) },
    Action: "kms:Decrypt",
    Resource: "*",
    Condition: {
      StringEquals: {
        "kms:CallerAccount": ctx.accountId,
        "kms:ViaService": `s3.${ctx.region}.amazonaws.com`,
      },
      ArnLike: { "kms:EncryptionContext:aws:s3:arn": buckets.flatMap((b) => [b, `${b}/*`]) },
    },
  };
}
