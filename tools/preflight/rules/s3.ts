/** S3's own create-time and delivery rules, judged across a bucket's separate setting resources. */
import { Res, block, findAcross, label, list, policyText } from "../graph";
import { PolicyDoc, simulate } from "../iam/simulate";
import {
  BUCKET_TYPES,
  LOCK,
  SSE,
  VERSIONING,
  bucketOf,
  createdWithObjectLock,
  kmsEncrypted,
  loggings,
  objectLock,
  replications,
  settingsOf,
  versioningEnabled,
} from "./buckets";
import { selectedResources } from "./kms";
import type { AccountRule, RuleHit, StackRule } from "../types";

const docs = (path: string, title: string) => ({
  title,
  url: `https://docs.aws.amazon.com/${path}`,
});

export const configDeliveryObjectLock: StackRule = {
  id: "s3-config-delivery-object-lock",
  family: "s3",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "AWS Config cannot deliver to a bucket with S3 Object Lock (default retention): the delivery channel, and the recorder and rules after it, fail.",
  reference: docs(
    "AWSCloudFormation/latest/TemplateReference/aws-resource-config-deliverychannel.html",
    "AWS::Config::DeliveryChannel (AWS Config does not support delivery to a bucket where Object Lock is enabled)",
  ),
  check(g) {
    return g.ofType("aws:cfg/deliveryChannel:DeliveryChannel").flatMap((channel) => {
      const bucket = g.find(channel.inputs.s3BucketName);
      if (!bucket) return [];
      const lock = objectLock(g, bucket);
      if (!lock.enabled) return [];
      return [
        {
          urn: channel.urn,
          message: `${label(channel)}: s3BucketName is ${label(bucket)}, which has S3 Object Lock${lock.defaultRetention ? " with default retention" : ""}; AWS Config does not deliver there. Give Config its own versioned, encrypted bucket without Object Lock (it may replicate into the locked archive).`,
        },
      ];
    });
  },
};

export const objectLockNeedsVersioning: StackRule = {
  id: "s3-object-lock-needs-versioning",
  family: "s3",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "Object Lock on a bucket not created with it needs versioning enabled first (and is then permanent); a bucket created with objectLockEnabled has versioning by itself.",
  reference: docs(
    "AmazonS3/latest/userguide/object-lock-configure.html",
    "Amazon S3 User Guide: Configuring S3 Object Lock",
  ),
  check(g) {
    return g.ofType(LOCK).flatMap((lock) => {
      const bucket = bucketOf(g, lock);
      if (!bucket || createdWithObjectLock(bucket)) return [];
      const versioning = versioningEnabled(g, bucket);
      if (versioning && g.dependsOn(lock, versioning)) return [];
      return [
        {
          urn: lock.urn,
          message: `${label(lock)}: ${label(bucket)} is not created with objectLockEnabled, so S3 accepts Object Lock only once versioning is Enabled; ${versioning ? "make the lock configuration depend on the bucket's versioning resource" : "enable versioning on the bucket"} (or create the bucket with objectLockEnabled: true).`,
        },
      ];
    });
  },
};

export const replicationRequirements: AccountRule = {
  id: "s3-replication-requirements",
  family: "s3",
  kind: "fails-deploy",
  scope: "account",
  description:
    "S3 replication needs versioning enabled on the source and every destination bucket, and a replica KMS key whenever SSE-KMS objects are replicated.",
  reference: docs(
    "AmazonS3/latest/userguide/replication-requirements.html",
    "Amazon S3 User Guide: Requirements and considerations for replication",
  ),
  check(graphs) {
    const hits: RuleHit[] = [];
    for (const g of graphs) {
      for (const config of replications(g)) {
        const where = config.resource.type.startsWith("aws:s3/bucket")
          ? `${label(config.resource)}: ${isInline(config.resource) ? "replicationConfiguration: " : ""}`
          : `${label(config.resource)}: `;
        const source = config.source;
        if (source && !versioningEnabled(g, source)) {
          hits.push({
            urn: config.resource.urn,
            message: `${where}source ${label(source)} has no versioning Enabled; S3 refuses replication on it. Enable versioning first.`,
          });
        }
        for (const rule of config.rules) {
          const target = findAcross(graphs, rule.destinationBucket);
          if (target && !versioningEnabled(target.graph, target.resource)) {
            hits.push({
              urn: config.resource.urn,
              message: `${where}destination ${label(target.resource)} (${target.graph.stack}) has no versioning Enabled; S3 refuses replication to it. Enable versioning on the destination.`,
            });
          }
          if (rule.sseKmsObjects && !rule.replicaKmsKeyId) {
            hits.push({
              urn: config.resource.urn,
              message: `${where}${rule.id ? `rule "${rule.id}"` : "a rule"} replicates SSE-KMS objects without a replica KMS key (destination.encryptionConfiguration.replicaKmsKeyId); S3 requires it. Set it to a key in the destination's region.`,
            });
          }
        }
      }
    }
    return hits;
  },
};

/** Whether a resource is a bucket (its inline blocks) rather than a setting resource. */
const isInline = (r: Res) => (BUCKET_TYPES as readonly string[]).includes(r.type);

export const accessLogTarget: StackRule = {
  id: "s3-access-log-target",
  family: "s3",
  kind: "silently-broken",
  scope: "stack",
  description:
    "Server access logs are delivered only to a bucket whose default encryption is SSE-S3 (not SSE-KMS) and that has no Object Lock default retention.",
  reference: docs(
    "AmazonS3/latest/userguide/enable-server-access-logging.html",
    "Amazon S3 User Guide: Enabling Amazon S3 server access logging",
  ),
  check(g) {
    return loggings(g).flatMap((logging) => {
      const target = g.find(logging.targetRef);
      if (!target) return [];
      const problems: string[] = [];
      if (kmsEncrypted(g, target)) problems.push("default encryption SSE-KMS");
      if (objectLock(g, target).defaultRetention) problems.push("Object Lock default retention");
      return problems.length
        ? [
            {
              urn: logging.resource.urn,
              message: `${label(logging.resource)}: ${isInline(logging.resource) ? "logging." : ""}targetBucket ${label(target)} has ${problems.join(" and ")}, so S3 delivers no access logs there; log to an SSE-S3 bucket without default retention.`,
            },
          ]
        : [];
    });
  },
};

/**
 * S3 refuses a logging configuration whose target bucket is in another region
 * (CrossLocationLoggingProhibitted): "Both the source and destination buckets must be in the same
 * AWS Region and owned by the same account."
 */
export const accessLogSameRegion: AccountRule = {
  id: "s3-access-log-same-region",
  family: "s3",
  kind: "fails-deploy",
  scope: "account",
  description:
    "A bucket's server access logs go to a target bucket in the same region as the bucket; S3 refuses a target in another region.",
  reference: docs(
    "AmazonS3/latest/userguide/ServerLogs.html",
    "Amazon S3 User Guide: Logging requests with server access logging (source and destination buckets in the same Region)",
  ),
  check(graphs) {
    const hits: RuleHit[] = [];
    for (const g of graphs) {
      for (const logging of loggings(g)) {
        const target = findAcross(graphs, logging.targetRef);
        if (!target || !logging.source) continue;
        const from = g.regionOf(logging.source);
        const to = target.graph.regionOf(target.resource);
        if (from === to) continue;
        hits.push({
          urn: logging.resource.urn,
          message: `${label(logging.resource)}: ${isInline(logging.resource) ? "logging." : ""}targetBucket ${label(target.resource)} is in ${to}, but ${label(logging.source)} is in ${from}; S3 refuses access logging to another region. Log to a bucket in ${from}.`,
        });
      }
    }
    return hits;
  },
};

/** Principals a Deny statement exempts through a negated aws:PrincipalArn condition. */
function exemptedPrincipals(policy: PolicyDoc): string[] {
  const out: string[] = [];
  for (const s of list(policy.Statement).map(block)) {
    if (s.Effect !== "Deny") continue;
    for (const [op, entries] of Object.entries(block(s.Condition))) {
      if (!/^(ArnNot|StringNot)/.test(op)) continue;
      for (const [k, v] of Object.entries(block(entries))) {
        if (k.toLowerCase() === "aws:principalarn") out.push(...list(v).map(String));
      }
    }
  }
  return out;
}

/** Condition keys about the calling principal that a program's records do not reveal. */
const UNKNOWN_PRINCIPAL_KEYS =
  /^aws:(userid|username|principaltag\/.*|principalorgpaths|sourceidentity|federatedprovider)$/i;

function denyOnUnknownPrincipalAttributes(policy: PolicyDoc): boolean {
  return list(policy.Statement)
    .map(block)
    .some(
      (s) =>
        s.Effect === "Deny" &&
        Object.values(block(s.Condition)).some((entries) =>
          Object.keys(block(entries)).some((k) => UNKNOWN_PRINCIPAL_KEYS.test(k)),
        ),
    );
}

/** The organization id a policy names (`o-` and 10 to 32 lowercase letters or digits), if any. */
function organizationOf(text: string): string | undefined {
  return /"(o-[a-z0-9]{10,32})"/.exec(text)?.[1];
}

/** The provider reads every bucket it manages (HeadBucket = s3:ListBucket, and its settings). */
const DEPLOYER_READS = [
  "s3:ListBucket",
  "s3:GetBucketPolicy",
  "s3:GetBucketVersioning",
  "s3:GetEncryptionConfiguration",
];

export const bucketPolicyLocksOutDeployer: AccountRule = {
  id: "s3-bucket-policy-locks-out-deployer",
  family: "s3",
  kind: "fails-deploy",
  scope: "account",
  description:
    "A bucket policy that denies bucket-level reads (s3:ListBucket, which HeadBucket needs, and s3:GetBucket*) to all but listed principals must list the principal that deploys: the provider reads the bucket on every refresh and update.",
  reference: docs(
    "AmazonS3/latest/API/API_HeadBucket.html",
    "Amazon S3 API Reference: HeadBucket (requires s3:ListBucket)",
  ),
  async check(graphs) {
    const hits: RuleHit[] = [];
    for (const g of graphs) {
      // A BucketPolicy resource, or the policy written inline on the bucket (string or object).
      const written = [
        ...g
          .ofType("aws:s3/bucketPolicy:BucketPolicy")
          .map((bp) => ({ bp, bucket: bucketOf(g, bp), text: policyText(bp.inputs.policy) })),
        ...g
          .ofType(...BUCKET_TYPES)
          .map((b) => ({ bp: b, bucket: b as Res | undefined, text: policyText(b.inputs.policy) })),
      ];
      for (const { bp, bucket, text } of written) {
        if (!bucket || !text) continue;
        const policy = JSON.parse(text) as PolicyDoc;
        // The deploying principal belongs to the organization the policy names (the program's own
        // account is in it, or the policy locks out every principal of the account by design).
        const org = organizationOf(text);
        // A deny that exempts principals by attributes the program does not show (their unique
        // ids, tags, organization paths) may exempt the deployer: not provable either way.
        if (denyOnUnknownPrincipalAttributes(policy)) continue;
        const outside = exemptedPrincipals(policy).filter((p) => !findAcross(graphs, p));
        const deployers = outside.length
          ? outside
          : [`arn:${g.partition}:iam::${g.accountId}:role/deployer`];
        let locked: string[] = [];
        for (const principal of deployers) {
          const refused: string[] = [];
          for (const action of DEPLOYER_READS) {
            const { decision } = await simulate({
              principal,
              action,
              resource: String(bucket.outputs.arn),
              identityPolicies: [
                {
                  Version: "2012-10-17",
                  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
                },
              ],
              resourcePolicy: policy,
              context: {
                "aws:SecureTransport": "true",
                "aws:PrincipalArn": principal,
                "aws:PrincipalAccount": g.accountId,
                ...(org ? { "aws:PrincipalOrgID": org } : {}),
              },
            });
            if (decision === "ExplicitlyDenied") refused.push(action);
          }
          if (refused.length === 0) {
            locked = [];
            break;
          }
          locked = refused;
        }
        if (locked.length) {
          hits.push({
            urn: bp.urn,
            message: `${label(bp)}: the policy of ${label(bucket)} explicitly denies ${locked.join(", ")} to ${outside.length ? outside.join(", ") : "a deploying principal outside the program (no condition of the deny exempts it)"}, so the deploying principal cannot HeadBucket or read the bucket's settings and every refresh or update of it fails with 403; exempt the deploying principal from the bucket-level deny (not from object reads).`,
          });
        }
      }
    }
    return hits;
  },
};

export const trailLogsArchivedUnreadable: StackRule = {
  id: "s3-trail-logs-cold-storage",
  family: "s3",
  kind: "silently-broken",
  scope: "stack",
  description:
    "Trail log files moved to S3 Glacier Flexible Retrieval or Deep Archive cannot be queried by Athena or read by `aws cloudtrail validate-logs` without a restore.",
  reference: docs(
    "athena/latest/ug/other-notable-limitations.html",
    "Amazon Athena User Guide: Considerations and limitations (Glacier Flexible Retrieval and Deep Archive objects are not queried)",
  ),
  check(g) {
    return g.ofType("aws:cloudtrail/trail:Trail").flatMap((trail) => {
      const bucket = g.find(trail.inputs.s3BucketName);
      if (!bucket) return [];
      return settingsOf(
        g,
        bucket,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      ).flatMap((lc) => {
        const cold = list(lc.inputs.rules)
          .map(block)
          .filter((rule) => rule.status === "Enabled")
          .flatMap((rule) => list(rule.transitions).map(block))
          .filter((t) => t.storageClass === "GLACIER" || t.storageClass === "DEEP_ARCHIVE");
        return cold.length
          ? [
              {
                urn: lc.urn,
                message: `${label(lc)}: ${label(trail)}'s log files in ${label(bucket)} move to ${String(cold[0].storageClass)} ${cold[0].days !== undefined ? `after ${String(cold[0].days)} days` : `on ${String(cold[0].date ?? "a set date")}`}, where Athena skips them and log file validation cannot read them; transition to GLACIER_IR or STANDARD_IA instead, or document the restore.`,
              },
            ]
          : [];
      });
    });
  },
};

const BUCKET_SETTINGS = [
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  SSE,
  ...VERSIONING,
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketLogging:BucketLogging",
  LOCK,
];

export const retainedBucketSettings: StackRule = {
  id: "s3-retained-bucket-keeps-settings",
  family: "s3",
  kind: "silently-broken",
  scope: "stack",
  description:
    "A bucket kept on delete (retainOnDelete, without protect, which stops the whole removal) loses every protection held by a setting resource that is not also kept: deleting the resource removes the setting from the bucket (its policy, public access block, encryption, versioning, lifecycle, logging).",
  reference: {
    title: "Pulumi resource options: retainOnDelete",
    url: "https://www.pulumi.com/docs/iac/concepts/options/retainondelete/",
  },
  check(g) {
    const hits: RuleHit[] = [];
    for (const bucket of g.ofType("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")) {
      // A protected bucket stops the whole removal (the engine refuses to delete it), settings included.
      if (!bucket.retainOnDelete || bucket.protect) continue;
      const lost = settingsOf(g, bucket, ...BUCKET_SETTINGS).filter((s) => !s.retainOnDelete);
      if (lost.length === 0) continue;
      hits.push({
        urn: bucket.urn,
        message: `${label(bucket)}: kept when it leaves the program (retainOnDelete) while its ${lost.map((s) => s.type.split(":").pop()).join(", ")} are deleted, so the kept bucket loses those protections; set retainOnDelete on each of them too.`,
      });
    }
    return hits;
  },
};

export const notificationDisablesEventBridge: StackRule = {
  id: "s3-notification-keeps-eventbridge",
  family: "s3",
  kind: "silently-broken",
  scope: "stack",
  description:
    "A bucket notification resource replaces the bucket's whole notification configuration: without eventbridge: true it turns EventBridge delivery off, which AWS Backup for S3 needs on the buckets it protects.",
  reference: docs(
    "aws-backup/latest/devguide/s3-backups.html",
    "AWS Backup Developer Guide: Amazon S3 backups (EventBridge notifications)",
  ),
  check(g) {
    const protectedBuckets = new Set(
      g
        .ofType("aws:backup/selection:Selection")
        .flatMap((s) => selectedResources(g, s))
        .map((r) => r.urn),
    );
    return g.ofType("aws:s3/bucketNotification:BucketNotification").flatMap((n) => {
      const bucket = bucketOf(g, n);
      if (!bucket || !protectedBuckets.has(bucket.urn) || n.inputs.eventbridge === true) return [];
      return [
        {
          urn: n.urn,
          message: `${label(n)}: ${label(bucket)} is backed up by AWS Backup, which needs EventBridge notifications, and this notification configuration turns them off; set eventbridge: true.`,
        },
      ];
    });
  },
};

export const backupS3OptIn: StackRule = {
  id: "backup-s3-opt-in",
  family: "s3",
  kind: "silently-broken",
  scope: "stack",
  description:
    "AWS Backup protects a resource type a selection picks by tag only when the type is opted in for the region (aws.backup.RegionSettings); buckets are otherwise skipped without error.",
  reference: docs(
    "aws-backup/latest/devguide/service-opt-in.html",
    "AWS Backup Developer Guide: Service opt-in",
  ),
  check(g) {
    const settings = g.ofType("aws:backup/regionSettings:RegionSettings");
    const optedIn = (type: string) =>
      settings.some((s) => block(s.inputs.resourceTypeOptInPreference)[type] === true);
    const hits: RuleHit[] = [];
    for (const selection of g.ofType("aws:backup/selection:Selection")) {
      const buckets = selectedResources(g, selection).filter(
        (r) => r.type === "aws:s3/bucket:Bucket" || r.type === "aws:s3/bucketV2:BucketV2",
      );
      if (buckets.length && !optedIn("S3")) {
        hits.push({
          urn: selection.urn,
          message: `${label(selection)}: selects ${buckets.length} bucket(s) by tag (${buckets.map((b) => b.name).join(", ")}) but nothing opts S3 in to AWS Backup in ${g.regionOf(selection)}; add aws.backup.RegionSettings with resourceTypeOptInPreference S3: true (and every other type the plans select).`,
        });
      }
    }
    return hits;
  },
};

export const s3Rules = {
  stack: [
    configDeliveryObjectLock,
    objectLockNeedsVersioning,
    accessLogTarget,
    trailLogsArchivedUnreadable,
    retainedBucketSettings,
    notificationDisablesEventBridge,
    backupS3OptIn,
  ] as StackRule[],
  account: [
    replicationRequirements,
    accessLogSameRegion,
    bucketPolicyLocksOutDeployer,
  ] as AccountRule[],
};
