import { stackPolicy } from "../lib/policy";
import { list } from "../lib/props";
import { T, idOf } from "../lib/topology";
import { ofType } from "../lib/types";

const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
/** Rules attached apart from their group, by the group's id. */
const RULES = [
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
];

/** Every VPC records its traffic. */
export const ec2VpcEnableFlowLogs = stackPolicy(
  {
    name: "ec2-vpc-enable-flow-logs",
    description:
      "Every VPC has a flow log capturing ALL traffic (accepted and rejected), in one flow log or an ACCEPT and a REJECT one.",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: ["164.312(b)", "164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"],
    remediationSteps:
      'Add an aws.ec2.FlowLog with vpcId the VPC, trafficType "ALL", to an encrypted log group kept 365 days or more.',
    levelReason:
      "Without flow logs there is no network record to investigate an incident involving PHI.",
  },
  [T.vpc, FLOW_LOG],
  (resources, report) => {
    const logged = new Map<string, string[]>();
    for (const f of ofType(resources, FLOW_LOG)) {
      const vpc = String(f.props.vpcId ?? "");
      logged.set(vpc, [...(logged.get(vpc) ?? []), String(f.props.trafficType ?? "")]);
    }
    for (const vpc of ofType(resources, T.vpc)) {
      const traffic = logged.get(idOf(vpc)) ?? [];
      if (traffic.length === 0) {
        report(
          `${vpc.name} has no flow log: add an aws.ec2.FlowLog with vpcId ${vpc.name}'s id and trafficType "ALL"`,
          vpc.urn,
        );
      } else if (
        // ACCEPT and REJECT in two flow logs record what ALL records in one. AWS: "Logging IP
        // traffic using VPC Flow Logs", https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
        !traffic.includes("ALL") &&
        !(traffic.includes("ACCEPT") && traffic.includes("REJECT"))
      ) {
        report(
          `${vpc.name} logs only ${traffic.join(", ")} traffic: set the flow log's trafficType to "ALL"`,
          vpc.urn,
        );
      }
    }
  },
);

/** The default security group of every VPC is adopted and emptied. */
export const ec2VpcEnforceClosedDefaultSecurityGroup = stackPolicy(
  {
    name: "ec2-vpc-enforce-closed-default-security-group",
    description:
      "Every VPC's default security group is managed (aws.ec2.DefaultSecurityGroup) with no ingress and no egress rules, inline or attached apart (SecurityGroupRule, vpc ingress and egress rules naming its id or the VPC's defaultSecurityGroupId).",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: ["164.312(e)(1)"],
    remediationSteps:
      "Add an aws.ec2.DefaultSecurityGroup for the VPC with no ingress and no egress.",
    levelReason:
      "AWS's default group lets its members talk to each other and to anywhere; a resource put there by omission gets that silently.",
  },
  [T.vpc, DEFAULT_SG, ...RULES],
  (resources, report) => {
    // The default group is named by its adopting resource's id or the VPC's
    // defaultSecurityGroupId; a rule attached to it apart opens it as an inline one would. AWS:
    // "Default security groups for your VPCs",
    // https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
    const defaults = new Set(
      ofType(resources, DEFAULT_SG, T.vpc)
        .map((r) => (r.type === T.vpc ? r.props.defaultSecurityGroupId : r.props.id))
        .filter((id): id is string => typeof id === "string" && id !== ""),
    );
    for (const rule of ofType(resources, ...RULES)) {
      if (defaults.has(String(rule.props.securityGroupId ?? "")))
        report(
          `${rule.name} adds a rule to a VPC's default security group: remove it and use a dedicated security group`,
          rule.urn,
        );
    }
    const adopted = new Map(
      ofType(resources, DEFAULT_SG).map((g) => [String(g.props.vpcId ?? ""), g]),
    );
    for (const vpc of ofType(resources, T.vpc)) {
      const group = adopted.get(idOf(vpc));
      if (!group) {
        report(
          `${vpc.name}'s default security group keeps AWS's allow rules: add an aws.ec2.DefaultSecurityGroup for it with no rules`,
          vpc.urn,
        );
      } else if (list(group.props.ingress).length || list(group.props.egress).length) {
        report(
          `${group.name} has rules: remove its ingress and egress so the default group admits nothing`,
          group.urn,
        );
      }
    }
  },
);
