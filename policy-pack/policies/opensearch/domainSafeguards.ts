import { resourcePolicy } from "../lib/policy";
import { list, obj, strings } from "../lib/props";

const DOMAINS = ["aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"];

export const opensearchDomainDisallowPublicAccess = resourcePolicy(
  {
    name: "opensearch-domain-disallow-public-access",
    description: "OpenSearch and Elasticsearch domains live in a VPC.",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(a)(1)", "164.312(e)(1)"],
    remediationSteps: "Set vpcOptions.subnetIds (data-tier subnets) and securityGroupIds.",
    levelReason:
      "A public search endpoint over PHI is protected only by its access policy, one mistake from exposure.",
  },
  Object.fromEntries(
    DOMAINS.map((t) => [
      t,
      (r: { name: string; props: Record<string, unknown> }, report: (m: string) => void) => {
        if (strings(obj(r.props.vpcOptions)?.subnetIds).length === 0)
          report(`${r.name} has a public endpoint: set vpcOptions.subnetIds to data-tier subnets`);
      },
    ]),
  ),
);

export const opensearchDomainEnableErrorLogs = resourcePolicy(
  {
    name: "opensearch-domain-enable-error-logs",
    description: "OpenSearch domains publish their error (application) logs to CloudWatch Logs.",
    enforcementLevel: "advisory",
    severity: "low",
    hipaa: ["164.312(b)"],
    remediationSteps:
      'Add logPublishingOptions { logType: "ES_APPLICATION_LOGS", cloudwatchLogGroupArn, enabled: true }.',
    levelReason: "Error logs help operations; audit of access is CloudTrail's: advisory.",
  },
  Object.fromEntries(
    DOMAINS.map((t) => [
      t,
      (r: { name: string; props: Record<string, unknown> }, report: (m: string) => void) => {
        const ok = list(r.props.logPublishingOptions).some(
          (o) => o.logType === "ES_APPLICATION_LOGS" && o.enabled !== false,
        );
        if (!ok)
          report(
            `${r.name} keeps its error logs to itself: publish ES_APPLICATION_LOGS to CloudWatch Logs`,
          );
      },
    ]),
  ),
);
