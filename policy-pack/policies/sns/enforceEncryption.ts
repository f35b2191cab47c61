import { keyAt, keyedStorePolicy } from "../lib/keyed";

/** SNS topics carry notification bodies that may quote PHI. */
export const snsTopicEnforceEncryption = keyedStorePolicy({
  name: "sns-topic-enforce-encryption",
  description: "SNS topics are encrypted with a customer-managed KMS key, not alias/aws/sns.",
  types: { "aws:sns/topic:Topic": keyAt("kmsMasterKeyId") },
  remediationSteps: "Set kmsMasterKeyId to a customer-managed KMS key.",
  severity: "medium",
});
