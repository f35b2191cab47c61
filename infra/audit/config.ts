/**
 * AWS Config in a region: the recorder, its delivery to the log archive, and the managed rules that
 * check at runtime what the policy pack checks before a change (164.308(a)(1)(ii)(D), 164.312(b)).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, policyDocument, serviceTrust } from "../iam";
import { CONFIG_ROLE_PATH } from "../keys/policy";

/** Where AWS Config writes in the archive. */
export const CONFIG_PREFIX = "config";

export interface ConfigRule {
  /** The rule's name in AWS's HIPAA conformance pack. */
  readonly name: string;
  /** The managed rule's source identifier (not always the name in upper case). */
  readonly identifier: string;
  readonly parameters?: Readonly<Record<string, string>>;
  /** Evaluates account-wide settings or global resources: deployed by the primary only. */
  readonly global?: boolean;
}

/**
 * The managed rules deployed in every region (names from AWS Config's HIPAA conformance pack):
 * encryption, public access, SSH, flow logs, the trail, backups and MFA.
 */
export const CONFIG_RULES: readonly ConfigRule[] = [
  { name: "encrypted-volumes", identifier: "ENCRYPTED_VOLUMES" },
  { name: "ec2-ebs-encryption-by-default", identifier: "EC2_EBS_ENCRYPTION_BY_DEFAULT" },
  { name: "rds-storage-encrypted", identifier: "RDS_STORAGE_ENCRYPTED" },
  { name: "efs-encrypted-check", identifier: "EFS_ENCRYPTED_CHECK" },
  {
    name: "s3-bucket-server-side-encryption-enabled",
    identifier: "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
  },
  { name: "s3-bucket-ssl-requests-only", identifier: "S3_BUCKET_SSL_REQUESTS_ONLY" },
  {
    name: "s3-bucket-level-public-access-prohibited",
    identifier: "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
  },
  { name: "rds-instance-public-access-check", identifier: "RDS_INSTANCE_PUBLIC_ACCESS_CHECK" },
  { name: "restricted-ssh", identifier: "INCOMING_SSH_DISABLED" },
  { name: "vpc-flow-logs-enabled", identifier: "VPC_FLOW_LOGS_ENABLED" },
  { name: "vpc-default-security-group-closed", identifier: "VPC_DEFAULT_SECURITY_GROUP_CLOSED" },
  { name: "ec2-imdsv2-check", identifier: "EC2_IMDSV2_CHECK" },
  // Patching is a runtime fact no preview can see: Systems Manager reports it, these rules judge it.
  {
    name: "ec2-instance-managed-by-systems-manager",
    identifier: "EC2_INSTANCE_MANAGED_BY_SSM",
  },
  {
    name: "ec2-managedinstance-patch-compliance-status-check",
    identifier: "EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK",
  },
  { name: "db-instance-backup-enabled", identifier: "DB_INSTANCE_BACKUP_ENABLED" },
  { name: "dynamodb-pitr-enabled", identifier: "DYNAMODB_PITR_ENABLED" },
  { name: "backup-recovery-point-encrypted", identifier: "BACKUP_RECOVERY_POINT_ENCRYPTED" },
  { name: "sns-encrypted-kms", identifier: "SNS_ENCRYPTED_KMS" },
  { name: "guardduty-enabled-centralized", identifier: "GUARDDUTY_ENABLED_CENTRALIZED" },
  { name: "securityhub-enabled", identifier: "SECURITYHUB_ENABLED" },
  { name: "cloudtrail-enabled", identifier: "CLOUD_TRAIL_ENABLED", global: true },
  {
    name: "multi-region-cloudtrail-enabled",
    identifier: "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    global: true,
  },
  {
    name: "cloud-trail-log-file-validation-enabled",
    identifier: "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    global: true,
  },
  {
    name: "cloud-trail-encryption-enabled",
    identifier: "CLOUD_TRAIL_ENCRYPTION_ENABLED",
    global: true,
  },
  { name: "root-account-mfa-enabled", identifier: "ROOT_ACCOUNT_MFA_ENABLED", global: true },
  {
    name: "mfa-enabled-for-iam-console-access",
    identifier: "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
    global: true,
  },
  { name: "iam-user-mfa-enabled", identifier: "IAM_USER_MFA_ENABLED", global: true },
  {
    name: "iam-password-policy",
    identifier: "IAM_PASSWORD_POLICY",
    global: true,
    parameters: {
      RequireUppercaseCharacters: "true",
      RequireLowercaseCharacters: "true",
      RequireSymbols: "true",
      RequireNumbers: "true",
      MinimumPasswordLength: "14",
      PasswordReusePrevention: "24",
      MaxPasswordAge: "90",
    },
  },
];

/** The delivery role's own rights: write snapshots under the archive's Config prefix. */
export function configDeliveryPolicy(
  archiveArn: string,
  accountId: string,
  logsKeyArn: string,
): PolicyDocument {
  return policyDocument([
    { Sid: "CheckArchiveAcl", Effect: "Allow", Action: "s3:GetBucketAcl", Resource: archiveArn },
    {
      Sid: "WriteSnapshots",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: `${archiveArn}/${CONFIG_PREFIX}/AWSLogs/${accountId}/Config/*`,
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } },
    },
    {
      Sid: "EncryptSnapshots",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: logsKeyArn,
    },
  ]);
}

export interface RecorderArgs {
  readonly partition: string;
  readonly accountId: string;
  readonly archive: aws.s3.Bucket;
  readonly logsKeyArn: pulumi.Input<string>;
  /** Record IAM and other global resources, and deploy the global rules (the primary). */
  readonly primary: boolean;
}

export interface ConfigRecording {
  readonly recorder: aws.cfg.Recorder;
  readonly rules: aws.cfg.Rule[];
}

/**
 * A regular IAM role per region, on CONFIG_ROLE_PATH: the service-linked role is account-wide, so
 * the secondary (deployed first) would depend on the primary for it.
 */
export function configRecording(
  parent: pulumi.Resource,
  name: string,
  args: RecorderArgs,
): ConfigRecording {
  const child = { parent };
  const role = new aws.iam.Role(
    `${name}-config`,
    {
      name: `${name}-config`,
      path: CONFIG_ROLE_PATH,
      description: "AWS Config: read resource configurations, deliver them to the archive",
      assumeRolePolicy: serviceTrust("config.amazonaws.com", args.accountId),
      managedPolicyArns: [`arn:${args.partition}:iam::aws:policy/service-role/AWS_ConfigRole`],
      tags: { Name: `${name}-config` },
    },
    child,
  );
  const delivery = new aws.iam.RolePolicy(
    `${name}-config-delivery`,
    {
      role: role.id,
      policy: pulumi
        .all([args.archive.arn, args.logsKeyArn])
        .apply(([arn, key]) => JSON.stringify(configDeliveryPolicy(arn, args.accountId, key))),
    },
    child,
  );
  const recorder = new aws.cfg.Recorder(
    name,
    {
      name,
      roleArn: role.arn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: args.primary },
    },
    child,
  );
  const channel = new aws.cfg.DeliveryChannel(
    name,
    {
      name,
      s3BucketName: args.archive.bucket,
      s3KeyPrefix: CONFIG_PREFIX,
      s3KmsKeyArn: args.logsKeyArn,
      snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
    },
    { ...child, dependsOn: [recorder, delivery] },
  );
  const status = new aws.cfg.RecorderStatus(
    name,
    { name: recorder.name, isEnabled: true },
    { ...child, dependsOn: [channel] },
  );
  const rules = CONFIG_RULES.filter((r) => args.primary || !r.global).map(
    (rule) =>
      new aws.cfg.Rule(
        `${name}-${rule.name}`,
        {
          name: `${name}-${rule.name}`,
          source: { owner: "AWS", sourceIdentifier: rule.identifier },
          ...(rule.parameters ? { inputParameters: JSON.stringify(rule.parameters) } : {}),
          tags: { Name: `${name}-${rule.name}` },
        },
        { ...child, dependsOn: [status] },
      ),
  );
  return { recorder, rules };
}
