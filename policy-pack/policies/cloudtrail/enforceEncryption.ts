import { keyAt, keyedStorePolicy } from "../lib/keyed";

/** Trail log files are the record of every access to PHI. */
export const cloudtrailTrailEnforceEncryption = keyedStorePolicy({
  name: "cloudtrail-trail-enforce-encryption",
  description:
    "CloudTrail trails encrypt their log files with a customer-managed KMS key (SSE-KMS), not SSE-S3.",
  types: { "aws:cloudtrail/trail:Trail": keyAt("kmsKeyId") },
  remediationSteps: "Set kmsKeyId to a customer-managed KMS key (the logs key of the platform).",
  extraCitations: ["164.312(b)"],
});
