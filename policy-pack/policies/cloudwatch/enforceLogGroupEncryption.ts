import { keyedStorePolicy } from "../lib/keyed";

/** Customer-managed encryption for CloudWatch log groups. */
export const cloudwatchLogGroupEnforceEncryption = keyedStorePolicy({
  name: "cloudwatch-loggroup-enforce-encryption",
  description:
    "CloudWatch log groups are encrypted with a customer-managed KMS key, so access to logs is governed by the key policy too.",
  types: { "aws:cloudwatch/logGroup:LogGroup": "kmsKeyId" },
  without: "is encrypted only with a CloudWatch-owned key",
  severity: "medium",
  extraCitations: ["164.312(b)"],
  levelReason:
    "Application and audit logs routinely capture PHI (identifiers in URLs, query text); they deserve the same key control as the data.",
});
