import { RESILIENCE } from "../lib/levels";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { isTrue, obj } from "../lib/props";
import { ofType } from "../lib/types";

const TABLE = "aws:dynamodb/table:Table";

export const dynamodbTableEnablePitr = resourcePolicy(
  {
    name: "dynamodb-table-enable-pitr",
    description: "DynamoDB tables have point-in-time recovery and deletion protection.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...RESILIENCE],
    remediationSteps:
      "Set pointInTimeRecovery: { enabled: true } and deletionProtectionEnabled: true.",
    levelReason: "Without PITR a bad write or delete of indexed records cannot be rolled back.",
  },
  {
    [TABLE]: (r, report) => {
      if (!isTrue(obj(r.props.pointInTimeRecovery)?.enabled))
        report(
          `${r.name} cannot be restored to a point in time: set pointInTimeRecovery.enabled to true`,
        );
      if (r.props.deletionProtectionEnabled !== true)
        report(`${r.name} can be deleted by one call: set deletionProtectionEnabled to true`);
    },
  },
);

const TARGET = "aws:appautoscaling/target:Target";

export const dynamodbTableConfigureCapacity = stackPolicy(
  {
    name: "dynamodb-table-configure-capacity",
    description:
      "DynamoDB tables are on-demand, or have Application Auto Scaling targets for their provisioned capacity.",
    enforcementLevel: "advisory",
    severity: "low",
    hipaa: ["164.308(a)(7)(i)"],
    remediationSteps:
      'Set billingMode "PAY_PER_REQUEST", or add aws.appautoscaling.Target and Policy for table/<name>.',
    levelReason: "Throttling is an availability issue, not an exposure: advisory.",
  },
  [TABLE, TARGET],
  (resources, report) => {
    const scaled = new Set(ofType(resources, TARGET).map((t) => String(t.props.resourceId ?? "")));
    for (const table of ofType(resources, TABLE)) {
      if ((table.props.billingMode ?? "PROVISIONED") !== "PROVISIONED") continue;
      if (!scaled.has(`table/${String(table.props.name ?? "")}`)) {
        report(
          `${table.name} has fixed provisioned capacity: set billingMode to "PAY_PER_REQUEST" or add an auto scaling target`,
          table.urn,
        );
      }
    }
  },
);
