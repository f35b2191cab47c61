import { KeyRequirement, keyedStorePolicy } from "../lib/keyed";
import { isTrue, list, obj } from "../lib/props";

/** DynamoDB tables and their replicas under a customer-managed key, not the AWS-owned default. */
export const dynamodbTableEnforceEncryption = keyedStorePolicy({
  name: "dynamodb-table-enforce-encryption",
  description:
    "DynamoDB tables, their replicas (inline or TableReplica) are encrypted with customer-managed KMS keys.",
  types: {
    "aws:dynamodb/table:Table": (p, name): KeyRequirement[] => {
      const sse = obj(p.serverSideEncryption);
      const own: KeyRequirement[] = isTrue(sse?.enabled)
        ? [{ property: "serverSideEncryption.kmsKeyArn", value: sse?.kmsKeyArn }]
        : [
            {
              problem: `${name} uses DynamoDB's AWS-owned key: set serverSideEncryption.enabled to true and serverSideEncryption.kmsKeyArn to a customer-managed key`,
            },
          ];
      // A replica names its own region's key; without one DynamoDB uses the AWS-managed key there.
      const replicas = list(p.replicas).map((r, i) => ({
        property: `replicas[${i}].kmsKeyArn`,
        value: r.kmsKeyArn,
      }));
      return [...own, ...replicas];
    },
    "aws:dynamodb/tableReplica:TableReplica": (p) => [
      { property: "kmsKeyArn", value: p.kmsKeyArn },
    ],
  },
  remediationSteps:
    "Set serverSideEncryption: { enabled: true, kmsKeyArn: <customer-managed key ARN> } and each replica's kmsKeyArn.",
  levelReason:
    "The default AWS-owned key encrypts the table but no key policy or CloudTrail KMS event controls or records who decrypts PHI.",
});
