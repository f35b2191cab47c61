import { keyedStorePolicy } from "../lib/keyed";

/** SQS queues, dead-letter queues included, hold message bodies for days. */
export const sqsQueueEnforceEncryption = keyedStorePolicy({
  name: "sqs-queue-enforce-encryption",
  description:
    "SQS queues are encrypted with a customer-managed KMS key (SSE-SQS uses a key the account does not control).",
  types: { "aws:sqs/queue:Queue": "kmsMasterKeyId" },
  without: "is not encrypted with a customer-managed key",
  severity: "medium",
});
