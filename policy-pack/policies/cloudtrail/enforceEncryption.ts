import { keyedStorePolicy } from "../lib/keyed";

/** Trail log files are the record of every access to PHI. */
export const cloudtrailTrailEnforceEncryption = keyedStorePolicy({
  name: "cloudtrail-trail-enforce-encryption",
  description:
    "CloudTrail trails encrypt their log files with a customer-managed KMS key (SSE-KMS).",
  types: { "aws:cloudtrail/trail:Trail": "kmsKeyId" },
  without: "writes log files with SSE-S3 only",
  extraCitations: ["164.312(b)"],
});
