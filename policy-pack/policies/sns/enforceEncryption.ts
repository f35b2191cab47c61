import { keyedStorePolicy } from "../lib/keyed";

/** SNS topics carry notification bodies that may quote PHI. */
export const snsTopicEnforceEncryption = keyedStorePolicy({
  name: "sns-topic-enforce-encryption",
  description: "SNS topics are encrypted with a customer-managed KMS key.",
  types: { "aws:sns/topic:Topic": "kmsMasterKeyId" },
  without: "stores messages unencrypted",
  severity: "medium",
});
