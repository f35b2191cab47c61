import { includesPublic, rangesOverlap } from "../lib/cidr";
import {
  EffectiveRule,
  Exposure,
  NETWORK_RULE_TYPES,
  allIngress,
  describePorts,
  internetExposures,
} from "../lib/ingress";
import { BREADTH_SCHEMA, breadthOf } from "../lib/network";
import { ADMIN_PORTS } from "../lib/ports";
import { stackPolicy } from "../lib/policy";
import { obj, strings } from "../lib/props";
import { TOPOLOGY_TYPES, Topology } from "../lib/topology";
import { GroupReach, REACH_TYPES } from "../lib/attachments";
import type { PolicyResource } from "@pulumi/policy";
import type { BreadthLimits } from "../lib/cidr";

/** ICMP that path MTU discovery needs: IPv4 type 3 (unreachable), IPv6 type 2 (too big). */
function isPathMtu(e: Exposure): boolean {
  return (
    (e.protocol === "icmp" && e.from === 3 && e.to === 3) ||
    (e.protocol === "icmpv6" && e.from === 2 && e.to === 2)
  );
}

/** TCP and UDP exposures have ports that a listener or target answers on. */
const hasPorts = (e: Exposure) => e.protocol === "tcp" || e.protocol === "udp";

/** Whether every port of the exposure is one of these. */
function within(e: Exposure, ports: readonly number[]): boolean {
  if (e.to - e.from >= ports.length) return false;
  for (let p = e.from; p <= e.to; p++) if (!ports.includes(p)) return false;
  return true;
}

/** The exposure's range without admin ports at either end (a range of 22-443 still needs 23-443). */
function trimAdmin(e: Exposure, adminPorts: readonly number[]): [number, number] {
  let [from, to] = [e.from, e.to];
  while (from < to && adminPorts.includes(from)) from++;
  while (to > from && adminPorts.includes(to)) to--;
  return [from, to];
}

interface InternetConfig extends Partial<BreadthLimits> {
  readonly adminPorts: number[];
}

/** Internet ingress only where a healthcare platform needs it: 80/443 on an internet-facing load balancer. */
export const ec2IngressDisallowInternet = stackPolicy(
  {
    name: "ec2-ingress-disallow-internet",
    description:
      "Security group ingress from the internet (0.0.0.0/0, ::/0, any set of sources that together cover the public address space, or a source broader than minPublicPrefixV4/V6 with public addresses; inline, detached or through a prefix list) is refused unless everything the group is attached to takes those ports from the internet by design: an internet-facing load balancer on 80, 443 or its listeners' ports, and targets in private subnets of an internet-facing Network Load Balancer without security groups that preserves client addresses, on their target port (AWS requires admitting the clients there); ICMP for path MTU discovery is allowed, and administrative ports are the admin allow-list policy's.",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(e)(1)", "164.312(a)(1)"],
    remediationSteps:
      "Put the service behind an internet-facing load balancer and admit the internet only on its security group, on 443 (and 80 to redirect); admit everything else from security groups or VPC CIDRs.",
    levelReason:
      "Every port open to the internet beyond the load balancer is attack surface in front of PHI.",
    configSchema: {
      properties: {
        adminPorts: { type: "array", items: { type: "integer" }, default: [...ADMIN_PORTS] },
        ...BREADTH_SCHEMA,
      },
    },
  },
  [...NETWORK_RULE_TYPES, ...REACH_TYPES],
  (resources, report, args) => {
    const config = args.getConfig<InternetConfig>();
    const reported = new Set<string>();
    const candidates = internetExposures(allIngress(resources), breadthOf(config)).filter(
      (e) => !isPathMtu(e) && !(e.protocol === "tcp" && within(e, config.adminPorts)),
    );
    // Where each exposed group leads, computed only when some group admits the internet.
    const reach = candidates.length ? GroupReach.of(resources) : undefined;
    const portGroups = new Set(candidates.filter(hasPorts).map((e) => e.rule.group));
    const attached = reach?.attachments(portGroups) ?? new Map<string, PolicyResource[]>();
    for (const e of candidates) {
      // The admin ports of a range are the admin allow-list's to judge.
      const [from, to] = trimAdmin(e, config.adminPorts);
      if (hasPorts(e) && reach?.designedFor(attached.get(e.rule.group) ?? [], from, to)) continue;
      const key = `${e.rule.resource.urn}|${e.property}|${e.cidr}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const r = e.rule;
      report(
        `${r.resource.name} admits ${describePorts(r.protocolText || r.protocol, r.from, r.to)} from ${e.cidr}, the internet (alone or with the group's other sources): change ${e.property} to a security group or VPC CIDR (only an internet-facing load balancer's security group may admit the internet, on 80/443 or its listeners' ports, and the private targets of an internet-facing Network Load Balancer that preserves client addresses, on their target port)`,
        r.resource.urn,
      );
    }
  },
);

/** Ports of services that never face the internet: WinRM and databases. */
export const DEFAULT_SERVICE_PORTS = [
  5985, 5986, 1433, 1521, 2049, 2484, 3306, 5432, 5439, 6379, 8182, 9042, 9200, 9300, 11211, 27017,
];

interface ServiceConfig extends Partial<BreadthLimits> {
  readonly servicePorts: number[];
}

/** WinRM and database ports are never open to the internet, load balancer or not. */
export const ec2IngressDisallowInternetServicePorts = stackPolicy(
  {
    name: "ec2-ingress-disallow-internet-service-ports",
    description:
      "No security group admits the internet (as ec2-ingress-disallow-internet defines it) on a WinRM or database port (servicePorts: WinRM 5985/5986, SQL Server, Oracle, NFS, MySQL, PostgreSQL, Redshift, Redis, Neptune, Cassandra, OpenSearch, Memcached, MongoDB), whatever the group is attached to.",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(e)(1)", "164.312(a)(1)"],
    remediationSteps:
      "Admit database and WinRM ports only from the app tier's security group; reach Windows hosts through Session Manager.",
    levelReason:
      "A database or remote-management port on the internet is scanned within minutes; PHI is then one weak credential away.",
    configSchema: {
      properties: {
        servicePorts: { type: "array", items: { type: "integer" }, default: DEFAULT_SERVICE_PORTS },
        ...BREADTH_SCHEMA,
      },
    },
  },
  NETWORK_RULE_TYPES,
  (resources, report, args) => {
    const config = args.getConfig<ServiceConfig>();
    const reported = new Set<string>();
    for (const e of internetExposures(allIngress(resources), breadthOf(config))) {
      if (e.protocol !== "tcp" && e.protocol !== "udp") continue;
      const hit = config.servicePorts.filter((p) => e.from <= p && p <= e.to);
      if (!hit.length) continue;
      const key = `${e.rule.resource.urn}|${e.property}|${e.cidr}`;
      if (reported.has(key)) continue;
      reported.add(key);
      report(
        `${e.rule.resource.name} opens ${hit.length > 4 ? `${hit.slice(0, 4).join(", ")} and ${hit.length - 4} more service ports` : `port${hit.length > 1 ? "s" : ""} ${hit.join(", ")}`} to the internet through ${e.property} ${e.cidr}: admit only the app tier's security group on database and WinRM ports`,
        e.rule.resource.urn,
      );
    }
  },
);

/** Data stores by type, and where they name their security groups. */
const DATA_STORES: Readonly<Record<string, (p: Record<string, unknown>) => string[]>> = {
  "aws:rds/instance:Instance": (p) => strings(p.vpcSecurityGroupIds),
  "aws:rds/cluster:Cluster": (p) => strings(p.vpcSecurityGroupIds),
  "aws:rds/proxy:Proxy": (p) => strings(p.vpcSecurityGroupIds),
  "aws:docdb/cluster:Cluster": (p) => strings(p.vpcSecurityGroupIds),
  "aws:neptune/cluster:Cluster": (p) => strings(p.vpcSecurityGroupIds),
  "aws:elasticache/replicationGroup:ReplicationGroup": (p) => strings(p.securityGroupIds),
  "aws:elasticache/cluster:Cluster": (p) => strings(p.securityGroupIds),
  "aws:elasticache/serverlessCache:ServerlessCache": (p) => strings(p.securityGroupIds),
  "aws:efs/mountTarget:MountTarget": (p) => strings(p.securityGroups),
  "aws:redshift/cluster:Cluster": (p) => strings(p.vpcSecurityGroupIds),
  "aws:redshiftserverless/workgroup:Workgroup": (p) => strings(p.securityGroupIds),
  "aws:opensearch/domain:Domain": (p) => strings(obj(p.vpcOptions)?.securityGroupIds),
  "aws:elasticsearch/domain:Domain": (p) => strings(obj(p.vpcOptions)?.securityGroupIds),
  "aws:memorydb/cluster:Cluster": (p) => strings(p.securityGroupIds),
};

function dataGroups(resources: readonly { type: string; props: Record<string, unknown> }[]) {
  const out = new Set<string>();
  for (const r of resources) for (const g of DATA_STORES[r.type]?.(r.props) ?? []) out.add(g);
  return out;
}

/** Data stores admit the app tier, never a public subnet. */
export const ec2IngressDisallowPublicSubnetToData = stackPolicy(
  {
    name: "ec2-ingress-disallow-public-subnet-to-data",
    description:
      "Security groups of databases, proxies, caches, file system mount targets, warehouses and search domains admit no CIDR that overlaps a public subnet or includes public addresses (admit the app tier's security group instead).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(a)(1)", "164.312(e)(1)"],
    remediationSteps:
      "Replace the CIDR source with the app tier's security group (referencedSecurityGroupId / sourceSecurityGroupId).",
    levelReason:
      "A public subnet holds the load balancer and NAT, and whatever lands there by mistake: it must not reach PHI stores directly.",
  },
  [...NETWORK_RULE_TYPES, ...Object.keys(DATA_STORES), ...TOPOLOGY_TYPES],
  (resources, report) => {
    const net = Topology.of(resources);
    const publicCidrs = [...net.subnets.entries()]
      .filter(([id]) => net.isPublicSubnet(id))
      .flatMap(([, s]) =>
        [s.props.cidrBlock, s.props.ipv6CidrBlock]
          .filter((c): c is string => typeof c === "string" && c !== "")
          .map((cidr) => ({ cidr, name: s.name })),
      );
    const groups = dataGroups(resources);
    const rules: EffectiveRule[] = allIngress(resources).filter((r) => groups.has(r.group));
    for (const rule of rules) {
      for (const { cidr, property } of rule.sources) {
        const hit = publicCidrs.find((p) => rangesOverlap(cidr, p.cidr));
        if (includesPublic(cidr)) {
          report(
            `${rule.resource.name} lets public addresses (${cidr}) reach a data store through ${property}: admit the app tier's security group instead`,
            rule.resource.urn,
          );
        } else if (hit) {
          report(
            `${rule.resource.name} lets the public subnet ${hit.name} (${hit.cidr}) reach a data store through ${property} ${cidr}: admit the app tier's security group instead`,
            rule.resource.urn,
          );
        }
      }
    }
  },
);
