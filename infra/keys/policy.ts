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

/** Managing a key, never using it: encrypt, decrypt and data-key actions are absent on purpose. */
const KEY_ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
] as const;

export const KEY_USE_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:DescribeKey",
] as const;

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

/** Services that publish alarms and findings to the logs-key-encrypted alert topic. */
export const ALERT_PUBLISHERS = ["cloudwatch.amazonaws.com", "events.amazonaws.com"] as const;

export const KEY_DESCRIPTIONS: Readonly<Record<KeyPurpose, string>> = {
  phi: "Protected health information at rest: RDS, S3, EFS, ElastiCache, DynamoDB, Secrets Manager, EBS",
  logs: "Audit and operational logs: CloudWatch Logs, CloudTrail, AWS Config, security alerts",
  backups: "AWS Backup vaults and recovery points",
};

function viaServices(sid: string, services: readonly string[], ctx: KeyPolicyContext): Statement[] {
  const principal = { AWS: accountRoot(ctx.partition, ctx.accountId) };
  const via = services.map((s) => `${s}.${ctx.region}.amazonaws.com`);
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
    {
      // Services attach grants to the resources they encrypt (an RDS instance, an EBS volume);
      // grants for anything else are refused.
      Sid: `${sid}Grants`,
      Effect: "Allow",
      Principal: principal,
      Action: GRANT_ACTIONS,
      Resource: "*",
      Condition: {
        StringEquals: { "kms:CallerAccount": ctx.accountId, "kms:ViaService": via },
        Bool: { "kms:GrantIsForAWSResource": "true" },
      },
    },
  ];
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

/** The key policy of one purpose. */
export function keyPolicy(purpose: KeyPurpose, ctx: KeyPolicyContext): PolicyDocument {
  switch (purpose) {
    case "phi":
      return serviceKeyPolicy("PhiServices", PHI_KEY_SERVICES, ctx);
    case "backups":
      return serviceKeyPolicy("AwsBackup", ["backup"], ctx);
    case "logs":
      return policyDocument([adminStatement(ctx), ...logsStatements(ctx)]);
  }
}

function logsStatements(ctx: KeyPolicyContext): Statement[] {
  const trailArn = `arn:${ctx.partition}:cloudtrail:*:${ctx.accountId}:trail/*`;
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
      // Alarms and GuardDuty findings reach the encrypted alert topic (SNS encrypts with this key).
      Sid: "AlertPublishersEncrypt",
      Effect: "Allow",
      Principal: { Service: [...ALERT_PUBLISHERS] },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
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
  ];
}
