import type { PolicyResource } from "@pulumi/policy";
import { isAnywhere, rangeContains } from "../lib/cidr";
import { INGRESS_TYPES, ingressRules } from "../lib/ingress";
import { ADMIN_PORTS, reachesPort } from "../lib/ports";
import { stackPolicy } from "../lib/policy";
import { isTrue, strings } from "../lib/props";
import { TOPOLOGY_TYPES, Topology, idOf } from "../lib/topology";

const LB_TYPES = [
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:alb/loadBalancer:LoadBalancer",
  "aws:elb/loadBalancer:LoadBalancer",
];
const WEB_PORTS = [80, 443];

/** The security group a rule belongs to: the group itself for inline rules. */
function groupOf(r: PolicyResource, ruleGroup: unknown): string {
  return r.type === INGRESS_TYPES.securityGroup ? idOf(r) : String(ruleGroup ?? "");
}

function onlyWebPorts(protocol: unknown, from: unknown, to: unknown): boolean {
  const proto = String(protocol ?? "").toLowerCase();
  if (proto !== "tcp" && proto !== "6") return false;
  const f = typeof from === "number" ? from : 0;
  const t = typeof to === "number" ? to : 65535;
  return f === t ? WEB_PORTS.includes(f) : false;
}

/** Internet ingress only where a healthcare platform needs it: 80/443 on an internet-facing load balancer. */
export const ec2IngressDisallowInternet = stackPolicy(
  {
    name: "ec2-ingress-disallow-internet",
    description:
      "Security group ingress from 0.0.0.0/0 or ::/0 is refused except TCP 80 or 443 to a security group attached to an internet-facing load balancer (SSH and RDP are the admin allow-list policy's).",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(e)(1)", "164.312(a)(1)"],
    remediationSteps:
      "Put the service behind an internet-facing load balancer and admit the internet only on its security group, on 443 (and 80 to redirect); admit everything else from security groups or VPC CIDRs.",
    levelReason:
      "Every port open to the internet beyond the load balancer is attack surface in front of PHI.",
  },
  [...Object.values(INGRESS_TYPES), ...LB_TYPES],
  (resources, report) => {
    const publicLbGroups = new Set(
      resources
        .filter((r) => LB_TYPES.includes(r.type) && !isTrue(r.props.internal))
        .flatMap((lb) => strings(lb.props.securityGroups)),
    );
    for (const r of resources.filter((x) =>
      Object.values(INGRESS_TYPES).includes(x.type as never),
    )) {
      for (const rule of ingressRules(r.type, r.props)) {
        const admin = ADMIN_PORTS.some((p) =>
          reachesPort(rule.protocol, rule.fromPort, rule.toPort, p),
        );
        for (const { cidr, property } of rule.sources) {
          if (!isAnywhere(cidr) || admin) continue;
          if (
            onlyWebPorts(rule.protocol, rule.fromPort, rule.toPort) &&
            publicLbGroups.has(groupOf(r, rule.securityGroupId))
          )
            continue;
          const ports =
            rule.fromPort === rule.toPort
              ? `port ${String(rule.fromPort)}`
              : `ports ${String(rule.fromPort)}-${String(rule.toPort)}`;
          report(
            `${r.name} admits ${String(rule.protocol)} ${ports} from ${cidr}: change ${property} to a security group or VPC CIDR (only an internet-facing load balancer's security group may admit the internet, on 80/443)`,
            r.urn,
          );
        }
      }
    }
  },
);

const DATA_TYPES = [
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:elasticache/cluster:Cluster",
  "aws:efs/mountTarget:MountTarget",
  "aws:redshift/cluster:Cluster",
];

/** Data stores admit the app tier, never a public subnet. */
export const ec2IngressDisallowPublicSubnetToData = stackPolicy(
  {
    name: "ec2-ingress-disallow-public-subnet-to-data",
    description:
      "Security groups of databases, caches, file system mount targets and warehouses admit no CIDR that overlaps a public subnet (admit the app tier's security group instead).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(a)(1)", "164.312(e)(1)"],
    remediationSteps:
      "Replace the CIDR source with the app tier's security group (referencedSecurityGroupId / sourceSecurityGroupId).",
    levelReason:
      "A public subnet holds the load balancer and NAT, and whatever lands there by mistake: it must not reach PHI stores directly.",
  },
  [...Object.values(INGRESS_TYPES), ...DATA_TYPES, ...TOPOLOGY_TYPES],
  (resources, report) => {
    const net = new Topology(resources);
    const publicCidrs = [...net.subnets.entries()]
      .filter(([id]) => net.isPublicSubnet(id))
      .map(([, s]) => ({ cidr: String(s.props.cidrBlock ?? ""), name: s.name }));
    const dataGroups = new Set(
      resources
        .filter((r) => DATA_TYPES.includes(r.type))
        .flatMap((r) => [
          ...strings(r.props.vpcSecurityGroupIds),
          ...strings(r.props.securityGroupIds),
          ...strings(r.props.securityGroups),
        ]),
    );
    for (const r of resources.filter((x) =>
      Object.values(INGRESS_TYPES).includes(x.type as never),
    )) {
      for (const rule of ingressRules(r.type, r.props)) {
        if (!dataGroups.has(groupOf(r, rule.securityGroupId))) continue;
        for (const { cidr, property } of rule.sources) {
          const hit = publicCidrs.find(
            (p) => rangeContains(cidr, p.cidr) || rangeContains(p.cidr, cidr),
          );
          if (hit && !isAnywhere(cidr)) {
            report(
              `${r.name} lets the public subnet ${hit.name} (${hit.cidr}) reach a data store through ${property} ${cidr}: admit the app tier's security group instead`,
              r.urn,
            );
          } else if (isAnywhere(cidr)) {
            report(
              `${r.name} lets the whole internet reach a data store through ${property} ${cidr}: admit the app tier's security group instead`,
              r.urn,
            );
          }
        }
      }
    }
  },
);
