import { KeyRequirement, keyedStorePolicy } from "../lib/keyed";
import { obj } from "../lib/props";

/** Kinesis streams and Firehose delivery streams a scanned program may create. */
export const kinesisStreamEnforceEncryption = keyedStorePolicy({
  name: "kinesis-stream-enforce-encryption",
  description:
    "Kinesis data streams use KMS encryption with a customer-managed key (not alias/aws/kinesis); Firehose delivery streams encrypt with a customer-managed CMK.",
  types: {
    "aws:kinesis/stream:Stream": (p, name): KeyRequirement[] =>
      p.encryptionType !== "KMS"
        ? [
            {
              problem: `${name} is unencrypted: set encryptionType to "KMS" and kmsKeyId to a customer-managed key`,
            },
          ]
        : [{ property: "kmsKeyId", value: p.kmsKeyId }],
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (p, name): KeyRequirement[] => {
      // Reading a Kinesis data stream, Firehose stores nothing at rest: the data stays in the
      // stream, judged by its own key. AWS: "Data protection in Amazon Data Firehose",
      // https://docs.aws.amazon.com/firehose/latest/dev/encryption.html
      if (obj(p.kinesisSourceConfiguration)) return [];
      const sse = obj(p.serverSideEncryption);
      if (sse?.enabled !== true && sse?.enabled !== "true")
        return [
          {
            problem: `${name} is unencrypted: set serverSideEncryption.enabled to true with keyType "CUSTOMER_MANAGED_CMK" and a keyArn`,
          },
        ];
      if (sse.keyType !== "CUSTOMER_MANAGED_CMK")
        return [
          {
            problem: `${name} encrypts with an AWS-owned key (keyType ${String(sse.keyType ?? "AWS_OWNED_CMK")}): set serverSideEncryption.keyType to "CUSTOMER_MANAGED_CMK" and keyArn to a customer-managed key`,
          },
        ];
      return [{ property: "serverSideEncryption.keyArn", value: sse.keyArn }];
    },
  },
  remediationSteps:
    'Streams: encryptionType "KMS" with kmsKeyId a customer-managed key; Firehose: serverSideEncryption { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn }.',
});
