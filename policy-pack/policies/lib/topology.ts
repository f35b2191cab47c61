/**
 * The network as the stack declares it, judged by its effective routes: which route table each
 * subnet uses (its explicit association, else its VPC's main table, which a
 * MainRouteTableAssociation may swap), where each table routes (inline routes, `aws.ec2.Route` and
 * the adopted default table), and so which subnets are public (a route to an internet gateway) and
 * which private. Subnets the program does not declare are neither: nothing is claimed about them.
 * AWS: "Configure route tables", https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html
 * (a subnet not explicitly associated uses the main route table).
 */
import type { PolicyResource } from "@pulumi/policy";
import { Props, isTrue, list, obj, readEvery, strings } from "./props";
import { groupOf } from "./types";

export const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  defaultSubnet: "aws:ec2/defaultSubnet:DefaultSubnet",
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
  networkInterface: "aws:ec2/networkInterface:NetworkInterface",
  eip: "aws:ec2/eip:Eip",
  eipAssociation: "aws:ec2/eipAssociation:EipAssociation",
  dbSubnetGroup: "aws:rds/subnetGroup:SubnetGroup",
  cacheSubnetGroup: "aws:elasticache/subnetGroup:SubnetGroup",
  redshiftSubnetGroup: "aws:redshift/subnetGroup:SubnetGroup",
  mountTarget: "aws:efs/mountTarget:MountTarget",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ecsService: "aws:ecs/service:Service",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  alb: "aws:alb/loadBalancer:LoadBalancer",
  elb: "aws:elb/loadBalancer:LoadBalancer",
} as const;

export const TOPOLOGY_TYPES: readonly string[] = Object.values(T);

export interface Route {
  readonly destination: string;
  readonly gatewayId?: string;
  readonly natGatewayId?: string;
  readonly egressOnlyGatewayId?: string;
}

/** The id a resource is referred to by (outputs `id`; empty when unknown). */
export function idOf(r: PolicyResource): string {
  const id = r.props.id;
  return typeof id === "string" ? id : "";
}

/** A tag read without regard to the case of its key or value. */
export function tagIs(props: Props, key: string, value: string): boolean {
  const tags = obj(props.tags);
  if (tags === undefined) return false;
  const k = key.toLowerCase();
  const v = value.toLowerCase();
  readEvery(tags);
  for (const tk in tags) {
    if (tk.toLowerCase() === k && String(tags[tk]).toLowerCase() === v) return true;
  }
  return false;
}

/** The settings of a launch template an instance or group launches with, merged as EC2 does. */
export interface LaunchSettings {
  /** Whether the first network interface asks for a public IPv4 address; undefined: the subnet decides. */
  readonly publicIp?: boolean;
  readonly subnetIds: string[];
  readonly template?: PolicyResource;
}

/** Stack-wide memo: each stack policy of a run builds the same topology once. */
const built = new WeakMap<readonly PolicyResource[], Topology>();

export class Topology {
  private readonly routes = new Map<string, Route[]>();
  private readonly tableOfSubnetId = new Map<string, string>();
  private readonly mainTableOfVpc = new Map<string, string>();
  private readonly internetGateways = new Set<string>();
  private readonly templatesByKey = new Map<string, PolicyResource>();
  readonly subnets = new Map<string, PolicyResource>();
  readonly tables = new Map<string, PolicyResource>();
  readonly interfaces = new Map<string, PolicyResource>();

  static of(resources: readonly PolicyResource[]): Topology {
    let t = built.get(resources);
    if (!t) {
      t = new Topology(resources);
      built.set(resources, t);
    }
    return t;
  }

  constructor(readonly resources: readonly PolicyResource[]) {
    for (const igw of this.of(T.internetGateway)) this.internetGateways.add(idOf(igw));
    for (const s of [...this.of(T.subnet), ...this.of(T.defaultSubnet)])
      this.subnets.set(idOf(s), s);
    for (const n of this.of(T.networkInterface)) this.interfaces.set(idOf(n), n);
    for (const lt of this.of(T.launchTemplate)) {
      for (const key of [idOf(lt), lt.props.name, lt.props.arn])
        if (typeof key === "string" && key) this.templatesByKey.set(key, lt);
    }
    const vpcs = this.of(T.vpc);
    for (const vpc of vpcs) {
      const main = vpc.props.mainRouteTableId ?? vpc.props.defaultRouteTableId;
      if (typeof main === "string" && main) this.mainTableOfVpc.set(idOf(vpc), main);
    }
    for (const t of this.of(T.routeTable)) {
      this.tables.set(idOf(t), t);
      this.addRoutes(idOf(t), list(t.props.routes));
    }
    for (const t of this.of(T.defaultRouteTable)) {
      const id = String(t.props.defaultRouteTableId ?? idOf(t));
      this.tables.set(id, t);
      this.addRoutes(id, list(t.props.routes));
      // The adopted default table is its VPC's main table: find the VPC by either id it exposes.
      const vpc =
        vpcs.find((v) => v.props.defaultRouteTableId === id || v.props.mainRouteTableId === id) ??
        vpcs.find((v) => idOf(v) === t.props.vpcId) ??
        (vpcs.length === 1 && this.of(T.defaultRouteTable).length === 1 ? vpcs[0] : undefined);
      if (vpc && !this.mainTableOfVpc.has(idOf(vpc))) this.mainTableOfVpc.set(idOf(vpc), id);
    }
    for (const m of this.of(T.mainAssociation)) {
      this.mainTableOfVpc.set(String(m.props.vpcId), String(m.props.routeTableId));
    }
    for (const r of this.of(T.route)) {
      this.addRoutes(String(r.props.routeTableId), [
        {
          cidrBlock: r.props.destinationCidrBlock,
          ipv6CidrBlock: r.props.destinationIpv6CidrBlock,
          destinationPrefixListId: r.props.destinationPrefixListId,
          gatewayId: r.props.gatewayId,
          natGatewayId: r.props.natGatewayId,
          egressOnlyGatewayId: r.props.egressOnlyGatewayId,
        },
      ]);
    }
    for (const a of this.of(T.association)) {
      if (typeof a.props.subnetId === "string")
        this.tableOfSubnetId.set(a.props.subnetId, String(a.props.routeTableId));
    }
  }

  of(type: string): PolicyResource[] {
    return groupOf(this.resources, type);
  }

  private addRoutes(tableId: string, routes: Props[]): void {
    const existing = this.routes.get(tableId) ?? [];
    for (const r of routes) {
      existing.push({
        destination: String(r.cidrBlock ?? r.ipv6CidrBlock ?? r.destinationPrefixListId ?? ""),
        gatewayId: typeof r.gatewayId === "string" ? r.gatewayId : undefined,
        natGatewayId: typeof r.natGatewayId === "string" ? r.natGatewayId : undefined,
        egressOnlyGatewayId:
          typeof r.egressOnlyGatewayId === "string" && r.egressOnlyGatewayId
            ? r.egressOnlyGatewayId
            : undefined,
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
    if (this.subnets.get(subnetId)?.type === T.defaultSubnet) return true;
    return this.routesOf(this.tableIdOfSubnet(subnetId)).some((r) =>
      this.isInternetGateway(r.gatewayId),
    );
  }

  /** Declared subnets among these ids that are private (no route to an internet gateway). */
  privateIn(ids: readonly string[]): string[] {
    return ids.filter((id) => this.subnets.has(id) && !this.isPublicSubnet(id));
  }

  /** Declared subnets among these ids that are public. */
  publicIn(ids: readonly string[]): string[] {
    return ids.filter((id) => this.subnets.has(id) && this.isPublicSubnet(id));
  }

  /** Whether a subnet hands out public IPv4 addresses to what launches in it without asking. */
  mapsPublicIp(subnetId: string): boolean {
    const s = this.subnets.get(subnetId);
    if (!s) return false;
    return s.type === T.defaultSubnet
      ? s.props.mapPublicIpOnLaunch !== false
      : isTrue(s.props.mapPublicIpOnLaunch);
  }

  /**
   * The routes of a table that leave the VPC through an internet, egress-only internet or NAT
   * gateway (an egress-only internet gateway takes IPv6 traffic out to the internet. AWS: "Enable
   * outbound IPv6 traffic using an egress-only internet gateway",
   * https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html).
   */
  routesOut(tableId: string): Route[] {
    return this.routesOf(tableId).filter(
      (r) =>
        this.isInternetGateway(r.gatewayId) ||
        r.natGatewayId !== undefined ||
        r.egressOnlyGatewayId !== undefined,
    );
  }

  subnetName(subnetId: string): string {
    return this.subnets.get(subnetId)?.name ?? subnetId;
  }

  names(ids: readonly string[]): string {
    return ids.map((id) => this.subnetName(id)).join(", ");
  }

  /** A launch template named by id, name or ARN. */
  template(key: unknown): PolicyResource | undefined {
    return typeof key === "string" ? this.templatesByKey.get(key) : undefined;
  }

  /** The settings a template gives the first network interface of what it launches. */
  static templateSettings(lt: PolicyResource | undefined): LaunchSettings {
    if (!lt) return { subnetIds: [] };
    const nics = list(lt.props.networkInterfaces);
    const first = nics.find((n) => Number(n.deviceIndex ?? 0) === 0) ?? nics[0];
    const flag = first?.associatePublicIpAddress;
    return {
      publicIp: flag === undefined || flag === null || flag === "" ? undefined : isTrue(flag),
      subnetIds: nics.flatMap((n) => strings(n.subnetId)),
      template: lt,
    };
  }

  /** The launch template an instance or Auto Scaling group names, by id or by name. */
  templateOf(r: PolicyResource): PolicyResource | undefined {
    const refs: Props[] = [];
    const direct = obj(r.props.launchTemplate);
    if (direct) refs.push(direct);
    const mixed = obj(obj(r.props.mixedInstancesPolicy)?.launchTemplate);
    const spec = obj(mixed?.launchTemplateSpecification);
    if (spec) refs.push(spec);
    for (const ref of refs) {
      const lt =
        this.template(ref.id) ??
        this.template(ref.launchTemplateId) ??
        this.template(ref.name) ??
        this.template(ref.launchTemplateName);
      if (lt) return lt;
    }
    return undefined;
  }

  /** The subnet of an instance: its own, its primary network interface's, or its template's. */
  instanceSubnets(instance: PolicyResource): string[] {
    const own = strings(instance.props.subnetId);
    if (own.length) return own;
    const eniIds = [
      ...strings(obj(instance.props.primaryNetworkInterface)?.networkInterfaceId),
      ...list(instance.props.networkInterfaces).flatMap((n) => strings(n.networkInterfaceId)),
    ];
    const viaEni = eniIds.flatMap((id) => strings(this.interfaces.get(id)?.props.subnetId));
    if (viaEni.length) return viaEni;
    return Topology.templateSettings(this.templateOf(instance)).subnetIds;
  }

  /** Subnet ids a resource is placed in, for the types that name subnets. */
  static subnetIdsOf(r: PolicyResource): string[] {
    return [
      ...strings(r.props.subnetId),
      ...strings(r.props.subnetIds),
      ...strings(r.props.subnets),
      ...strings(r.props.vpcZoneIdentifiers),
      ...list(r.props.subnetMappings).flatMap((m) => strings(m.subnetId)),
      ...list(r.props.networkInterfaces).flatMap((n) => strings(n.subnetId)),
    ];
  }

  /** Whether a subnet or table is marked as the data tier (a `Tier` tag of `data`, any case). */
  static isDataTier(r: PolicyResource): boolean {
    return tagIs(r.props, "Tier", "data");
  }
}
