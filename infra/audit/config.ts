/**
 * AWS Config in a region: the recorder under AWS Config's service-linked role, its delivery to a
 * bucket of its own, copied write-once into the log archive, and the managed rules that check at
 * runtime what the policy pack checks before a change (164.308(a)(1)(ii)(D), 164.312(b)).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, policyDocument, serviceTrust } from "../iam";
import { CONFIG_ROLE_PATH } from "../keys/policy";
import { SecureBucket, denyInsecureTransport, secureBucket } from "../data/buckets";

/** Where AWS Config writes in its bucket, and where the copies land in the archive. */
export const CONFIG_PREFIX = "config";

/**
 * AWS Config's service-linked role: one per account, named by AWS. Security Hub's control Config.1
 * (critical) fails unless the recorder uses it ("Security Hub controls for AWS Config", Config.1:
 * https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html#config-1).
 */
export const CONFIG_SERVICE_LINKED_ROLE = "AWSServiceRoleForConfig";

/** The service-linked role's ARN, fixed by AWS, so a stack that does not create it can name it. */
export function configServiceLinkedRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/config.amazonaws.com/${CONFIG_SERVICE_LINKED_ROLE}`;
}

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

/**
 * The Config bucket's policy: TLS only, and AWS Config (as its service principal: the service-linked
 * role cannot write to S3) may check the bucket and write this account's files under its prefix, on
 * behalf of this region's delivery channel only. "Permissions for the Amazon S3 Bucket for the AWS
 * Config Delivery Channel", AWS Config Developer Guide:
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
 */
export function configBucketPolicy(
  bucketArn: string,
  accountId: string,
  partition: string,
  region: string,
): PolicyDocument {
  const onBehalfOfThisChannel = {
    StringEquals: { "aws:SourceAccount": accountId },
    ArnLike: { "aws:SourceArn": `arn:${partition}:config:${region}:${accountId}:*` },
  };
  return policyDocument([
    denyInsecureTransport(bucketArn),
    {
      Sid: "AWSConfigBucketPermissionsCheck",
      Effect: "Allow",
      Principal: { Service: "config.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: bucketArn,
      Condition: onBehalfOfThisChannel,
    },
    {
      Sid: "AWSConfigBucketExistenceCheck",
      Effect: "Allow",
      Principal: { Service: "config.amazonaws.com" },
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: onBehalfOfThisChannel,
    },
    {
      Sid: "AWSConfigBucketDelivery",
      Effect: "Allow",
      Principal: { Service: "config.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucketArn}/${CONFIG_PREFIX}/AWSLogs/${accountId}/Config/*`,
      Condition: {
        ...onBehalfOfThisChannel,
        StringEquals: {
          ...onBehalfOfThisChannel.StringEquals,
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
      },
    },
  ]);
}

/**
 * The rights of the role S3 replication assumes to copy Config's files into the archive: read the
 * source versions (with their Object Lock state, which replication into a locked bucket requires),
 * write replicas under the archive's Config prefix, decrypt and re-encrypt under the logs key.
 * "Using S3 Object Lock with replication" and "Replicating objects created with server-side
 * encryption (SSE-KMS)", Amazon S3 User Guide:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html#object-lock-managing-replication
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
 */
export function configReplicationPolicy(
  configBucketArn: string,
  archiveArn: string,
  logsKeyArn: string,
): PolicyDocument {
  return policyDocument([
    {
      Sid: "ReadReplicationConfiguration",
      Effect: "Allow",
      Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      Resource: configBucketArn,
    },
    {
      Sid: "ReadConfigFiles",
      Effect: "Allow",
      Action: [
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionTagging",
        "s3:GetObjectRetention",
        "s3:GetObjectLegalHold",
      ],
      Resource: `${configBucketArn}/${CONFIG_PREFIX}/*`,
    },
    {
      Sid: "WriteArchiveCopies",
      Effect: "Allow",
      Action: ["s3:ReplicateObject", "s3:ReplicateTags"],
      Resource: `${archiveArn}/${CONFIG_PREFIX}/*`,
    },
    {
      Sid: "DecryptAndReencrypt",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      Resource: logsKeyArn,
    },
  ]);
}

export interface RecorderArgs {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  /** The write-once archive the Config files are copied into. */
  readonly archive: SecureBucket;
  /** Where the Config bucket's server access logs go (the archive's access-log bucket). */
  readonly accessLogBucket: aws.s3.Bucket;
  readonly logsKeyArn: pulumi.Input<string>;
  /** Record IAM and other global resources, and deploy the global rules (the primary). */
  readonly primary: boolean;
  /**
   * Create the recorder, its bucket and delivery here; false when the organization runs AWS Config
   * in this account and region (the rules are still created: they evaluate with its recorder).
   */
  readonly createRecorder: boolean;
  /**
   * Create AWS Config's service-linked role (account-wide): in the stack deployed first, which is
   * the secondary, since both regions' recorders need it.
   */
  readonly createServiceLinkedRole: boolean;
  /** Protect and retain the Config bucket. */
  readonly protect: boolean;
}

export interface ConfigRecording {
  readonly recorder?: aws.cfg.Recorder;
  /** AWS Config's own bucket (no Object Lock: AWS Config cannot deliver to a locked bucket). */
  readonly bucket?: SecureBucket;
  readonly serviceLinkedRole?: aws.iam.ServiceLinkedRole;
  readonly rules: aws.cfg.Rule[];
}

/**
 * AWS Config's own bucket (no Object Lock), and the S3 replication that copies every file it
 * receives into the locked archive.
 */
function configBucket(
  parent: pulumi.Resource,
  name: string,
  args: RecorderArgs,
): { readonly bucket: SecureBucket; readonly replication: aws.s3.BucketReplicationConfig } {
  const child = { parent };
  const bucket = secureBucket(parent, `${name}-config`, {
    kmsKeyArn: args.logsKeyArn,
    accessLogBucket: args.accessLogBucket,
    policy: (arn) =>
      JSON.stringify(configBucketPolicy(arn, args.accountId, args.partition, args.region)),
    tags: { Purpose: "config-delivery" },
    protect: args.protect,
  });
  const replicationRole = new aws.iam.Role(
    `${name}-config-replication`,
    {
      name: `${name}-config-replication`,
      path: CONFIG_ROLE_PATH,
      description: "S3 replication: copy AWS Config's files into the write-once log archive",
      assumeRolePolicy: serviceTrust("s3.amazonaws.com", args.accountId),
      tags: { Name: `${name}-config-replication` },
    },
    child,
  );
  const replicationPolicy = new aws.iam.RolePolicy(
    `${name}-config-replication`,
    {
      role: replicationRole.id,
      policy: pulumi
        .all([bucket.arn, args.archive.arn, args.logsKeyArn])
        .apply(([source, archive, key]) =>
          JSON.stringify(configReplicationPolicy(source, archive, key)),
        ),
    },
    child,
  );
  const replication = new aws.s3.BucketReplicationConfig(
    `${name}-config`,
    {
      bucket: bucket.bucket,
      role: replicationRole.arn,
      rules: [
        {
          id: "into-the-archive",
          status: "Enabled",
          priority: 1,
          filter: { prefix: `${CONFIG_PREFIX}/` },
          // Deleting a working copy must never reach the write-once archive.
          deleteMarkerReplication: { status: "Disabled" },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
          destination: {
            bucket: args.archive.arn,
            storageClass: "STANDARD",
            encryptionConfiguration: { replicaKmsKeyId: args.logsKeyArn },
          },
        },
      ],
    },
    // S3 refuses replication before versioning is enabled on both buckets; and no copy may land
    // in the archive before its default retention is there to lock it.
    {
      ...child,
      dependsOn: [
        bucket.versioning,
        args.archive.versioning,
        ...(args.archive.objectLockConfiguration ? [args.archive.objectLockConfiguration] : []),
        replicationPolicy,
      ],
    },
  );
  return { bucket, replication };
}

/**
 * AWS Config does not deliver to a bucket with Object Lock default retention ("Managing the
 * Delivery Channel", AWS Config Developer Guide:
 * https://docs.aws.amazon.com/config/latest/developerguide/manage-delivery-channel.html), so it
 * delivers to a bucket of its own, and S3 replication copies every file into the locked archive,
 * where the archive's default retention applies to the copies ("What does Amazon S3 replicate?",
 * Amazon S3 User Guide: https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-what-is-isnot-replicated.html).
 */
export function configRecording(
  parent: pulumi.Resource,
  name: string,
  args: RecorderArgs,
): ConfigRecording {
  const child = { parent };
  const specs = CONFIG_RULES.filter((r) => args.primary || !r.global);
  const rule = (spec: ConfigRule, opts: pulumi.CustomResourceOptions) =>
    new aws.cfg.Rule(
      `${name}-${spec.name}`,
      {
        name: `${name}-${spec.name}`,
        source: { owner: "AWS", sourceIdentifier: spec.identifier },
        ...(spec.parameters ? { inputParameters: JSON.stringify(spec.parameters) } : {}),
        tags: { Name: `${name}-${spec.name}` },
      },
      opts,
    );
  if (!args.createRecorder) {
    // The organization's recorder must already exist here: PutConfigRule fails with
    // NoAvailableConfigurationRecorderException without one (AWS Config API Reference, PutConfigRule:
    // https://docs.aws.amazon.com/config/latest/APIReference/API_PutConfigRule.html).
    return { rules: specs.map((r) => rule(r, child)) };
  }

  const serviceLinkedRole = args.createServiceLinkedRole
    ? new aws.iam.ServiceLinkedRole(
        `${name}-config`,
        {
          awsServiceName: "config.amazonaws.com",
          description: "AWS Config: record resource configurations (both regions of ehealth)",
        },
        // Account-wide and used by the other stack's recorder too: destroying this stack leaves it.
        { parent, retainOnDelete: true },
      )
    : undefined;

  const { bucket, replication } = configBucket(parent, name, args);
  const recorder = new aws.cfg.Recorder(
    name,
    {
      name,
      roleArn: configServiceLinkedRoleArn(args.partition, args.accountId),
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: args.primary },
    },
    { ...child, dependsOn: serviceLinkedRole ? [serviceLinkedRole] : [] },
  );
  const channel = new aws.cfg.DeliveryChannel(
    name,
    {
      name,
      s3BucketName: bucket.bucket,
      s3KeyPrefix: CONFIG_PREFIX,
      s3KmsKeyArn: args.logsKeyArn,
      snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
    },
    // AWS Config checks the bucket's policy when the channel is created.
    { ...child, dependsOn: [recorder, bucket.bucketPolicy] },
  );
  // Recording starts once the copy into the archive is in place: S3 replicates only objects
  // written after the replication configuration exists ("What does Amazon S3 replicate?", Amazon
  // S3 User Guide: "Objects created after you add a replication configuration"), so a file
  // delivered before it would never reach the locked archive.
  const status = new aws.cfg.RecorderStatus(
    name,
    { name: recorder.name, isEnabled: true },
    { ...child, dependsOn: [channel, replication] },
  );
  return {
    recorder,
    bucket,
    serviceLinkedRole,
    rules: specs.map((r) => rule(r, { ...child, dependsOn: [status] })),
  };
}
