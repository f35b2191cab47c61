import { ResourceCheck, resourcePolicy } from "../lib/policy";
import { list, nonEmpty, obj } from "../lib/props";

const INSTANCE = "aws:ec2/instance:Instance";
const TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration";

const imds: ResourceCheck = (r, report) => {
  const options = obj(r.props.metadataOptions);
  if (options?.httpEndpoint === "disabled") return;
  if (options?.httpTokens !== "required") {
    report(
      `${r.name} allows IMDSv1, which SSRF can read credentials from: set metadataOptions.httpTokens to "required" (and httpPutResponseHopLimit to 1)`,
    );
  }
};

export const ec2InstanceEnforceImdsv2 = resourcePolicy(
  {
    name: "ec2-instance-enforce-imdsv2",
    description:
      "Instances, launch templates and launch configurations require IMDSv2 session tokens.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(a)(1)", "164.312(d)"],
    remediationSteps: 'metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }.',
    levelReason:
      "IMDSv1 turns any server-side request forgery in the portal into stolen role credentials that read PHI.",
  },
  { [INSTANCE]: imds, [TEMPLATE]: imds, [CONFIGURATION]: imds },
);

export const ec2InstanceMissingProfile = resourcePolicy(
  {
    name: "ec2-instance-missing-profile",
    description:
      "Instances and launch templates attach an IAM instance profile (for Session Manager, the CloudWatch agent, and no stored keys).",
    enforcementLevel: "advisory",
    severity: "low",
    hipaa: ["164.312(a)(1)", "164.308(a)(1)(ii)(D)"],
    remediationSteps:
      "Set iamInstanceProfile to a profile whose role has AmazonSSMManagedInstanceCore and the application's exact permissions.",
    levelReason:
      "Without a profile the instance is unmanaged and unpatched by SSM, a gap but not an exposure in itself: advisory.",
  },
  {
    [INSTANCE]: (r, report) => {
      if (!nonEmpty(r.props.iamInstanceProfile))
        report(`${r.name} has no instance profile: set iamInstanceProfile`);
    },
    [TEMPLATE]: (r, report) => {
      const profile = obj(r.props.iamInstanceProfile);
      if (!nonEmpty(profile?.name) && !nonEmpty(profile?.arn))
        report(
          `${r.name} launches instances without a profile: set iamInstanceProfile.name or .arn`,
        );
    },
  },
);

/** Burstable families: T2, T3, T3a, T4g and later. */
export function isBurstable(instanceType: unknown): boolean {
  return typeof instanceType === "string" && /^t\d/.test(instanceType);
}

const tenancy: ResourceCheck = (r, report) => {
  const placement = obj(r.props.placement);
  const mode = String(r.props.tenancy ?? placement?.tenancy ?? "default");
  if ((mode === "dedicated" || mode === "host") && isBurstable(r.props.instanceType)) {
    report(
      `${r.name} asks for ${mode} tenancy with the burstable type ${String(r.props.instanceType)}: use a general-purpose non-burstable type such as m7i.large`,
    );
  }
};

export const ec2InstanceDisallowBurstableDedicated = resourcePolicy(
  {
    name: "ec2-instance-disallow-burstable-dedicated",
    description:
      "Instances on dedicated tenancy (research workstations) do not use burstable T types.",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: ["164.308(a)(7)(i)"],
    remediationSteps: "Use an m-family type (m7i, m6i).",
    levelReason:
      "Dedicated tenancy is chosen to isolate PHI analysis; burstable types throttle to a fraction of a core when credits run out and are not offered for every dedicated placement, so the pair is refused before apply.",
  },
  { [INSTANCE]: tenancy, [TEMPLATE]: tenancy },
);

export const ec2InstanceEnforceVpcPlacement = resourcePolicy(
  {
    name: "ec2-instance-enforce-vpc-placement",
    description:
      "Instances name their subnet (or network interface), so none lands in the default VPC.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(e)(1)", "164.312(a)(1)"],
    remediationSteps: "Set subnetId to an app-tier subnet.",
    levelReason:
      "Without a subnet, EC2 launches into the default VPC, whose subnets give every instance a public IP.",
  },
  {
    [INSTANCE]: (r, report) => {
      if (!nonEmpty(r.props.subnetId) && list(r.props.networkInterfaces).length === 0) {
        report(
          `${r.name} names no subnet, so it would launch in the default VPC with a public IP: set subnetId to an app-tier subnet`,
        );
      }
    },
  },
);

/** Instance families that are EBS-optimized whatever the flag says (current generations). */
const EBS_OPTIMIZED_BY_DEFAULT =
  /^(t3|t3a|t4g|[mcr][5-9]|[mcr][5-9][a-z]*|x2|i[3-9]|d3|g[4-6]|p[3-5]|inf|trn|z1d|u-|hpc)/;

export const ec2InstanceConfigureMonitoring = resourcePolicy(
  {
    name: "ec2-instance-configure-monitoring",
    description: "Instances have detailed (one-minute) monitoring and are EBS-optimized.",
    enforcementLevel: "advisory",
    severity: "low",
    hipaa: ["164.308(a)(1)(ii)(D)", "164.308(a)(7)(i)"],
    remediationSteps:
      "Set monitoring: true (launch templates: monitoring.enabled) and use a current-generation type or ebsOptimized: true.",
    levelReason: "Operational visibility and disk throughput, not exposure: advisory.",
  },
  {
    [INSTANCE]: (r, report) => {
      if (r.props.monitoring !== true)
        report(`${r.name} reports metrics every five minutes: set monitoring to true`);
      if (
        r.props.ebsOptimized !== true &&
        !EBS_OPTIMIZED_BY_DEFAULT.test(String(r.props.instanceType ?? ""))
      ) {
        report(
          `${r.name} (${String(r.props.instanceType)}) shares network with EBS: set ebsOptimized to true or use a current-generation type`,
        );
      }
    },
    [TEMPLATE]: (r, report) => {
      if (obj(r.props.monitoring)?.enabled !== true)
        report(
          `${r.name} launches instances without detailed monitoring: set monitoring.enabled to true`,
        );
    },
  },
);
