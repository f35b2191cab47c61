import { stackPolicy } from "../lib/policy";
import { T, TOPOLOGY_TYPES, Topology, idOf } from "../lib/topology";

/** The data tier has no way out of the VPC. */
export const ec2RouteTableDisallowInternetInDataTier = stackPolicy(
  {
    name: "ec2-routetable-disallow-internet-in-data-tier",
    description:
      "Route tables of the data tier (tagged Tier=data, or used by subnets tagged Tier=data) have no route to an internet gateway, an egress-only internet gateway or a NAT gateway.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(e)(1)", "164.312(a)(1)"],
    remediationSteps:
      "Remove the route; data-tier resources reach AWS services through VPC endpoints.",
    levelReason:
      "A route out of the data tier is the exfiltration path for a compromised database host.",
  },
  TOPOLOGY_TYPES,
  (resources, report) => {
    const net = Topology.of(resources);
    const dataTables = new Set<string>();
    for (const t of net.of(T.routeTable)) if (Topology.isDataTier(t)) dataTables.add(idOf(t));
    for (const s of net.of(T.subnet)) {
      const table = Topology.isDataTier(s) ? net.tableIdOfSubnet(idOf(s)) : undefined;
      if (table) dataTables.add(table);
    }
    const tableUrn = new Map(net.of(T.routeTable).map((t) => [idOf(t), t]));
    for (const tableId of dataTables) {
      for (const route of net.routesOut(tableId)) {
        const table = tableUrn.get(tableId);
        report(
          `${table?.name ?? tableId}, a data-tier route table, sends ${route.destination || "traffic"} to ${route.natGatewayId ?? route.egressOnlyGatewayId ?? route.gatewayId}: remove that route`,
          table?.urn,
        );
      }
    }
  },
);
