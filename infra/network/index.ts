import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../iam";
import { SubnetPlan, Tier, planSubnets } from "./cidr";
import { TierNacl, appNacl, dataNacl, publicNacl } from "./nacl";

export { SubnetPlan, Tier, planSubnets } from "./cidr";

/**
 * Interface endpoints that let instances be managed, log, and reach keys and secrets without any
 * route to the internet.
 */
export const DEFAULT_INTERFACE_ENDPOINTS = [
  "ssm",
  "ssmmessages",
  "ec2messages",
  "kms",
  "logs",
  "secretsmanager",
  "sts",
  "monitoring",
] as const;

/** Gateway endpoints (free, route-table based) for the two services that offer them. */
export const GATEWAY_ENDPOINTS = ["s3", "dynamodb"] as const;

/** PostgreSQL and Valkey/Redis: the ports the data tier serves. */
export const DEFAULT_DATA_PORTS = [5432, 6379] as const;

export const DEFAULT_FLOW_LOG_RETENTION_DAYS = 365;

export type NatMode = "perAz" | "single" | "none";

export interface NetworkArgs {
  /** The VPC CIDR, a /16 to /20 (see planSubnets). */
  readonly vpcCidr: string;
  /** The AZs to span, in order; one subnet per tier in each. */
  readonly availabilityZones: readonly string[];
  /** The region, for endpoint service names and the flow-log role's scope. */
  readonly region: string;
  /** The account, for the flow-log role's confused-deputy condition. */
  readonly accountId: string;
  /** The AWS partition. */
  readonly partition: string;
  /** The KMS key that encrypts the flow-log group. */
  readonly logsKeyArn: pulumi.Input<string>;
  /** Whether to build the public tier (internet gateway, public subnets). @default true */
  readonly publicTier?: boolean;
  /** NAT gateways for the app tier's egress. @default "perAz" */
  readonly natGateways?: NatMode;
  /** Days to keep flow logs (a CloudWatch retention period, 365 or more). @default 365 */
  readonly flowLogRetentionDays?: number;
  /** Interface endpoint services, in the app subnets. @default DEFAULT_INTERFACE_ENDPOINTS */
  readonly interfaceEndpoints?: readonly string[];
  /** TCP ports the data tier serves to the app tier. @default DEFAULT_DATA_PORTS */
  readonly dataPorts?: readonly number[];
  /** Keep the flow-log group (audit evidence) when the stack is destroyed. @default true */
  readonly protect?: boolean;
  /**
   * A flow-log group the caller owns, for a network that is removed while its logs are kept (a
   * closed research enclave). @default a group of the network's own
   */
  readonly flowLogGroup?: aws.cloudwatch.LogGroup;
  /** Sites the bastion admits SSH from: the public tier's ACL lets them in on 22. @default none */
  readonly sshSources?: readonly string[];
  /**
   * How long deleting a subnet may wait for network interfaces that a service releases late (a VPC
   * Lambda function's outlive it by many minutes). @default the provider's delete timeout
   */
  readonly subnetDeleteTimeout?: string;
  /** Endpoint policies of the gateway endpoints, by service. @default full access */
  readonly gatewayEndpointPolicies?: Partial<Record<GatewayService, pulumi.Input<string>>>;
}

export type GatewayService = (typeof GATEWAY_ENDPOINTS)[number];

type PerTier<T> = Readonly<Record<Tier, T>>;

/**
 * One VPC with three subnet tiers in every AZ (public: load balancer and NAT only; app: private,
 * egress through NAT; data: isolated), routes and network ACLs per tier, the default security group
 * and ACL emptied, flow logs of all traffic to an encrypted log group, and VPC endpoints so that
 * instances are managed without the internet.
 */
export class Network extends pulumi.ComponentResource {
  public readonly plan: SubnetPlan;
  public readonly vpc: aws.ec2.Vpc;
  public readonly vpcId: pulumi.Output<string>;
  public readonly subnets: PerTier<aws.ec2.Subnet[]>;
  public readonly subnetIds: PerTier<pulumi.Output<string>[]>;
  public readonly routeTables: PerTier<aws.ec2.RouteTable[]>;
  public readonly routeTableIds: PerTier<pulumi.Output<string>[]>;
  public readonly natGateways: aws.ec2.NatGateway[];
  public readonly flowLogGroup: aws.cloudwatch.LogGroup;
  public readonly gatewayEndpoints: Readonly<Record<GatewayService, aws.ec2.VpcEndpoint>>;
  public readonly endpointSecurityGroup: aws.ec2.SecurityGroup;
  /** The app tier's security group: data stores admit it; compute adds its own rules. */
  public readonly appSecurityGroup: aws.ec2.SecurityGroup;

  constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("ehealth:network:Network", name, {}, opts);

    const azs = args.availabilityZones;
    if (azs.length === 0 || new Set(azs).size !== azs.length) {
      throw new Error(
        `Network ${name}: availabilityZones must be distinct and non-empty, got [${azs.join(", ")}]`,
      );
    }
    const publicTier = args.publicTier ?? true;
    const natMode = args.natGateways ?? "perAz";
    if (natMode !== "none" && !publicTier) {
      throw new Error(
        `Network ${name}: NAT gateways need the public tier; set natGateways "none" or publicTier true`,
      );
    }
    const retention = args.flowLogRetentionDays ?? DEFAULT_FLOW_LOG_RETENTION_DAYS;
    if (retention < DEFAULT_FLOW_LOG_RETENTION_DAYS) {
      throw new Error(
        `Network ${name}: flowLogRetentionDays must be at least ${DEFAULT_FLOW_LOG_RETENTION_DAYS}, got ${retention}`,
      );
    }
    const protect = args.protect ?? true;
    const plan = planSubnets(args.vpcCidr, azs.length);
    this.plan = plan;
    const child = { parent: this };

    this.vpc = new aws.ec2.Vpc(
      name,
      {
        cidrBlock: args.vpcCidr,
        enableDnsSupport: true,
        // Private DNS of the interface endpoints needs DNS hostnames.
        enableDnsHostnames: true,
        instanceTenancy: "default",
        tags: { Name: name },
      },
      child,
    );
    this.vpcId = this.vpc.id;
    const vpcId = this.vpc.id;

    // Adopt the defaults and strip them: nothing should ever land in them by accident.
    new aws.ec2.DefaultSecurityGroup(
      `${name}-default`,
      { vpcId, tags: { Name: `${name}-default-closed` } },
      child,
    );
    new aws.ec2.DefaultNetworkAcl(
      `${name}-default`,
      { defaultNetworkAclId: this.vpc.defaultNetworkAclId, tags: { Name: `${name}-default-deny` } },
      // Subnets get their tier's ACL; AWS reports the default ACL's subnets as they move away.
      { ...child, ignoreChanges: ["subnetIds"] },
    );

    const tiers: Tier[] = publicTier ? ["public", "app", "data"] : ["app", "data"];
    const subnets: Record<Tier, aws.ec2.Subnet[]> = { public: [], app: [], data: [] };
    for (const tier of tiers) {
      subnets[tier] = azs.map(
        (az, i) =>
          new aws.ec2.Subnet(
            `${name}-${tier}-${az}`,
            {
              vpcId,
              cidrBlock: plan.tiers[tier].subnets[i],
              availabilityZone: az,
              // Public IPs are given explicitly (NAT EIPs, the ALB), never on launch.
              mapPublicIpOnLaunch: false,
              tags: { Name: `${name}-${tier}-${az}`, Tier: tier },
            },
            args.subnetDeleteTimeout
              ? { ...child, customTimeouts: { delete: args.subnetDeleteTimeout } }
              : child,
          ),
      );
    }
    this.subnets = subnets;
    this.subnetIds = mapTiers(subnets, (list) => list.map((s) => s.id));

    let internetGateway: aws.ec2.InternetGateway | undefined;
    this.natGateways = [];
    if (publicTier) {
      internetGateway = new aws.ec2.InternetGateway(name, { vpcId, tags: { Name: name } }, child);
      const natAzs = natMode === "perAz" ? azs : natMode === "single" ? azs.slice(0, 1) : [];
      this.natGateways = natAzs.map((az, i) => {
        const eip = new aws.ec2.Eip(
          `${name}-nat-${az}`,
          { domain: "vpc", tags: { Name: `${name}-nat-${az}` } },
          child,
        );
        return new aws.ec2.NatGateway(
          `${name}-${az}`,
          {
            allocationId: eip.id,
            subnetId: subnets.public[i].id,
            connectivityType: "public",
            tags: { Name: `${name}-${az}` },
          },
          { ...child, dependsOn: [internetGateway!] },
        );
      });
    }

    const routeTables: Record<Tier, aws.ec2.RouteTable[]> = { public: [], app: [], data: [] };
    for (const tier of tiers) {
      routeTables[tier] = azs.map((az, i) => {
        const table = new aws.ec2.RouteTable(
          `${name}-${tier}-${az}`,
          { vpcId, tags: { Name: `${name}-${tier}-${az}`, Tier: tier } },
          child,
        );
        new aws.ec2.RouteTableAssociation(
          `${name}-${tier}-${az}`,
          { subnetId: subnets[tier][i].id, routeTableId: table.id },
          child,
        );
        if (tier === "public" && internetGateway) {
          new aws.ec2.Route(
            `${name}-${tier}-${az}-internet`,
            {
              routeTableId: table.id,
              destinationCidrBlock: "0.0.0.0/0",
              gatewayId: internetGateway.id,
            },
            child,
          );
        }
        if (tier === "app" && this.natGateways.length > 0) {
          // Each AZ leaves through its own NAT, so one AZ failing strands no other.
          const nat = this.natGateways[Math.min(i, this.natGateways.length - 1)];
          new aws.ec2.Route(
            `${name}-${tier}-${az}-nat`,
            { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
            child,
          );
        }
        // The data tier gets no route out of the VPC at all.
        return table;
      });
    }
    this.routeTables = routeTables;
    this.routeTableIds = mapTiers(routeTables, (list) => list.map((t) => t.id));

    const nacls: Partial<Record<Tier, TierNacl>> = {
      public: publicTier ? publicNacl(plan, args.sshSources ?? []) : undefined,
      app: appNacl(plan),
      data: dataNacl(plan, args.dataPorts ?? DEFAULT_DATA_PORTS),
    };
    for (const tier of tiers) {
      const rules = nacls[tier]!;
      new aws.ec2.NetworkAcl(
        `${name}-${tier}`,
        {
          vpcId,
          subnetIds: this.subnetIds[tier],
          ingress: rules.ingress,
          egress: rules.egress,
          tags: { Name: `${name}-${tier}`, Tier: tier },
        },
        child,
      );
    }

    this.flowLogGroup = this.flowLogs(name, args, retention, protect);

    const gateways = {} as Record<GatewayService, aws.ec2.VpcEndpoint>;
    for (const service of GATEWAY_ENDPOINTS) {
      const policy = args.gatewayEndpointPolicies?.[service];
      gateways[service] = new aws.ec2.VpcEndpoint(
        `${name}-${service}`,
        {
          vpcId,
          serviceName: `com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: "Gateway",
          routeTableIds: [...this.routeTableIds.app, ...this.routeTableIds.data],
          ...(policy ? { policy } : {}),
          tags: { Name: `${name}-${service}` },
        },
        child,
      );
    }
    this.gatewayEndpoints = gateways;

    // Created with the network so the data stores can name it before compute exists; compute
    // attaches the instances and adds the rules (from the load balancer only).
    this.appSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-app`,
      {
        vpcId,
        description: "App tier: the only client of the data stores",
        tags: { Name: `${name}-app`, Tier: "app" },
      },
      child,
    );

    this.endpointSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-endpoints`,
      {
        vpcId,
        description: "Interface endpoints: HTTPS from inside the VPC only",
        tags: { Name: `${name}-endpoints` },
      },
      child,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-endpoints-https`,
      {
        securityGroupId: this.endpointSecurityGroup.id,
        description: "HTTPS from the VPC",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: args.vpcCidr,
      },
      child,
    );
    for (const service of args.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service}`,
        {
          vpcId,
          serviceName: `com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: this.subnetIds.app,
          securityGroupIds: [this.endpointSecurityGroup.id],
          tags: { Name: `${name}-${service}` },
        },
        child,
      );
    }

    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.subnetIds.public,
      appSubnetIds: this.subnetIds.app,
      dataSubnetIds: this.subnetIds.data,
      flowLogGroupArn: this.flowLogGroup.arn,
    });
  }

  private flowLogs(
    name: string,
    args: NetworkArgs,
    retention: number,
    protect: boolean,
  ): aws.cloudwatch.LogGroup {
    const child = { parent: this };
    const group =
      args.flowLogGroup ??
      new aws.cloudwatch.LogGroup(
        `${name}-flow-logs`,
        {
          name: `/ehealth/${name}/vpc-flow-logs`,
          kmsKeyId: args.logsKeyArn,
          retentionInDays: retention,
          tags: { Name: `${name}-flow-logs` },
        },
        // Flow logs are audit evidence (164.312(b)): they outlive the stack unless opted out.
        { ...child, protect, retainOnDelete: protect },
      );
    const role = new aws.iam.Role(
      `${name}-flow-logs`,
      {
        description: "VPC flow logs delivery to its own log group",
        assumeRolePolicy: JSON.stringify(
          policyDocument([
            {
              Effect: "Allow",
              Principal: { Service: "vpc-flow-logs.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: {
                StringEquals: { "aws:SourceAccount": args.accountId },
                ArnLike: {
                  "aws:SourceArn": `arn:${args.partition}:ec2:${args.region}:${args.accountId}:vpc-flow-log/*`,
                },
              },
            },
          ]),
        ),
        tags: { Name: `${name}-flow-logs` },
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-flow-logs`,
      {
        role: role.id,
        policy: group.arn.apply((arn) => JSON.stringify(flowLogRolePolicy(arn))),
      },
      child,
    );
    new aws.ec2.FlowLog(
      name,
      {
        vpcId: this.vpc.id,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: group.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
        tags: { Name: name },
      },
      // Flow logs deliver as the role from their first minute: until its policy exists, delivery
      // fails ("Access error" in the flow log's status) and the first records are lost.
      { ...child, dependsOn: [rolePolicy] },
    );
    return group;
  }
}

/**
 * The flow-log role may write to its own log group and nothing else. DescribeLogGroups authorizes on
 * no resource type (Service Authorization Reference, CloudWatch Logs), so it needs `*`, as in AWS's
 * own flow-log role example ("IAM role for publishing flow logs to CloudWatch Logs", VPC User
 * Guide); on a group ARN it would grant nothing.
 */
function flowLogRolePolicy(logGroupArn: string) {
  return policyDocument([
    {
      Sid: "WriteOwnLogGroup",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      Resource: [logGroupArn, `${logGroupArn}:*`],
    },
    {
      Sid: "FindLogGroups",
      Effect: "Allow",
      Action: "logs:DescribeLogGroups",
      Resource: "*",
    },
  ]);
}

function mapTiers<T, U>(value: PerTier<T>, fn: (v: T) => U): PerTier<U> {
  return { public: fn(value.public), app: fn(value.app), data: fn(value.data) };
}
