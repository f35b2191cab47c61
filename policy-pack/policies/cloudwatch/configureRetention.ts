import { AUDIT } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";

export const MIN_RETENTION_DAYS = 365;

export const cloudwatchLogGroupConfigureRetention = resourcePolicy(
  {
    name: "cloudwatch-loggroup-configure-retention",
    description: `CloudWatch log groups keep events at least ${MIN_RETENTION_DAYS} days (or never expire them).`,
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: [...AUDIT],
    remediationSteps: `Set retentionInDays to ${MIN_RETENTION_DAYS} or more (archive older logs to the log archive bucket).`,
    levelReason:
      "Breaches are often found months later; logs that expired first cannot show what happened.",
  },
  {
    "aws:cloudwatch/logGroup:LogGroup": (r, report) => {
      const days = r.props.retentionInDays;
      if (typeof days === "number" && days > 0 && days < MIN_RETENTION_DAYS) {
        report(
          `${r.name} keeps logs ${days} days: set retentionInDays to at least ${MIN_RETENTION_DAYS}`,
        );
      }
    },
  },
);

export const cloudwatchAlarmEnableActions = resourcePolicy(
  {
    name: "cloudwatch-alarm-enable-actions",
    description: "CloudWatch alarms have actions enabled and at least one alarm action.",
    enforcementLevel: "advisory",
    severity: "low",
    hipaa: ["164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"],
    remediationSteps:
      "Set alarmActions to the encrypted alarm topic and leave actionsEnabled true.",
    levelReason: "A silent alarm is a monitoring gap, not an exposure: advisory.",
  },
  {
    "aws:cloudwatch/metricAlarm:MetricAlarm": (r, report) => {
      if (
        r.props.actionsEnabled === false ||
        !Array.isArray(r.props.alarmActions) ||
        r.props.alarmActions.length === 0
      ) {
        report(
          `${r.name} notifies nobody: set alarmActions to the alarm topic and actionsEnabled to true`,
        );
      }
    },
  },
);
