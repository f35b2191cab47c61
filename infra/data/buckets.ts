/**
 * S3 buckets as this platform builds them: since @pulumi/aws 7 each setting is its own resource,
 * so a bucket is a small family. Bucket policies are pure functions, tested on their own.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, Statement, policyDocument } from "../iam";

/**
 * Where `coldAfterDays` moves current versions: Glacier Instant Retrieval is not an archive class
 * (no restore, millisecond reads), so Athena and `aws cloudtrail validate-logs` still read what
 * moved there; Glacier Flexible Retrieval would need a restore first. "Working with archived
 * objects", Amazon S3 User Guide:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/archived-objects.html
 */
export const COLD_STORAGE_CLASS = "GLACIER_IR";
/**
 * Objects under 128 KB never transition (S3's default for new lifecycle configurations, stated
 * here so it cannot change under us): small log files stay in Standard, where they cost least.
 * "PutBucketLifecycleConfiguration" (TransitionDefaultMinimumObjectSize), Amazon S3 API Reference:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html
 */
export const TRANSITION_MINIMUM_OBJECT_SIZE = "all_storage_classes_128K";

/** Noncurrent versions move to Glacier after this many days... */
export const NONCURRENT_TO_GLACIER_DAYS = 30;
/** ...and are deleted after six years, HIPAA's documentation retention (164.316(b)(2)(i)). */
export const NONCURRENT_EXPIRY_DAYS = 2190;

/** Refuses every request to the bucket and its objects that does not come over TLS. */
export function denyInsecureTransport(bucketArn: string): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * The policy of a bucket of patient documents: nothing over plain HTTP, and no upload that asks
 * for another encryption or another key than the bucket's (uploads that ask for nothing get the
 * bucket's default, which is that key).
 */
export function documentBucketPolicy(bucketArn: string, kmsKeyArn: string): PolicyDocument {
  return policyDocument([
    denyInsecureTransport(bucketArn),
    {
      Sid: "DenyOtherEncryption",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: `${bucketArn}/*`,
      // Only an upload that names an encryption denies: "...IfExists" would also be true when the
      // header is absent, refusing every upload that relies on the bucket's default ("IAM JSON
      // policy elements: Condition operators", IAM User Guide: ...IfExists is true for a missing
      // key; the Null operator tests presence).
      Condition: {
        StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
        Null: { "s3:x-amz-server-side-encryption": "false" },
      },
    },
    {
      Sid: "DenyOtherKey",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: `${bucketArn}/*`,
      Condition: {
        StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyArn },
        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
      },
    },
  ]);
}

/** The access-log bucket admits S3's log delivery for this account's buckets, and only over TLS. */
export function accessLogBucketPolicy(
  bucketArn: string,
  accountId: string,
  partition: string,
): PolicyDocument {
  return policyDocument([
    denyInsecureTransport(bucketArn),
    {
      Sid: "S3ServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucketArn}/*`,
      Condition: {
        StringEquals: { "aws:SourceAccount": accountId },
        ArnLike: { "aws:SourceArn": `arn:${partition}:s3:::*` },
      },
    },
  ]);
}

export interface BucketOptions {
  /** SSE-KMS with this key; without it SSE-S3 (only for log-delivery targets). */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Where server access logs go; absent for the log bucket itself. */
  readonly accessLogBucket?: aws.s3.Bucket;
  /** The bucket policy, from the bucket's ARN. */
  readonly policy: (bucketArn: string) => pulumi.Input<string>;
  readonly tags: Record<string, string>;
  /** Protect and retain the bucket. */
  readonly protect: boolean;
  /** Leave the bucket in AWS when it leaves the program. @default protect */
  readonly retainOnDelete?: boolean;
  /** Write-once retention of every object version (S3 Object Lock). @default none */
  readonly objectLock?: { readonly mode: "COMPLIANCE" | "GOVERNANCE"; readonly days: number };
  /**
   * A bucket read in place for years (the log archive): current versions move to
   * COLD_STORAGE_CLASS after this many days, and noncurrent versions go there too rather than to
   * Glacier Flexible Retrieval, so no version ever needs a restore. @default never
   */
  readonly coldAfterDays?: number;
}

/**
 * A bucket, with the versioning that replication must wait for and the policy that services
 * writing into it must wait for (CloudTrail refuses a trail whose bucket policy is not yet there).
 */
export type SecureBucket = aws.s3.Bucket & {
  readonly versioning: aws.s3.BucketVersioning;
  /** Named so as not to shadow the Bucket's own (deprecated) `policy` output. */
  readonly bucketPolicy: aws.s3.BucketPolicy;
  /** The default retention, with `objectLock`: whatever writes locked copies waits for it. */
  readonly objectLockConfiguration?: aws.s3.BucketObjectLockConfiguration;
};

/** The role S3 replication assumes: read the source versions, write replicas under the replica key. */
export function replicationRolePolicy(
  sourceBucketArns: readonly string[],
  replicaBucketArns: readonly string[],
  sourceKeyArn: string,
  replicaKeyArn: string,
): PolicyDocument {
  return policyDocument([
    {
      Sid: "ReadReplicationConfiguration",
      Effect: "Allow",
      Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      Resource: [...sourceBucketArns],
    },
    {
      Sid: "ReadSourceVersions",
      Effect: "Allow",
      Action: [
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionTagging",
      ],
      Resource: sourceBucketArns.map((a) => `${a}/*`),
    },
    {
      Sid: "WriteReplicas",
      Effect: "Allow",
      Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
      Resource: replicaBucketArns.map((a) => `${a}/*`),
    },
    { Sid: "DecryptSource", Effect: "Allow", Action: "kms:Decrypt", Resource: sourceKeyArn },
    {
      Sid: "EncryptReplicas",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: replicaKeyArn,
    },
  ]);
}

/**
 * A private, versioned, encrypted bucket with owner-enforced objects, a lifecycle for noncurrent
 * versions, a policy, and server access logs (unless it is the log target).
 */
export function secureBucket(
  parent: pulumi.Resource,
  name: string,
  options: BucketOptions,
): SecureBucket {
  const retainOnDelete = options.retainOnDelete ?? options.protect;
  // A bucket that stays in AWS keeps what protects it: its policy, public access block,
  // ownership, encryption, versioning, lifecycle, logging and lock stay with it.
  const child = { parent, retainOnDelete };
  const bucket = new aws.s3.Bucket(
    name,
    {
      forceDestroy: false,
      objectLockEnabled: options.objectLock ? true : undefined,
      tags: { Name: name, ...options.tags },
    },
    { parent, protect: options.protect, retainOnDelete },
  );
  const id = bucket.bucket;
  new aws.s3.BucketPublicAccessBlock(
    name,
    {
      bucket: id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    child,
  );
  new aws.s3.BucketOwnershipControls(
    name,
    { bucket: id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    child,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    {
      bucket: id,
      rules: [
        options.kmsKeyArn
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: options.kmsKeyArn,
              },
              // One data key per bucket rather than per object: fewer KMS calls, same protection.
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    },
    child,
  );
  const versioning = new aws.s3.BucketVersioning(
    name,
    { bucket: id, versioningConfiguration: { status: "Enabled" } },
    child,
  );
  new aws.s3.BucketLifecycleConfiguration(
    name,
    {
      bucket: id,
      ...(options.coldAfterDays
        ? { transitionDefaultMinimumObjectSize: TRANSITION_MINIMUM_OBJECT_SIZE }
        : {}),
      rules: [
        {
          id: "noncurrent-versions",
          status: "Enabled",
          filter: {},
          ...(options.coldAfterDays
            ? { transitions: [{ days: options.coldAfterDays, storageClass: COLD_STORAGE_CLASS }] }
            : {}),
          noncurrentVersionTransitions: [
            {
              noncurrentDays: NONCURRENT_TO_GLACIER_DAYS,
              storageClass: options.coldAfterDays ? COLD_STORAGE_CLASS : "GLACIER",
            },
          ],
          noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_EXPIRY_DAYS },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    },
    child,
  );
  const policy = bucket.arn.apply((arn) => pulumi.output(options.policy(arn)));
  const bucketPolicy = new aws.s3.BucketPolicy(name, { bucket: id, policy }, child);
  if (options.accessLogBucket) {
    new aws.s3.BucketLogging(
      name,
      {
        bucket: id,
        targetBucket: options.accessLogBucket.bucket,
        targetPrefix: pulumi.interpolate`${id}/`,
      },
      child,
    );
  }
  let objectLockConfiguration: aws.s3.BucketObjectLockConfiguration | undefined;
  if (options.objectLock) {
    objectLockConfiguration = new aws.s3.BucketObjectLockConfiguration(
      name,
      {
        bucket: id,
        rule: {
          defaultRetention: { mode: options.objectLock.mode, days: options.objectLock.days },
        },
      },
      { ...child, dependsOn: [versioning] },
    );
  }
  return Object.assign(bucket, {
    versioning,
    bucketPolicy,
    ...(objectLockConfiguration ? { objectLockConfiguration } : {}),
  });
}
