import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/policy";
import { isTrue, list, obj, strings, tagsOf } from "../lib/props";
import { T, TOPOLOGY_TYPES, Topology, idOf } from "../lib/topology";

/** Instances the platform deliberately places in a public subnet carry this `Role` tag. */
export const PUBLIC_ROLES = ["bastion"];

function launchTemplatePublicIp(lt: PolicyResource): boolean {
  return list(lt.props.networkInterfaces).some((n) => isTrue(n.associatePublicIpAddress));
}

/**
 * No public resources in private subnets, and no private workloads in public ones: a subnet is
 * private when its route table (explicit association, or the VPC's main table) has no route to an
 * internet gateway.
 */
export const ec2SubnetDisallowPublicInPrivate = stackPolicy(
  {
    name: "ec2-subnet-disallow-public-in-private",
    description:
      "In private subnets: no instance, launch template or launch configuration with a public IP, and no Elastic IP on such an instance. In public subnets: no application instance (only those tagged Role=bastion), Auto Scaling group, database or cache subnet group, or EFS mount target.",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(e)(1)", "164.312(a)(1)"],
    remediationSteps:
      "Keep application and data resources in subnets whose route tables have no internet gateway route; remove public IPs from them (associatePublicIpAddress false) and reach them through the load balancer or Session Manager.",
    levelReason:
      "A public address on a host in a private subnet, or a database in a public one, defeats the network tiers that keep PHI off the internet.",
  },
  TOPOLOGY_TYPES,
  (resources, report) => {
    const net = new Topology(resources);
    const publicIn = (ids: string[]) =>
      ids.filter((id) => net.subnets.has(id) && net.isPublicSubnet(id));
    const privateIn = (ids: string[]) =>
      ids.filter((id) => net.subnets.has(id) && !net.isPublicSubnet(id));
    const names = (ids: string[]) => ids.map((id) => net.subnetName(id)).join(", ");

    for (const instance of net.of(T.instance)) {
      const subnets = Topology.subnetIdsOf(instance);
      const role = tagsOf(instance.props).Role;
      if (isTrue(instance.props.associatePublicIpAddress) && privateIn(subnets).length) {
        report(
          `${instance.name} has a public IP in the private subnet ${names(privateIn(subnets))}: set associatePublicIpAddress to false`,
          instance.urn,
        );
      }
      if (publicIn(subnets).length && !PUBLIC_ROLES.includes(role ?? "")) {
        report(
          `${instance.name} runs in the public subnet ${names(publicIn(subnets))}: move it to an app-tier subnet (subnetId) behind the load balancer; only instances tagged Role=bastion belong in a public subnet`,
          instance.urn,
        );
      }
    }

    const instancesById = new Map(net.of(T.instance).map((i) => [idOf(i), i]));
    for (const eip of [...net.of(T.eip), ...net.of(T.eipAssociation)]) {
      const instance = instancesById.get(String(eip.props.instance ?? eip.props.instanceId ?? ""));
      if (instance && privateIn(Topology.subnetIdsOf(instance)).length) {
        report(
          `${eip.name} gives ${instance.name}, in a private subnet, a public address: remove the Elastic IP`,
          eip.urn,
        );
      }
    }

    const templates = new Map(net.of(T.launchTemplate).map((lt) => [idOf(lt), lt]));
    const configurations = new Map(
      net.of(T.launchConfiguration).map((lc) => [String(lc.props.name ?? idOf(lc)), lc]),
    );
    for (const group of net.of(T.autoscalingGroup)) {
      const subnets = strings(group.props.vpcZoneIdentifiers);
      if (publicIn(subnets).length) {
        report(
          `${group.name} launches instances in the public subnet ${names(publicIn(subnets))}: set vpcZoneIdentifiers to app-tier subnets`,
          group.urn,
        );
      }
      const ltRef =
        obj(group.props.launchTemplate) ??
        obj(obj(group.props.mixedInstancesPolicy)?.launchTemplate);
      const lt = templates.get(
        String(ltRef?.id ?? obj(ltRef?.launchTemplateSpecification)?.launchTemplateId ?? ""),
      );
      if (lt && launchTemplatePublicIp(lt) && privateIn(subnets).length) {
        report(
          `${lt.name} gives instances of ${group.name} public IPs in private subnets: set networkInterfaces[].associatePublicIpAddress to "false"`,
          lt.urn,
        );
      }
      const lc = configurations.get(String(group.props.launchConfiguration ?? ""));
      if (lc && isTrue(lc.props.associatePublicIpAddress) && privateIn(subnets).length) {
        report(
          `${lc.name} gives instances of ${group.name} public IPs in private subnets: set associatePublicIpAddress to false`,
          lc.urn,
        );
      }
    }

    const placed: [string, string][] = [
      [T.dbSubnetGroup, "database subnet group"],
      [T.cacheSubnetGroup, "cache subnet group"],
      [T.mountTarget, "EFS mount target"],
    ];
    for (const [type, what] of placed) {
      for (const r of net.of(type)) {
        const pub = publicIn(Topology.subnetIdsOf(r));
        if (pub.length) {
          report(
            `${r.name}, a ${what}, includes the public subnet ${names(pub)}: use data-tier (or app-tier) subnets only`,
            r.urn,
          );
        }
      }
    }
  },
);
