import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/policy";
import { isTrue, list, obj, strings } from "../lib/props";
import { T, TOPOLOGY_TYPES, Topology, idOf, tagIs } from "../lib/topology";

/** Instances the platform deliberately places in a public subnet carry this `Role` tag. */
export const PUBLIC_ROLES = ["bastion"];

function isPublicRole(r: PolicyResource): boolean {
  return PUBLIC_ROLES.some((role) => tagIs(r.props, "Role", role));
}

/**
 * Whether what launches gets a public IPv4 address: an explicit flag wins (the instance's own over
 * its template's, as RunInstances parameters override a template), else the subnet's
 * mapPublicIpOnLaunch. AWS: "Amazon EC2 instance IP addressing",
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html
 */
function getsPublicIp(net: Topology, flags: unknown[], subnets: string[]): boolean {
  for (const f of flags) {
    if (f === undefined || f === null || f === "") continue;
    return isTrue(f);
  }
  return subnets.some((s) => net.mapsPublicIp(s));
}

/**
 * No public address in a private subnet, by any path, and no private workload in a public one:
 * a subnet is private when its effective route table has no route to an internet gateway.
 */
export const ec2SubnetDisallowPublicInPrivate = stackPolicy(
  {
    name: "ec2-subnet-disallow-public-in-private",
    description:
      "In private subnets (by effective routes: explicit association, else the VPC's main route table): no public IPv4 address by any path (an instance's own flag, its launch template by id or name, a launch configuration, an Auto Scaling group's template, a subnet that maps public IPs, an Elastic IP on an instance or network interface, an ECS service with assignPublicIp) and no internet-facing load balancer. In public subnets: no application instance (only those tagged Role=bastion), Auto Scaling group, database, cache or warehouse subnet group, or EFS mount target.",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(e)(1)", "164.312(a)(1)"],
    remediationSteps:
      "Keep application and data resources in subnets whose route tables have no internet gateway route; remove public IPs from them (associatePublicIpAddress false, assignPublicIp false, no Elastic IP) and reach them through the load balancer or Session Manager.",
    levelReason:
      "A public address on a host in a private subnet, or a database in a public one, defeats the network tiers that keep PHI off the internet.",
  },
  TOPOLOGY_TYPES,
  (resources, report) => {
    const net = Topology.of(resources);

    const instancesById = new Map<string, PolicyResource>();
    for (const instance of net.of(T.instance)) {
      instancesById.set(idOf(instance), instance);
      const lt = Topology.templateSettings(net.templateOf(instance));
      const subnets = net.instanceSubnets(instance);
      const privateSubnets = net.privateIn(subnets);
      if (
        privateSubnets.length &&
        getsPublicIp(net, [instance.props.associatePublicIpAddress, lt.publicIp], privateSubnets)
      ) {
        report(
          `${instance.name} gets a public IP in the private subnet ${net.names(privateSubnets)}${lt.template && instance.props.associatePublicIpAddress === undefined ? ` through ${lt.template.name}` : ""}: set associatePublicIpAddress to false`,
          instance.urn,
        );
      }
      const publicSubnets = net.publicIn(subnets);
      if (publicSubnets.length && !isPublicRole(instance)) {
        report(
          `${instance.name} runs in the public subnet ${net.names(publicSubnets)}: move it to an app-tier subnet (subnetId) behind the load balancer; only instances tagged Role=bastion belong in a public subnet`,
          instance.urn,
        );
      }
    }

    for (const eni of net.of(T.networkInterface)) {
      const privateSubnets = net.privateIn(strings(eni.props.subnetId));
      if (!privateSubnets.length) continue;
      const eips = [...net.of(T.eip), ...net.of(T.eipAssociation)].filter(
        (e) => (e.props.networkInterface ?? e.props.networkInterfaceId) === idOf(eni),
      );
      for (const eip of eips) {
        report(
          `${eip.name} gives the network interface ${eni.name}, in the private subnet ${net.names(privateSubnets)}, a public address: remove the Elastic IP`,
          eip.urn,
        );
      }
    }
    for (const eip of [...net.of(T.eip), ...net.of(T.eipAssociation)]) {
      const instance = instancesById.get(String(eip.props.instance ?? eip.props.instanceId ?? ""));
      const privateSubnets = instance ? net.privateIn(net.instanceSubnets(instance)) : [];
      if (instance && privateSubnets.length) {
        report(
          `${eip.name} gives ${instance.name}, in the private subnet ${net.names(privateSubnets)}, a public address: remove the Elastic IP`,
          eip.urn,
        );
      }
    }

    const configurations = new Map<string, PolicyResource>();
    for (const lc of net.of(T.launchConfiguration))
      for (const key of [lc.props.name, idOf(lc), lc.props.arn])
        if (typeof key === "string" && key) configurations.set(key, lc);
    for (const group of net.of(T.autoscalingGroup)) {
      const subnets = strings(group.props.vpcZoneIdentifiers);
      const publicSubnets = net.publicIn(subnets);
      if (publicSubnets.length) {
        report(
          `${group.name} launches instances in the public subnet ${net.names(publicSubnets)}: set vpcZoneIdentifiers to app-tier subnets`,
          group.urn,
        );
      }
      const privateSubnets = net.privateIn(subnets);
      if (!privateSubnets.length) continue;
      const lt = net.templateOf(group);
      const lc = configurations.get(String(group.props.launchConfiguration ?? ""));
      if (lt && getsPublicIp(net, [Topology.templateSettings(lt).publicIp], privateSubnets)) {
        report(
          `${lt.name} gives instances of ${group.name} public IPs in the private subnet ${net.names(privateSubnets)}: set networkInterfaces[0].associatePublicIpAddress to "false" (and keep mapPublicIpOnLaunch false)`,
          lt.urn,
        );
      } else if (lc && getsPublicIp(net, [lc.props.associatePublicIpAddress], privateSubnets)) {
        report(
          `${lc.name} gives instances of ${group.name} public IPs in the private subnet ${net.names(privateSubnets)}: set associatePublicIpAddress to false`,
          lc.urn,
        );
      } else if (!lt && !lc && net.privateIn(subnets).some((s) => net.mapsPublicIp(s))) {
        report(
          `${group.name} launches into the private subnet ${net.names(privateSubnets)}, which maps public IPs on launch: set the subnet's mapPublicIpOnLaunch to false`,
          group.urn,
        );
      }
    }

    for (const service of net.of(T.ecsService)) {
      const nc = obj(service.props.networkConfiguration);
      const privateSubnets = net.privateIn(strings(nc?.subnets));
      if (privateSubnets.length && isTrue(nc?.assignPublicIp)) {
        report(
          `${service.name} gives its tasks public IPs in the private subnet ${net.names(privateSubnets)}: set networkConfiguration.assignPublicIp to false`,
          service.urn,
        );
      }
    }

    for (const lb of [...net.of(T.lb), ...net.of(T.alb), ...net.of(T.elb)]) {
      if (isTrue(lb.props.internal)) continue;
      const subnets = [
        ...strings(lb.props.subnets),
        ...list(lb.props.subnetMappings).flatMap((m) => strings(m.subnetId)),
      ];
      const privateSubnets = net.privateIn(subnets);
      if (privateSubnets.length) {
        report(
          `${lb.name} is internet-facing in the private subnet ${net.names(privateSubnets)}: set internal to true, or place it in public subnets only`,
          lb.urn,
        );
      }
    }

    const placed: [string, string][] = [
      [T.dbSubnetGroup, "database subnet group"],
      [T.cacheSubnetGroup, "cache subnet group"],
      [T.redshiftSubnetGroup, "warehouse subnet group"],
      [T.mountTarget, "EFS mount target"],
    ];
    for (const [type, what] of placed) {
      for (const r of net.of(type)) {
        const pub = net.publicIn(Topology.subnetIdsOf(r));
        if (pub.length) {
          report(
            `${r.name}, a ${what}, includes the public subnet ${net.names(pub)}: use data-tier (or app-tier) subnets only`,
            r.urn,
          );
        }
      }
    }
  },
);
