import type { PolicyResource } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { list, nonEmpty, obj } from "../lib/props";
import { T, Topology, idOf } from "../lib/topology";

const INSTANCE = "aws:ec2/instance:Instance";
const TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration";

const METADATA_DEFAULTS = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults";

/** A metadata option as set (undefined when left to the next level of precedence). */
function option(options: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = options?.[key];
  return typeof v === "string" && v !== "" && v !== "no-preference" ? v : undefined;
}

/**
 * IMDS as an instance gets it: each option from the instance's own metadataOptions, else its
 * launch template's, else the account's defaults (aws.ec2.InstanceMetadataDefaults), else AWS's
 * default (tokens optional). AWS: "Order of precedence for instance metadata options",
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html#instance-metadata-options-order-of-precedence
 */
export const ec2InstanceEnforceImdsv2 = stackPolicy(
  {
    name: "ec2-instance-enforce-imdsv2",
    description:
      "Instances, launch templates and launch configurations require IMDSv2 session tokens, judged on the effective setting: an instance's own metadataOptions, else its launch template's (by id or name), else the account's InstanceMetadataDefaults the program declares.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(a)(1)", "164.312(d)"],
    remediationSteps: 'metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }.',
    levelReason:
      "IMDSv1 turns any server-side request forgery in the portal into stolen role credentials that read PHI.",
  },
  [INSTANCE, TEMPLATE, CONFIGURATION, METADATA_DEFAULTS],
  (resources, report) => {
    const net = Topology.of(resources);
    const account = resources.find((r) => r.type === METADATA_DEFAULTS)?.props;
    const judge = (
      r: PolicyResource,
      levels: (Record<string, unknown> | undefined)[],
      via: string,
    ) => {
      const pick = (key: string) => levels.map((l) => option(l, key)).find((v) => v !== undefined);
      if (pick("httpEndpoint") === "disabled") return;
      if (pick("httpTokens") !== "required") {
        report(
          `${r.name} allows IMDSv1${via}, which SSRF can read credentials from: set metadataOptions.httpTokens to "required" (and httpPutResponseHopLimit to 1)`,
          r.urn,
        );
      }
    };
    for (const i of net.of(INSTANCE)) {
      const lt = net.templateOf(i);
      const own = obj(i.props.metadataOptions);
      judge(
        i,
        [own, obj(lt?.props.metadataOptions), account],
        lt && option(own, "httpTokens") === undefined
          ? ` (nor does its launch template ${lt.name} require tokens)`
          : "",
      );
    }
    for (const r of [...net.of(TEMPLATE), ...net.of(CONFIGURATION)])
      judge(r, [obj(r.props.metadataOptions), account], "");
  },
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
      // An instance launched from a template takes the template's profile (judged there).
      if (!nonEmpty(r.props.iamInstanceProfile) && !obj(r.props.launchTemplate))
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

/** The tenancy and type a resource asks for itself (an instance's own, or a template's). */
function tenancyOf(r: PolicyResource | undefined): { mode?: unknown; type?: unknown } {
  if (!r) return {};
  const mode = r.props.tenancy ?? obj(r.props.placement)?.tenancy ?? r.props.placementTenancy;
  return { mode, type: r.props.instanceType };
}

export const ec2InstanceDisallowBurstableDedicated = stackPolicy(
  {
    name: "ec2-instance-disallow-burstable-dedicated",
    description:
      "Instances, launch templates and launch configurations on dedicated or host tenancy (their own, their launch template's, or their VPC's instance tenancy) do not use burstable T types.",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: ["164.308(a)(7)(i)"],
    remediationSteps: "Use an m-family type (m7i, m6i).",
    levelReason:
      "Dedicated tenancy is chosen to isolate PHI analysis; burstable types throttle to a fraction of a core when credits run out and are not offered for every dedicated placement, so the pair is refused before apply.",
  },
  [INSTANCE, TEMPLATE, CONFIGURATION, T.vpc, T.subnet],
  (resources, report) => {
    const net = Topology.of(resources);
    // "An instance launched into the VPC is a Dedicated Instance by default, unless you explicitly
    // specify a tenancy of host" when the VPC's instance tenancy is dedicated. AWS: "Dedicated
    // Instances", https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/dedicated-instance.html
    const dedicatedVpcs = new Set(
      net
        .of(T.vpc)
        .filter((v) => v.props.instanceTenancy === "dedicated")
        .map(idOf),
    );
    const vpcOfSubnet = new Map(net.of(T.subnet).map((s) => [idOf(s), String(s.props.vpcId)]));
    for (const r of [...net.of(INSTANCE), ...net.of(TEMPLATE), ...net.of(CONFIGURATION)]) {
      // An instance takes from its launch template what it does not set itself. AWS: "Store
      // instance launch parameters in Amazon EC2 launch templates",
      // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-launch-templates.html
      const own = tenancyOf(r);
      const template = r.type === INSTANCE ? tenancyOf(net.templateOf(r)) : {};
      let mode = String(own.mode ?? template.mode ?? "default");
      if (
        mode === "default" &&
        r.type === INSTANCE &&
        net.instanceSubnets(r).some((s) => dedicatedVpcs.has(vpcOfSubnet.get(s) ?? ""))
      )
        mode = "dedicated";
      const type = own.type ?? template.type;
      if ((mode === "dedicated" || mode === "host") && isBurstable(type))
        report(
          `${r.name} asks for ${mode} tenancy with the burstable type ${String(type)}: use a general-purpose non-burstable type such as m7i.large`,
          r.urn,
        );
    }
  },
);

/**
 * An instance is placed by its subnet, its network interfaces (primary or attached at launch), or
 * its launch template's interfaces; without any, EC2 launches it in the default VPC.
 */
export const ec2InstanceEnforceVpcPlacement = stackPolicy(
  {
    name: "ec2-instance-enforce-vpc-placement",
    description:
      "Instances name their subnet, directly, through a network interface or through their launch template (by id or name), so none lands in the default VPC.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(e)(1)", "164.312(a)(1)"],
    remediationSteps: "Set subnetId to an app-tier subnet.",
    levelReason:
      "Without a subnet, EC2 launches into the default VPC, whose subnets give every instance a public IP.",
  },
  [INSTANCE, TEMPLATE],
  (resources, report) => {
    const net = Topology.of(resources);
    for (const i of net.of(INSTANCE)) {
      const placed =
        nonEmpty(i.props.subnetId) ||
        nonEmpty(obj(i.props.primaryNetworkInterface)?.networkInterfaceId) ||
        list(i.props.networkInterfaces).length > 0 ||
        Topology.templateSettings(net.templateOf(i)).subnetIds.length > 0;
      if (!placed) {
        report(
          `${i.name} names no subnet${net.templateOf(i) ? ` (nor does its launch template ${net.templateOf(i)!.name})` : ""}, so it would launch in the default VPC with a public IP: set subnetId to an app-tier subnet`,
          i.urn,
        );
      }
    }
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
      // An instance launched from a template takes what it leaves out from the template.
      const fromTemplate = obj(r.props.launchTemplate) !== undefined;
      if (r.props.monitoring !== true && !(fromTemplate && r.props.monitoring === undefined))
        report(`${r.name} reports metrics every five minutes: set monitoring to true`);
      if (
        nonEmpty(r.props.instanceType) &&
        r.props.ebsOptimized !== true &&
        !EBS_OPTIMIZED_BY_DEFAULT.test(String(r.props.instanceType))
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
