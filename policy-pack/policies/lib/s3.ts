/** S3 relations: since @pulumi/aws 7 a bucket's settings are resources that name the bucket. */
import type { PolicyResource } from "@pulumi/policy";
import { obj } from "./props";
import { tagIs } from "./topology";

export const S3 = {
  buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  versioning: [
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
  ],
  logging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
  policy: ["aws:s3/bucketPolicy:BucketPolicy"],
  publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  accountPublicAccessBlock: ["aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"],
  replication: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
  acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
  loadBalancers: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
} as const;

export const S3_TYPES: readonly string[] = Object.values(S3).flat();

/** The names a bucket is referred to by: its `bucket` name and its id (the same, once known). */
export function bucketNames(bucket: PolicyResource): Set<string> {
  return new Set(
    [bucket.props.bucket, bucket.props.id].filter(
      (v): v is string => typeof v === "string" && v !== "",
    ),
  );
}

export class Buckets {
  constructor(private readonly resources: readonly PolicyResource[]) {}

  of(types: readonly string[]): PolicyResource[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  get buckets(): PolicyResource[] {
    return this.of(S3.buckets);
  }

  /** The resources of `types` whose `bucket` (or another named property) names this bucket. */
  settingsOf(
    bucket: PolicyResource,
    types: readonly string[],
    property = "bucket",
  ): PolicyResource[] {
    const names = bucketNames(bucket);
    return this.of(types).filter((r) => names.has(String(r.props[property] ?? "")));
  }

  /** Buckets AWS log delivery writes to: S3 server access logs and ALB/NLB access logs. */
  logTargetKind(
    bucket: PolicyResource,
  ): "S3 server access logs" | "load balancer access logs" | undefined {
    const names = bucketNames(bucket);
    if (this.of(S3.logging).some((l) => names.has(String(l.props.targetBucket ?? ""))))
      return "S3 server access logs";
    const lbTargets = this.of(S3.loadBalancers).map((lb) => obj(lb.props.accessLogs)?.bucket);
    if (lbTargets.some((b) => typeof b === "string" && names.has(b)))
      return "load balancer access logs";
    return undefined;
  }

  static isPhi(bucket: PolicyResource): boolean {
    return tagIs(bucket.props, "DataClassification", "PHI");
  }
}
