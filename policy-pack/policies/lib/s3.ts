/** S3 relations: since @pulumi/aws 7 a bucket's settings are resources that name the bucket. */
import type { PolicyResource } from "@pulumi/policy";
import { obj } from "./props";
import { tagIs } from "./topology";
import { groupOf } from "./types";

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

const built = new WeakMap<readonly PolicyResource[], Buckets>();

export class Buckets {
  /** Per list of settings types and property: the resources that name each bucket. */
  private readonly byBucket = new Map<
    readonly string[],
    Map<string, Map<string, PolicyResource[]>>
  >();
  private inlineTargets?: Set<unknown>;

  constructor(private readonly resources: readonly PolicyResource[]) {}

  /** One index per stack run, shared by the S3 policies. */
  static of(resources: readonly PolicyResource[]): Buckets {
    let b = built.get(resources);
    if (!b) {
      b = new Buckets(resources);
      built.set(resources, b);
    }
    return b;
  }

  of(types: readonly string[]): PolicyResource[] {
    return types.flatMap((t) => groupOf(this.resources, t));
  }

  private index(types: readonly string[], property: string): Map<string, PolicyResource[]> {
    // Callers pass the S3 constants, so the same few arrays come back: keyed by the array itself.
    let byProperty = this.byBucket.get(types);
    if (!byProperty) {
      byProperty = new Map();
      this.byBucket.set(types, byProperty);
    }
    let index = byProperty.get(property);
    if (!index) {
      index = new Map();
      for (const r of this.of(types)) {
        const name = String(r.props[property] ?? "");
        const named = index.get(name);
        if (named) named.push(r);
        else index.set(name, [r]);
      }
      byProperty.set(property, index);
    }
    return index;
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
    const index = this.index(types, property);
    return [...bucketNames(bucket)].flatMap((n) => index.get(n) ?? []);
  }

  /** Buckets AWS log delivery writes to: S3 server access logs and ALB/NLB access logs. */
  logTargetKind(
    bucket: PolicyResource,
  ): "S3 server access logs" | "load balancer access logs" | undefined {
    const names = bucketNames(bucket);
    if (this.settingsOf(bucket, S3.logging, "targetBucket").length) return "S3 server access logs";
    // A bucket's own (deprecated, still accepted) logging block names its target the same way.
    this.inlineTargets ??= new Set(
      this.buckets
        .map((b) => obj(b.props.logging)?.targetBucket)
        .filter((t) => typeof t === "string"),
    );
    if ([...names].some((n) => this.inlineTargets!.has(n))) return "S3 server access logs";
    const lbTargets = this.of(S3.loadBalancers).map((lb) => obj(lb.props.accessLogs)?.bucket);
    if (lbTargets.some((b) => typeof b === "string" && names.has(b)))
      return "load balancer access logs";
    return undefined;
  }

  static isPhi(bucket: PolicyResource): boolean {
    return tagIs(bucket.props, "DataClassification", "PHI");
  }
}
