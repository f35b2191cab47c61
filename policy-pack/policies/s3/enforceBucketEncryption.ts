import { stackPolicy } from "../lib/policy";
import { keyProblem } from "../lib/keys";
import { Buckets, S3_TYPES } from "../lib/s3";

const SSE_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];

type Props = Record<string, unknown>;

interface Rule {
  readonly algorithm: string;
  readonly key: unknown;
  readonly at: string;
}

function rulesOf(config: Props | undefined, at: string): Rule[] {
  const rules = config?.rules ?? config?.rule;
  return (Array.isArray(rules) ? rules : rules ? [rules] : []).map((rule: Props, i: number) => {
    const d = rule.applyServerSideEncryptionByDefault as Props | undefined;
    return {
      algorithm: String(d?.sseAlgorithm ?? ""),
      key: d?.kmsMasterKeyId,
      at: `${at}rules[${i}].applyServerSideEncryptionByDefault.kmsMasterKeyId`,
    };
  });
}

/**
 * Encryption at rest for S3, joined across resources: since @pulumi/aws 7 a bucket's encryption is
 * its own resource, so a bucket is judged by the configuration that names it. SSE-S3 (AES256) is
 * accepted only where AWS log delivery cannot write to a KMS-encrypted bucket.
 */
export const s3BucketEnforceEncryption = stackPolicy(
  {
    name: "s3-bucket-enforce-encryption",
    description:
      "Every S3 bucket has a server-side encryption configuration with SSE-KMS (or DSSE-KMS) under a customer-managed key (not omitted, not alias/aws/s3); SSE-S3 only for buckets that are log targets and nothing else (receiving ALB or S3 server access logs, which AWS cannot deliver to SSE-KMS buckets, and not tagged PHI).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(a)(2)(iv)", "164.312(e)(2)(ii)", "164.312(c)(1)"],
    remediationSteps:
      'Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with sseAlgorithm "aws:kms", kmsMasterKeyId the PHI key, bucketKeyEnabled true.',
    levelReason:
      "S3's default encryption uses an AWS-owned key: anyone with s3:GetObject reads the data, and no key policy or CloudTrail KMS event stands between them and PHI.",
  },
  [...S3_TYPES, ...SSE_TYPES],
  (resources, report) => {
    const s3 = Buckets.of(resources);
    for (const bucket of s3.buckets) {
      const rules = [
        ...s3.settingsOf(bucket, SSE_TYPES).flatMap((c) => rulesOf(c.props, "")),
        ...rulesOf(
          bucket.props.serverSideEncryptionConfiguration as Props | undefined,
          "serverSideEncryptionConfiguration.",
        ),
      ];
      const algorithms = rules.map((r) => r.algorithm);
      // A bucket that receives logs and also holds PHI is a PHI bucket: SSE-S3 is for pure log targets.
      const logTarget = Buckets.isPhi(bucket) ? undefined : s3.logTargetKind(bucket);
      if (algorithms.length === 0) {
        report(
          `${bucket.name} has only S3's default encryption (SSE-S3 with an AWS-owned key): add a BucketServerSideEncryptionConfiguration for it with sseAlgorithm "${logTarget ? "AES256" : "aws:kms"}"${logTarget ? ` (it receives ${logTarget}, which AWS delivers only to SSE-S3 buckets)` : ", kmsMasterKeyId the PHI key and bucketKeyEnabled true"}`,
          bucket.urn,
        );
        continue;
      }
      for (const { algorithm, key, at } of rules) {
        if (algorithm.startsWith("aws:kms")) {
          const problem = keyProblem(bucket.name, at, key);
          if (problem) report(problem, bucket.urn);
          continue;
        }
        if (algorithm === "AES256" && logTarget) continue;
        report(
          `${bucket.name} is encrypted with ${algorithm || "no algorithm"}: set sseAlgorithm to "aws:kms" with kmsMasterKeyId the PHI key (SSE-S3 is accepted only for buckets that receive load balancer or S3 access logs)`,
          bucket.urn,
        );
      }
    }
  },
);
