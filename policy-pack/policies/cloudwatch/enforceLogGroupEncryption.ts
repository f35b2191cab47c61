import { resourcePolicy } from "../lib/policy";

/** Customer-managed encryption for CloudWatch log groups. */
export const cloudwatchLogGroupEnforceEncryption = resourcePolicy(
  {
    name: "cloudwatch-loggroup-enforce-encryption",
    description:
      "CloudWatch log groups are encrypted with a customer-managed KMS key, so access to logs is governed by the key policy too.",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: ["164.312(a)(2)(iv)", "164.312(b)"],
    remediationSteps:
      "Set kmsKeyId to the logs key, whose policy admits CloudWatch Logs for this account's log groups.",
    levelReason:
      "Application and audit logs routinely capture PHI (identifiers in URLs, query text); they deserve the same key control as the data.",
  },
  {
    "aws:cloudwatch/logGroup:LogGroup": (resource, report) => {
      const key = resource.props.kmsKeyId;
      if (typeof key !== "string" || key === "") {
        report(
          `${resource.name} is encrypted only with a CloudWatch-owned key: set kmsKeyId to the logs key's ARN`,
        );
      }
    },
  },
);
