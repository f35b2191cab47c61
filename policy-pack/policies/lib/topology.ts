/**
 * The network as the stack declares it: which route table each subnet uses (its explicit
 * association, or its VPC's main table), where each table routes, and so which subnets are public
 * (a route to an internet gateway) and which private.
 */
import type { PolicyResource } from "@pulumi/policy";
import { Props, list, strings, tagsOf } from "./props";

export const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  routeTable: "aws:ec2/routeTable:RouteTable",
  defaultRouteTable: "aws:ec2/defaultRouteTable:DefaultRouteTable",
  route: "aws:ec2/route:Route",
  association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  mainAssociation: "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
  internetGateway: "aws:ec2/internetGateway:InternetGateway",
  natGateway: "aws:ec2/natGateway:NatGateway",
  instance: "aws:ec2/instance:Instance",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  launchConfiguration: "aws:ec2/launchConfiguration:LaunchConfiguration",
  autoscalingGroup: "aws:autoscaling/group:Group",
  eip: "aws:ec2/eip:Eip",
  eipAssociation: "aws:ec2/eipAssociation:EipAssociation",
  dbSubnetGroup: "aws:rds/subnetGroup:SubnetGroup",
  cacheSubnetGroup: "aws:elasticache/subnetGroup:SubnetGroup",
  mountTarget: "aws:efs/mountTarget:MountTarget",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
} as const;

export const TOPOLOGY_TYPES: readonly string[] = Object.values(T);

export interface Route {
  readonly destination: string;
  readonly gatewayId?: string;
  readonly natGatewayId?: string;
}

/** The id a resource is referred to by (outputs `id`; empty when unknown). */
export function idOf(r: PolicyResource): string {
  const id = r.props.id;
  return typeof id === "string" ? id : "";
}

export class Topology {
  private readonly byType = new Map<string, PolicyResource[]>();
  private readonly tables = new Map<string, PolicyResource>();
  private readonly routes = new Map<string, Route[]>();
  private readonly tableOfSubnetId = new Map<string, string>();
  private readonly mainTableOfVpc = new Map<string, string>();
  private readonly internetGateways = new Set<string>();
  readonly subnets = new Map<string, PolicyResource>();

  constructor(readonly resources: readonly PolicyResource[]) {
    for (const r of resources) {
      const list = this.byType.get(r.type) ?? [];
      list.push(r);
      this.byType.set(r.type, list);
    }
    for (const igw of this.of(T.internetGateway)) this.internetGateways.add(idOf(igw));
    for (const s of this.of(T.subnet)) this.subnets.set(idOf(s), s);
    for (const vpc of this.of(T.vpc)) {
      const main = vpc.props.mainRouteTableId ?? vpc.props.defaultRouteTableId;
      if (typeof main === "string") this.mainTableOfVpc.set(idOf(vpc), main);
    }
    for (const m of this.of(T.mainAssociation)) {
      this.mainTableOfVpc.set(String(m.props.vpcId), String(m.props.routeTableId));
    }
    for (const t of this.of(T.routeTable)) {
      this.tables.set(idOf(t), t);
      this.addRoutes(idOf(t), list(t.props.routes));
    }
    for (const t of this.of(T.defaultRouteTable)) {
      const id = String(t.props.defaultRouteTableId ?? idOf(t));
      this.tables.set(id, t);
      this.addRoutes(id, list(t.props.routes));
    }
    for (const r of this.of(T.route)) {
      this.addRoutes(String(r.props.routeTableId), [
        {
          cidrBlock: r.props.destinationCidrBlock,
          ipv6CidrBlock: r.props.destinationIpv6CidrBlock,
          gatewayId: r.props.gatewayId,
          natGatewayId: r.props.natGatewayId,
        },
      ]);
    }
    for (const a of this.of(T.association)) {
      if (typeof a.props.subnetId === "string")
        this.tableOfSubnetId.set(a.props.subnetId, String(a.props.routeTableId));
    }
  }

  of(type: string): PolicyResource[] {
    return this.byType.get(type) ?? [];
  }

  private addRoutes(tableId: string, routes: Props[]): void {
    const existing = this.routes.get(tableId) ?? [];
    for (const r of routes) {
      existing.push({
        destination: String(r.cidrBlock ?? r.ipv6CidrBlock ?? r.destinationPrefixListId ?? ""),
        gatewayId: typeof r.gatewayId === "string" ? r.gatewayId : undefined,
        natGatewayId: typeof r.natGatewayId === "string" ? r.natGatewayId : undefined,
      });
    }
    this.routes.set(tableId, existing);
  }

  /** The route table a subnet uses: its explicit association, else its VPC's main table. */
  tableIdOfSubnet(subnetId: string): string | undefined {
    const explicit = this.tableOfSubnetId.get(subnetId);
    if (explicit) return explicit;
    const subnet = this.subnets.get(subnetId);
    return subnet ? this.mainTableOfVpc.get(String(subnet.props.vpcId)) : undefined;
  }

  routesOf(tableId: string | undefined): Route[] {
    return tableId ? (this.routes.get(tableId) ?? []) : [];
  }

  isInternetGateway(id: string | undefined): boolean {
    return id !== undefined && (this.internetGateways.has(id) || id.startsWith("igw-"));
  }

  /** A subnet is public when its route table sends anything to an internet gateway. */
  isPublicSubnet(subnetId: string): boolean {
    return this.routesOf(this.tableIdOfSubnet(subnetId)).some((r) =>
      this.isInternetGateway(r.gatewayId),
    );
  }

  /** The routes of a table that leave the VPC through an internet or NAT gateway. */
  routesOut(tableId: string): Route[] {
    return this.routesOf(tableId).filter(
      (r) => this.isInternetGateway(r.gatewayId) || r.natGatewayId !== undefined,
    );
  }

  subnetName(subnetId: string): string {
    return this.subnets.get(subnetId)?.name ?? subnetId;
  }

  /** Subnet ids a resource is placed in, for the types that name subnets. */
  static subnetIdsOf(r: PolicyResource): string[] {
    return [
      ...strings(r.props.subnetId),
      ...strings(r.props.subnetIds),
      ...strings(r.props.vpcZoneIdentifiers),
      ...list(r.props.networkInterfaces).flatMap((n) => strings(n.subnetId)),
    ];
  }

  /** Whether a subnet or table is marked as the data tier (the platform tags it `Tier: data`). */
  static isDataTier(r: PolicyResource): boolean {
    return tagsOf(r.props).Tier === "data";
  }
}
