/**
 * Who may use the platform's KMS keys, simulated against the key policies the stacks record: each
 * AWS service with the context it sends is allowed, the same call without it is not, and nobody
 * reaches PHI key material directly.
 *
 * Not modelled (iam-simulate evaluates policies only): grants (the Auto Scaling grant is judged by
 * the preflight's kms-ebs-autoscaling rule instead), the identity side of AWS-managed service roles,
 * and what a service does after KMS answers.
 */
import { ACCOUNT, ADMIN, Recorded, stack, table } from "./recorded";

const EU = "eu-west-1";
const caller = `arn:aws:iam::${ACCOUNT}:role/app-operator`;
const viaService = (service: string, region = EU) => ({
  "kms:ViaService": `${service}.${region}.amazonaws.com`,
  "kms:CallerAccount": ACCOUNT,
  "aws:PrincipalArn": caller,
});
const logGroup = `arn:aws:logs:${EU}:${ACCOUNT}:log-group:/ehealth/ehealth-ireland/app`;
const trail = `arn:aws:cloudtrail:${EU}:${ACCOUNT}:trail/ehealth-ireland-0433141`;

table(
  "access: the platform's KMS keys (ireland, as recorded)",
  async () => new Recorded(await stack("ireland")),
  [
    {
      says: "CloudWatch Logs encrypts for a log group of this account and region",
      expect: "Allowed",
      request: (s) => ({
        principal: `logs.${EU}.amazonaws.com`,
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-logs"),
        context: { "kms:EncryptionContext:aws:logs:arn": logGroup },
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "CloudWatch Logs without the log group's encryption context",
      expect: "Denied",
      request: (s) => ({
        principal: `logs.${EU}.amazonaws.com`,
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-logs"),
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "CloudWatch Logs of another region for this key's groups",
      expect: "Denied",
      request: (s) => ({
        principal: "logs.us-west-2.amazonaws.com",
        action: "kms:Decrypt",
        resource: s.keyArn("ehealth-ireland-logs"),
        context: {
          "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:/x`,
        },
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "CloudTrail encrypts this account's trail logs",
      expect: "Allowed",
      request: (s) => ({
        principal: "cloudtrail.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-logs"),
        context: {
          "aws:SourceAccount": ACCOUNT,
          "aws:SourceArn": trail,
          "kms:EncryptionContext:aws:cloudtrail:arn": trail,
        },
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "CloudTrail without the trail's encryption context",
      expect: "Denied",
      request: (s) => ({
        principal: "cloudtrail.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-logs"),
        context: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": trail },
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "CloudTrail encrypts another account's trail",
      expect: "Denied",
      request: (s) => {
        const theirs = `arn:aws:cloudtrail:${EU}:999999999999:trail/theirs`;
        return {
          principal: "cloudtrail.amazonaws.com",
          action: "kms:GenerateDataKey",
          resource: s.keyArn("ehealth-ireland-logs"),
          context: {
            "aws:SourceAccount": "999999999999",
            "aws:SourceArn": theirs,
            "kms:EncryptionContext:aws:cloudtrail:arn": theirs,
          },
          resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
        };
      },
    },
    {
      says: "a role of the account off the AWS Config path writes to the archive through S3 with the logs key",
      expect: "Denied",
      request: (s) => ({
        principal: caller,
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-logs"),
        context: {
          ...viaService("s3"),
          "kms:EncryptionContext:aws:s3:arn": s.bucket("ehealth-ireland-archive").arn,
        },
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "EventBridge encrypts with the PHI key",
      expect: "Denied",
      request: (s) => ({
        principal: "events.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-phi"),
        resourcePolicy: s.keyPolicy("ehealth-ireland-phi"),
      }),
    },
    {
      says: "the backups key through S3",
      expect: "Denied",
      request: (s) => ({
        principal: caller,
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-backups"),
        context: viaService("s3"),
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-backups"),
      }),
    },
    {
      says: "CloudWatch alarms encrypt alerts for the topic (aws:SourceAccount sent)",
      expect: "Allowed",
      request: (s) => ({
        principal: "cloudwatch.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-logs"),
        context: {
          "aws:SourceAccount": ACCOUNT,
          "aws:SourceArn": `arn:aws:cloudwatch:${EU}:${ACCOUNT}:alarm:root-usage`,
        },
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "CloudWatch alarms of another account",
      expect: "Denied",
      request: (s) => ({
        principal: "cloudwatch.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-logs"),
        context: { "aws:SourceAccount": "999999999999" },
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "a role on the AWS Config path (/ehealth-config/, the copy into the archive) encrypts through S3",
      expect: "Allowed",
      request: (s) => ({
        principal: `arn:aws:iam::${ACCOUNT}:role/ehealth-config/ehealth-ireland-config`,
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-logs"),
        context: {
          "kms:ViaService": `s3.${EU}.amazonaws.com`,
          "kms:CallerAccount": ACCOUNT,
          "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/ehealth-config/ehealth-ireland-config`,
        },
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "an account administrator decrypts the logs key directly",
      expect: "Denied",
      request: (s) => ({
        principal: caller,
        action: "kms:Decrypt",
        resource: s.keyArn("ehealth-ireland-logs"),
        context: { "kms:CallerAccount": ACCOUNT },
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "S3 uses the PHI key for a caller of the account",
      expect: "Allowed",
      request: (s) => ({
        principal: caller,
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-phi"),
        context: viaService("s3"),
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-phi"),
      }),
    },
    {
      says: "RDS uses the PHI key for a caller of the account",
      expect: "Allowed",
      request: (s) => ({
        principal: caller,
        action: "kms:Decrypt",
        resource: s.keyArn("ehealth-ireland-phi"),
        context: viaService("rds"),
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-phi"),
      }),
    },
    {
      says: "an account administrator decrypts with the PHI key outside any service",
      expect: "Denied",
      request: (s) => ({
        principal: caller,
        action: "kms:Decrypt",
        resource: s.keyArn("ehealth-ireland-phi"),
        context: { "kms:CallerAccount": ACCOUNT },
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-phi"),
      }),
    },
    {
      says: "the PHI key through a service it does not name (Lambda)",
      expect: "Denied",
      request: (s) => ({
        principal: caller,
        action: "kms:Decrypt",
        resource: s.keyArn("ehealth-ireland-phi"),
        context: viaService("lambda"),
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-phi"),
      }),
    },
    {
      says: "the PHI key through S3 in another region",
      expect: "Denied",
      request: (s) => ({
        principal: caller,
        action: "kms:Decrypt",
        resource: s.keyArn("ehealth-ireland-phi"),
        context: viaService("s3", "us-west-2"),
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-phi"),
      }),
    },
    {
      says: "an account administrator grants itself use of the PHI key (not for an AWS resource)",
      expect: "Denied",
      request: (s) => ({
        principal: caller,
        action: "kms:CreateGrant",
        resource: s.keyArn("ehealth-ireland-phi"),
        context: {
          "kms:CallerAccount": ACCOUNT,
          "kms:GrantIsForAWSResource": "false",
          "kms:GranteePrincipal": caller,
          "kms:GrantOperations": ["Decrypt"],
        },
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-phi"),
      }),
    },
    {
      says: "EventBridge encrypts GuardDuty findings for the alert topic (it sends no aws:SourceAccount)",
      expect: "Allowed",
      request: (s) => ({
        principal: "events.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-logs"),
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "an auditor of the account reads archived Config files through S3",
      expect: "Allowed",
      request: (s) => ({
        principal: caller,
        action: "kms:Decrypt",
        resource: s.keyArn("ehealth-ireland-logs"),
        context: {
          ...viaService("s3"),
          "kms:EncryptionContext:aws:s3:arn": s.bucket("ehealth-ireland-archive").arn,
        },
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-logs"),
      }),
    },
    {
      says: "AWS Backup uses the backups key for the account",
      expect: "Allowed",
      request: (s) => ({
        principal: caller,
        action: "kms:GenerateDataKey",
        resource: s.keyArn("ehealth-ireland-backups"),
        context: viaService("backup"),
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-backups"),
      }),
    },
    {
      says: "the backups key without AWS Backup",
      expect: "Denied",
      request: (s) => ({
        principal: caller,
        action: "kms:Decrypt",
        resource: s.keyArn("ehealth-ireland-backups"),
        context: { "kms:CallerAccount": ACCOUNT },
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-ireland-backups"),
      }),
    },
  ],
);

table(
  "access: the disaster-recovery region's backups key (oregon, as recorded)",
  async () => new Recorded(await stack("oregon")),
  [
    {
      says: "RDS creates a grant for a database recovery point copied from ireland",
      expect: "Allowed",
      request: (s) => ({
        principal: caller,
        action: "kms:CreateGrant",
        resource: s.keyArn("ehealth-oregon-backups"),
        context: { ...viaService("rds", "us-west-2"), "kms:GrantIsForAWSResource": "true" },
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-oregon-backups"),
      }),
    },
    {
      says: "RDS of another region on oregon's backups key",
      expect: "Denied",
      request: (s) => ({
        principal: caller,
        action: "kms:CreateGrant",
        resource: s.keyArn("ehealth-oregon-backups"),
        context: { ...viaService("rds", EU), "kms:GrantIsForAWSResource": "true" },
        identity: [ADMIN],
        resourcePolicy: s.keyPolicy("ehealth-oregon-backups"),
      }),
    },
  ],
);
