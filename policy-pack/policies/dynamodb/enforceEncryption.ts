import { ENCRYPTION_AT_REST } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { isTrue, nonEmpty, obj } from "../lib/props";

/** DynamoDB tables under a customer-managed key, not the AWS-owned default. */
export const dynamodbTableEnforceEncryption = resourcePolicy(
  {
    name: "dynamodb-table-enforce-encryption",
    description: "DynamoDB tables are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST],
    remediationSteps: "Set serverSideEncryption: { enabled: true, kmsKeyArn: <PHI key ARN> }.",
    levelReason:
      "The default AWS-owned key encrypts the table but no key policy or CloudTrail KMS event controls or records who decrypts PHI.",
  },
  {
    "aws:dynamodb/table:Table": (r, report) => {
      const sse = obj(r.props.serverSideEncryption);
      if (!isTrue(sse?.enabled) || !nonEmpty(sse?.kmsKeyArn)) {
        report(
          `${r.name} uses DynamoDB's AWS-owned key: set serverSideEncryption.enabled to true and serverSideEncryption.kmsKeyArn to the PHI key`,
        );
      }
    },
  },
);
