/**
 * The log archive and the account's CloudTrail trail. The archive is written once: Object Lock
 * keeps every version for the retention period (compliance mode in prod: no one can shorten it).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, policyDocument, serviceTrust } from "../iam";
import {
  SecureBucket,
  accessLogBucketPolicy,
  denyInsecureTransport,
  secureBucket,
} from "../data/buckets";

/** Where CloudTrail writes in the archive. */
export const TRAIL_PREFIX = "cloudtrail";

/** The archive's policy: TLS only; CloudTrail may write this account's logs under its prefix. */
export function archiveBucketPolicy(bucketArn: string, accountId: string): PolicyDocument {
  return policyDocument([
    denyInsecureTransport(bucketArn),
    {
      Sid: "CloudTrailChecksAcl",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: bucketArn,
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
    {
      Sid: "CloudTrailWrites",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucketArn}/${TRAIL_PREFIX}/AWSLogs/${accountId}/*`,
      Condition: {
        StringEquals: {
          "aws:SourceAccount": accountId,
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
      },
    },
  ]);
}

/**
 * Data events (reads and writes of objects) for every PHI bucket: with them, "who read this
 * patient's file" has an answer (164.312(b)).
 */
export function trailSelectors(phiBucketArns: readonly string[]) {
  return [
    {
      name: "Management events",
      fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }],
    },
    {
      name: "PHI object reads and writes",
      fieldSelectors: [
        { field: "eventCategory", equals: ["Data"] },
        { field: "resources.type", equals: ["AWS::S3::Object"] },
        { field: "resources.ARN", startsWiths: phiBucketArns.map((arn) => `${arn}/`) },
      ],
    },
  ];
}

export interface ArchiveArgs {
  readonly logsKeyArn: pulumi.Input<string>;
  readonly accountId: string;
  readonly partition: string;
  readonly retentionDays: number;
  readonly lockMode: "COMPLIANCE" | "GOVERNANCE";
  readonly protect: boolean;
}

export interface LogArchive {
  readonly archive: SecureBucket;
  /** The SSE-S3 bucket the archive (and the Config bucket) log their server access to. */
  readonly accessLogs: SecureBucket;
}

/**
 * Objects move to Glacier Instant Retrieval after 90 days: unlike Glacier Flexible Retrieval it
 * needs no restore, so Athena queries and `aws cloudtrail validate-logs` keep working on every
 * file for the whole retention (docs/audit.md explains the choice).
 */
export const ARCHIVE_COLD_AFTER_DAYS = 90;

export function logArchive(parent: pulumi.Resource, name: string, args: ArchiveArgs): LogArchive {
  const accessLogs = secureBucket(parent, `${name}-archive-access-logs`, {
    policy: (arn) => JSON.stringify(accessLogBucketPolicy(arn, args.accountId, args.partition)),
    tags: { Purpose: "archive-access-logs" },
    protect: args.protect,
  });
  const archive = secureBucket(parent, `${name}-archive`, {
    kmsKeyArn: args.logsKeyArn,
    accessLogBucket: accessLogs,
    policy: (arn) => JSON.stringify(archiveBucketPolicy(arn, args.accountId)),
    tags: { Purpose: "log-archive" },
    protect: args.protect,
    objectLock: { mode: args.lockMode, days: args.retentionDays },
    coldAfterDays: ARCHIVE_COLD_AFTER_DAYS,
  });
  return { archive, accessLogs };
}

export interface TrailArgs {
  readonly archive: SecureBucket;
  readonly logsKeyArn: pulumi.Input<string>;
  readonly accountId: string;
  readonly logRetentionDays: number;
  readonly phiBucketArns: pulumi.Input<string[]>;
  readonly protect: boolean;
}

export interface AccountTrail {
  readonly trail: aws.cloudtrail.Trail;
  /** Where the CIS metric filters read the trail's events. */
  readonly logGroup: aws.cloudwatch.LogGroup;
}

/** The multi-region trail, to the archive and to CloudWatch Logs (where the alarms read it). */
export function accountTrail(parent: pulumi.Resource, name: string, args: TrailArgs): AccountTrail {
  const child = { parent };
  const group = new aws.cloudwatch.LogGroup(
    `${name}-trail`,
    {
      name: `/ehealth/${name}/cloudtrail`,
      kmsKeyId: args.logsKeyArn,
      retentionInDays: args.logRetentionDays,
      tags: { Name: `${name}-trail` },
    },
    { parent, protect: args.protect, retainOnDelete: args.protect },
  );
  const role = new aws.iam.Role(
    `${name}-trail`,
    {
      description: "CloudTrail delivery to its log group",
      assumeRolePolicy: serviceTrust("cloudtrail.amazonaws.com", args.accountId),
      tags: { Name: `${name}-trail` },
    },
    child,
  );
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-trail`,
    {
      role: role.id,
      policy: group.arn.apply((arn) =>
        JSON.stringify(
          policyDocument([
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: `${arn}:*`,
            },
          ]),
        ),
      ),
    },
    child,
  );
  const trail = new aws.cloudtrail.Trail(
    name,
    {
      s3BucketName: args.archive.bucket,
      s3KeyPrefix: TRAIL_PREFIX,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: args.logsKeyArn,
      cloudWatchLogsGroupArn: pulumi.interpolate`${group.arn}:*`,
      cloudWatchLogsRoleArn: role.arn,
      advancedEventSelectors: pulumi.output(args.phiBucketArns).apply(trailSelectors),
      tags: { Name: name },
    },
    // CloudTrail checks the bucket policy and the role when the trail is created, and refuses the
    // trail (InsufficientS3BucketPolicyException, InvalidCloudWatchLogsRoleArnException) if either
    // is not there yet: "CreateTrail", AWS CloudTrail API Reference,
    // https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
    { ...child, dependsOn: [args.archive.bucketPolicy, rolePolicy] },
  );
  return { trail, logGroup: group };
}
