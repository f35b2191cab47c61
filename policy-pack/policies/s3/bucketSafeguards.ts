import { AUDIT, RESILIENCE, TRANSMISSION } from "../lib/levels";
import { stackPolicy } from "../lib/policy";
import { isTrue, list, obj, statements } from "../lib/props";
import { deniesInsecureTransport } from "../lib/iam";
import { SELECTOR_SCHEMA, StackSelector, propertiesOf, selects } from "../lib/stacks";
import { Buckets, S3, S3_TYPES, bucketNames } from "../lib/s3";

/** Overwrites and deletes of patient documents can be undone. */
export const s3BucketEnableVersioning = stackPolicy(
  {
    name: "s3-bucket-enable-versioning",
    description:
      "Every S3 bucket has versioning enabled (aws.s3.BucketVersioning with status Enabled).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...RESILIENCE],
    remediationSteps:
      'Add an aws.s3.BucketVersioning for the bucket with versioningConfiguration.status "Enabled", and a lifecycle rule for noncurrent versions.',
    levelReason:
      "Without versions, one overwrite or delete (or ransomware) destroys PHI with no way back.",
  },
  S3_TYPES,
  (resources, report) => {
    const s3 = Buckets.of(resources);
    for (const bucket of s3.buckets) {
      const enabled =
        s3
          .settingsOf(bucket, S3.versioning)
          .some((v) => obj(v.props.versioningConfiguration)?.status === "Enabled") ||
        isTrue(obj(bucket.props.versioning)?.enabled);
      if (!enabled) {
        report(
          `${bucket.name} is not versioned: add an aws.s3.BucketVersioning for it with versioningConfiguration.status "Enabled"`,
          bucket.urn,
        );
      }
    }
  },
);

/** The bucket refuses requests that are not over TLS. */
export const s3BucketEnforceTls = stackPolicy(
  {
    name: "s3-bucket-enforce-tls",
    description:
      "Every S3 bucket's policy (BucketPolicy or the bucket's own policy) denies every S3 action (s3:* or *) to every principal on the bucket and its objects when aws:SecureTransport is false; a deny of some actions only leaves the others open over HTTP.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...TRANSMISSION],
    remediationSteps:
      'Add an aws.s3.BucketPolicy with a statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket ARN, bucket ARN/*], Condition: { Bool: { "aws:SecureTransport": "false" } } }.',
    levelReason:
      "S3 accepts plain HTTP unless its policy says otherwise; PHI must never cross a network unencrypted.",
  },
  S3_TYPES,
  (resources, report) => {
    const s3 = Buckets.of(resources);
    for (const bucket of s3.buckets) {
      const names = [...bucketNames(bucket)];
      const denies = [
        ...s3.settingsOf(bucket, S3.policy).map((p) => p.props.policy),
        bucket.props.policy,
      ]
        .flatMap((doc) => statements(doc))
        .some((st) => deniesInsecureTransport(st, names));
      if (!denies) {
        report(
          `${bucket.name} accepts requests without TLS: add a bucket policy statement denying every S3 action ("s3:*") to Principal "*" on the bucket and its objects when aws:SecureTransport is "false"`,
          bucket.urn,
        );
      }
    }
  },
);

const BLOCK_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

/** No bucket can become public by policy or ACL. */
export const s3BucketDisallowPublicAccess = stackPolicy(
  {
    name: "s3-bucket-disallow-public-access",
    description:
      "Every S3 bucket has a public access block with all four settings true (or the account-level block does), and no public ACL.",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(a)(1)", "164.312(e)(1)"],
    remediationSteps:
      "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
    levelReason: "A public bucket of patient documents is the most common cloud PHI breach.",
  },
  S3_TYPES,
  (resources, report) => {
    const s3 = Buckets.of(resources);
    // S3 applies the most restrictive combination of the account's and the bucket's settings, so
    // a flag on at either level is on. AWS: "Blocking public access to your Amazon S3 storage",
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
    const accountFlags = s3.of(S3.accountPublicAccessBlock);
    const atAccount = BLOCK_FLAGS.filter((f) => accountFlags.some((b) => isTrue(b.props[f])));
    for (const bucket of s3.buckets) {
      const blocks = s3.settingsOf(bucket, S3.publicAccessBlock);
      const missing = BLOCK_FLAGS.filter(
        (f) => !atAccount.includes(f) && !blocks.some((b) => isTrue(b.props[f])),
      );
      if (missing.length) {
        report(
          blocks.length
            ? `${bucket.name}'s public access block leaves ${missing.join(", ")} off: set ${missing.join(", ")} to true`
            : `${bucket.name} has no public access block: add an aws.s3.BucketPublicAccessBlock for it with all four settings true`,
          bucket.urn,
        );
      }
      const acls = [
        String(bucket.props.acl ?? ""),
        ...s3.settingsOf(bucket, S3.acl).map((a) => String(a.props.acl ?? "")),
      ];
      const grants = s3
        .settingsOf(bucket, S3.acl)
        .flatMap((a) => list(obj(a.props.accessControlPolicy)?.grants))
        .map((g) => String(obj(g.grantee)?.uri ?? ""))
        .filter((uri) => /AllUsers|AuthenticatedUsers/.test(uri));
      const publicAcl =
        acls.find((a) => a.startsWith("public-") || a === "authenticated-read") ?? grants[0];
      if (publicAcl)
        report(
          `${bucket.name} has the ${publicAcl} ACL: remove it (object ownership BucketOwnerEnforced disables ACLs)`,
          bucket.urn,
        );
    }
  },
);

/** Who read which object. */
export const s3BucketEnableAccessLogs = stackPolicy(
  {
    name: "s3-bucket-enable-access-logs",
    description:
      "Every S3 bucket that is not itself a log-delivery target writes server access logs (aws.s3.BucketLogging).",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: [...AUDIT],
    remediationSteps:
      "Add an aws.s3.BucketLogging for the bucket with targetBucket the access-log bucket and a targetPrefix.",
    levelReason:
      "Server access logs (with CloudTrail data events) are how a HIPAA investigation answers who read a patient's file.",
  },
  S3_TYPES,
  (resources, report) => {
    const s3 = Buckets.of(resources);
    for (const bucket of s3.buckets) {
      if (s3.logTargetKind(bucket)) continue;
      if (s3.settingsOf(bucket, S3.logging).length === 0 && !obj(bucket.props.logging)) {
        report(
          `${bucket.name} keeps no access logs: add an aws.s3.BucketLogging for it with targetBucket the access-log bucket`,
          bucket.urn,
        );
      }
    }
  },
);

/** A copy in the other region for PHI buckets. */
export const s3BucketEnableReplication = stackPolicy(
  {
    name: "s3-bucket-enable-replication",
    description:
      "Buckets tagged DataClassification=PHI replicate to another region (aws.s3.BucketReplicationConfig with an enabled rule), in the stacks the stacks selector picks (all by default; this project: the primary, by its Primary tag).",
    enforcementLevel: "advisory",
    severity: "medium",
    hipaa: ["164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)"],
    remediationSteps:
      "Add an aws.s3.BucketReplicationConfig to the replica bucket of the other region, with replica encryption under that region's key.",
    levelReason:
      "Versioning and AWS Backup already protect against loss; replication adds regional disaster recovery, which a stack may reasonably provide another way: advisory.",
    configSchema: {
      properties: { stacks: SELECTOR_SCHEMA },
    },
  },
  S3_TYPES,
  (resources, report, args) => {
    const { stacks } = args.getConfig<{ stacks: StackSelector }>();
    const s3 = Buckets.of(resources);
    for (const bucket of s3.buckets.filter(Buckets.isPhi)) {
      if (!selects(stacks, propertiesOf(bucket))) continue;
      // The bucket's own replicationConfiguration block (deprecated, still accepted) counts too.
      const enabled = [
        ...s3.settingsOf(bucket, S3.replication).map((c) => c.props.rules),
        obj(bucket.props.replicationConfiguration)?.rules,
      ].some((rules) => list(rules).some((r) => r.status !== "Disabled"));
      if (!enabled) {
        report(
          `${bucket.name} holds PHI with no copy in another region (no replication configuration with an enabled rule): add an aws.s3.BucketReplicationConfig for it with an Enabled rule`,
          bucket.urn,
        );
      }
    }
  },
);
