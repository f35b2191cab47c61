import { ENCRYPTION_AT_REST, ENCRYPTION_REASON } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { isTrue, nonEmpty, obj } from "../lib/props";

/** Kinesis streams and Firehose delivery streams a scanned program may create. */
export const kinesisStreamEnforceEncryption = resourcePolicy(
  {
    name: "kinesis-stream-enforce-encryption",
    description:
      "Kinesis data streams use KMS encryption; Firehose delivery streams enable server-side encryption.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST],
    remediationSteps:
      'Streams: encryptionType "KMS" with kmsKeyId; Firehose: serverSideEncryption { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn }.',
    levelReason: ENCRYPTION_REASON,
  },
  {
    "aws:kinesis/stream:Stream": (r, report) => {
      if (r.props.encryptionType !== "KMS" || !nonEmpty(r.props.kmsKeyId)) {
        report(
          `${r.name} is unencrypted: set encryptionType to "KMS" and kmsKeyId to a customer-managed key`,
        );
      }
    },
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (r, report) => {
      if (!isTrue(obj(r.props.serverSideEncryption)?.enabled)) {
        report(
          `${r.name} is unencrypted: set serverSideEncryption.enabled to true with a customer-managed keyArn`,
        );
      }
    },
  },
);
