import { keyAt, keyedStorePolicy } from "../lib/keyed";

/** Customer-managed encryption for CloudWatch log groups. */
export const cloudwatchLogGroupEnforceEncryption = keyedStorePolicy({
  name: "cloudwatch-loggroup-enforce-encryption",
  description:
    "CloudWatch log groups are encrypted with a customer-managed KMS key, so access to logs is governed by the key policy too.",
  types: { "aws:cloudwatch/logGroup:LogGroup": keyAt("kmsKeyId") },
  remediationSteps: "Set kmsKeyId to a customer-managed KMS key (the logs key of the platform).",
  severity: "medium",
  extraCitations: ["164.312(b)"],
  levelReason:
    "Application and audit logs routinely capture PHI (identifiers in URLs, query text); they deserve the same key control as the data.",
});
