import { AUDIT } from "../lib/levels";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { nonEmpty, stackOf } from "../lib/props";

const TRAIL = "aws:cloudtrail/trail:Trail";

/** A trail that is declared is a trail that can be trusted. */
export const cloudtrailTrailEnforceIntegrity = resourcePolicy(
  {
    name: "cloudtrail-trail-enforce-integrity",
    description:
      "CloudTrail trails cover every region and global services, validate their log files, and deliver to CloudWatch Logs.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...AUDIT, "164.312(c)(1)"],
    remediationSteps:
      "isMultiRegionTrail, includeGlobalServiceEvents and enableLogFileValidation true; cloudWatchLogsGroupArn and cloudWatchLogsRoleArn set.",
    levelReason:
      "An audit trail that misses regions, can be altered unnoticed, or cannot alarm, fails the audit-control standard.",
  },
  {
    [TRAIL]: (r, report) => {
      if (r.props.isMultiRegionTrail !== true)
        report(`${r.name} records one region only: set isMultiRegionTrail to true`);
      if (r.props.includeGlobalServiceEvents === false)
        report(
          `${r.name} misses IAM and other global events: set includeGlobalServiceEvents to true`,
        );
      if (r.props.enableLogFileValidation !== true)
        report(`${r.name} cannot prove its logs unaltered: set enableLogFileValidation to true`);
      if (!nonEmpty(r.props.cloudWatchLogsGroupArn)) {
        report(
          `${r.name} does not deliver to CloudWatch Logs, so nothing can alarm on it: set cloudWatchLogsGroupArn (with ":*") and cloudWatchLogsRoleArn`,
        );
      }
    },
  },
);

/** The account has a trail, created by its primary stack. */
export const cloudtrailTrailMissingInPrimary = stackPolicy(
  {
    name: "cloudtrail-trail-missing-in-primary",
    description:
      "The primary stack (policy config primaryStacks; every stack when empty) creates a multi-region CloudTrail trail.",
    enforcementLevel: "advisory",
    severity: "high",
    hipaa: [...AUDIT],
    remediationSteps:
      "Create the multi-region trail in the primary stack (the audit component does).",
    levelReason:
      "An organization trail, created outside any stack this pack sees, may already record the account: the pack cannot tell, so it advises.",
    configSchema: {
      properties: { primaryStacks: { type: "array", items: { type: "string" }, default: [] } },
    },
  },
  [],
  (resources, report, args) => {
    const { primaryStacks } = args.getConfig<{ primaryStacks: string[] }>();
    const stack = resources.length ? stackOf(resources[0].urn) : "";
    if (primaryStacks.length && !primaryStacks.includes(stack)) return;
    if (!resources.some((r) => r.type === TRAIL && r.props.isMultiRegionTrail === true)) {
      report(
        `stack ${stack} creates no multi-region CloudTrail trail: add one (aws.cloudtrail.Trail with isMultiRegionTrail true), unless an organization trail records this account`,
      );
    }
  },
);
