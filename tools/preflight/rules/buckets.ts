/**
 * A bucket's settings as S3 sees them, wherever the program writes them: the separate resources
 * (`BucketVersioning`, `BucketServerSideEncryptionConfiguration`, ...) or the inline blocks that
 * `aws.s3.Bucket` (singular: `versioning`, `serverSideEncryptionConfiguration.rule`) and the
 * deprecated `aws.s3.BucketV2` (lists: `versionings`, `serverSideEncryptionConfigurations[].rules`)
 * still accept and the provider still applies. Rules ask these questions, never the raw inputs, so
 * one spelling cannot hide a setting from them.
 */
import { ProgramGraph, Res, block, isString, list } from "../graph";

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"] as const;
export const SSE =
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
export const VERSIONING = [
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketVersioningV2:BucketVersioningV2",
];
export const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
export const LOGGING = [
  "aws:s3/bucketLogging:BucketLogging",
  "aws:s3/bucketLoggingV2:BucketLoggingV2",
];
export const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";

export const isBucket = (r: Res) => (BUCKET_TYPES as readonly string[]).includes(r.type);

/** The bucket a setting resource's `bucket` input names. */
export const bucketOf = (g: ProgramGraph, r: Res) => g.find(r.inputs.bucket);

/** The separate setting resources of one bucket (by type, in the program's order). */
export const settingsOf = (g: ProgramGraph, bucket: Res, ...types: string[]) =>
  types.flatMap((type) => g.referencing(bucket, type, "bucket"));

/** A block that `aws.s3.Bucket` writes singular and `BucketV2` as a list, as a list either way. */
const both = (r: Res, singular: string, plural: string): Record<string, unknown>[] =>
  [...list(r.inputs[singular]), ...list(r.inputs[plural])].map(block);

/** The resource that enables versioning on the bucket (the bucket itself when inline), if any. */
export function versioningEnabled(g: ProgramGraph, bucket: Res): Res | undefined {
  if (both(bucket, "versioning", "versionings").some((v) => v.enabled === true)) return bucket;
  return settingsOf(g, bucket, ...VERSIONING).find(
    (v) => block(v.inputs.versioningConfiguration).status === "Enabled",
  );
}

export interface SseRule {
  readonly algorithm: string;
  /** The KMS key reference (id, ARN, alias), when the rule names one. */
  readonly keyRef?: string;
  readonly bucketKey: boolean;
  /** The resource that writes the rule: a `BucketServerSideEncryptionConfiguration`, or the bucket. */
  readonly from: Res;
}

function sseRule(rule: Record<string, unknown>, from: Res): SseRule[] {
  return [
    ...list(rule.applyServerSideEncryptionByDefault),
    ...list(rule.applyServerSideEncryptionByDefaults),
  ]
    .map(block)
    .map((d) => ({
      algorithm: String(d.sseAlgorithm ?? ""),
      keyRef: isString(d.kmsMasterKeyId) ? d.kmsMasterKeyId : undefined,
      bucketKey: rule.bucketKeyEnabled === true,
      from,
    }));
}

/** The bucket's default encryption rules, separate or inline. */
export function sseRules(g: ProgramGraph, bucket: Res): SseRule[] {
  const separate = settingsOf(g, bucket, SSE).flatMap((s) =>
    list(s.inputs.rules).flatMap((rule) => sseRule(block(rule), s)),
  );
  const inline = both(
    bucket,
    "serverSideEncryptionConfiguration",
    "serverSideEncryptionConfigurations",
  ).flatMap((c) =>
    [...list(c.rule), ...list(c.rules)].flatMap((rule) => sseRule(block(rule), bucket)),
  );
  return [...separate, ...inline];
}

/** Whether the bucket's default encryption is SSE-KMS (or DSSE-KMS). */
export function kmsEncrypted(g: ProgramGraph, bucket: Res): boolean {
  return sseRules(g, bucket).some((r) => r.algorithm.startsWith("aws:kms"));
}

/** Object Lock: on at creation (or by a later configuration), and whether a default retention is set. */
export function objectLock(
  g: ProgramGraph,
  bucket: Res,
): { enabled: boolean; defaultRetention: boolean } {
  const locks = settingsOf(g, bucket, LOCK);
  const inline = list(bucket.inputs.objectLockConfiguration).map(block);
  const retention = (rule: unknown) =>
    [...list(block(rule).defaultRetention), ...list(block(rule).defaultRetentions)].some(
      (d) => Object.keys(block(d)).length > 0,
    );
  const defaultRetention =
    locks.some((l) => retention(l.inputs.rule)) ||
    inline.some((c) => [...list(c.rule), ...list(c.rules)].some(retention));
  return {
    enabled:
      createdWithObjectLock(bucket) ||
      locks.length > 0 ||
      inline.some((c) => c.objectLockEnabled === "Enabled"),
    defaultRetention,
  };
}

/** Whether the bucket is created with Object Lock (`objectLockEnabled`, or the legacy inline block). */
export function createdWithObjectLock(bucket: Res): boolean {
  return (
    bucket.inputs.objectLockEnabled === true ||
    list(bucket.inputs.objectLockConfiguration)
      .map(block)
      .some((c) => c.objectLockEnabled === "Enabled")
  );
}

export interface LoggingSpec {
  /** The resource that writes the logging configuration (a `BucketLogging`, or the bucket). */
  readonly resource: Res;
  /** The logged bucket, when the program owns it. */
  readonly source?: Res;
  readonly targetRef: unknown;
}

/** Every server access logging configuration of the program, separate or inline. */
export function loggings(g: ProgramGraph): LoggingSpec[] {
  const separate = g.ofType(...LOGGING).map((l) => ({
    resource: l,
    source: bucketOf(g, l),
    targetRef: l.inputs.targetBucket,
  }));
  const inline = g.ofType(...BUCKET_TYPES).flatMap((b) =>
    both(b, "logging", "loggings").map((l) => ({
      resource: b,
      source: b,
      targetRef: l.targetBucket,
    })),
  );
  return [...separate, ...inline];
}

export interface ReplicationRule {
  readonly id: string;
  readonly destinationBucket: unknown;
  readonly replicaKmsKeyId?: string;
  /** Whether the rule replicates SSE-KMS encrypted objects. */
  readonly sseKmsObjects: boolean;
}

export interface ReplicationSpec {
  /** The resource that writes the configuration (a `BucketReplicationConfig`, or the bucket). */
  readonly resource: Res;
  readonly source?: Res;
  readonly sourceRef: unknown;
  readonly role: unknown;
  readonly rules: readonly ReplicationRule[];
}

function replicationRule(rule: Record<string, unknown>): ReplicationRule[] {
  const criteria = [
    ...list(rule.sourceSelectionCriteria),
    ...list(rule.sourceSelectionCriterias),
  ].map(block);
  const sseKmsObjects = criteria.some((c) =>
    [...list(c.sseKmsEncryptedObjects)]
      .map(block)
      .some((o) => o.status === "Enabled" || o.enabled === true),
  );
  return [...list(rule.destination), ...list(rule.destinations)].map(block).map((d) => ({
    id: String(rule.id ?? ""),
    destinationBucket: d.bucket,
    replicaKmsKeyId: isString(block(d.encryptionConfiguration).replicaKmsKeyId)
      ? String(block(d.encryptionConfiguration).replicaKmsKeyId)
      : isString(d.replicaKmsKeyId)
        ? d.replicaKmsKeyId
        : undefined,
    sseKmsObjects,
  }));
}

/** Every replication configuration of the program, separate or inline. */
export function replications(g: ProgramGraph): ReplicationSpec[] {
  const separate = g.ofType(REPLICATION).map((c) => ({
    resource: c,
    source: bucketOf(g, c),
    sourceRef: c.inputs.bucket,
    role: c.inputs.role,
    rules: list(c.inputs.rules).flatMap((r) => replicationRule(block(r))),
  }));
  const inline = g.ofType(...BUCKET_TYPES).flatMap((b) =>
    both(b, "replicationConfiguration", "replicationConfigurations").map((c) => ({
      resource: b,
      source: b,
      sourceRef: b.outputs.bucket ?? b.inputs.bucket,
      role: c.role,
      rules: list(c.rules).flatMap((r) => replicationRule(block(r))),
    })),
  );
  return [...separate, ...inline];
}
