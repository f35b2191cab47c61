import { keyAt, keyedStorePolicy } from "../lib/keyed";

/** SQS queues, dead-letter queues included, hold message bodies for days. */
export const sqsQueueEnforceEncryption = keyedStorePolicy({
  name: "sqs-queue-enforce-encryption",
  description:
    "SQS queues are encrypted with a customer-managed KMS key (SSE-SQS and alias/aws/sqs use keys the account does not control).",
  types: { "aws:sqs/queue:Queue": keyAt("kmsMasterKeyId") },
  remediationSteps:
    "Set kmsMasterKeyId to a customer-managed KMS key (and leave sqsManagedSseEnabled unset).",
  severity: "medium",
});
