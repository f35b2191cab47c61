import { AUDIT } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { presencePolicy } from "../lib/presence";
import { nonEmpty } from "../lib/props";

const TRAIL = "aws:cloudtrail/trail:Trail";

/** A trail that is declared is a trail that can be trusted. */
export const cloudtrailTrailEnforceIntegrity = resourcePolicy(
  {
    name: "cloudtrail-trail-enforce-integrity",
    description:
      "CloudTrail trails log (enableLogging not false), cover every region and global services, validate their log files, and deliver to CloudWatch Logs.",
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
      if (r.props.enableLogging === false)
        report(`${r.name} is switched off and records nothing: set enableLogging to true`);
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

/** The account has a logging trail, created by its primary stack, unless the organization's covers it. */
export const cloudtrailTrailMissingInPrimary = presencePolicy({
  name: "cloudtrail-trail-missing-in-primary",
  service: "a multi-region CloudTrail trail that is logging",
  description:
    "Every stack the stacks selector picks (all by default; this project: the primary, by its Primary tag) creates a multi-region CloudTrail trail that logs (enableLogging not false), unless the policy config says an organization trail covers the account (coveredByOrganization).",
  types: [TRAIL],
  holds: (props) => props.isMultiRegionTrail === true && props.enableLogging !== false,
  remedy: "add an aws.cloudtrail.Trail with isMultiRegionTrail true (the audit component does)",
  hipaa: [...AUDIT],
  levelReason:
    "An organization trail, created outside any stack this pack sees, may record the account: coveredByOrganization says so; without it the pack advises, since it cannot see the organization.",
});
