import { expect } from "chai";
import { cidrContains, cidrsOverlap } from "../../infra/network/cidr";
import { DEFAULT_INTERFACE_ENDPOINTS, Network } from "../../infra/network";
import {
  EPHEMERAL_RANGES,
  NAT_SOURCE_PORTS,
  NaclRule,
  dataNacl,
  publicNacl,
  appNacl,
} from "../../infra/network/nacl";
import { planSubnets } from "../../infra/network/cidr";
import { Evaluation, ResourceRecord, build, json, one, ofType, stack } from "../helpers";

type Tags = Record<string, string>;

const tier = (r: ResourceRecord) => (r.inputs.tags as Tags | undefined)?.Tier;
const idOf = (r: ResourceRecord) => String(r.outputs.id ?? r.id);

/** The network's facts derived from what was registered, not from what the code meant to do. */
function describeNetwork(resources: readonly ResourceRecord[]) {
  const subnets = ofType(resources, "aws:ec2/subnet:Subnet");
  const tables = ofType(resources, "aws:ec2/routeTable:RouteTable");
  const associations = ofType(resources, "aws:ec2/routeTableAssociation:RouteTableAssociation");
  const routes = ofType(resources, "aws:ec2/route:Route");
  const tableOfSubnet = (subnet: ResourceRecord) => {
    const assoc = associations.find((a) => a.inputs.subnetId === idOf(subnet));
    return tables.find((t) => idOf(t) === assoc?.inputs.routeTableId);
  };
  const routesOf = (table: ResourceRecord | undefined) =>
    routes.filter((r) => r.inputs.routeTableId === (table && idOf(table)));
  return { subnets, tables, routes, tableOfSubnet, routesOf };
}

const SERVICE_TYPES = {
  nat: "aws:ec2/natGateway:NatGateway",
  igw: "aws:ec2/internetGateway:InternetGateway",
};

function coversPort(rule: NaclRule, port: number): boolean {
  return rule.protocol === "-1" || (rule.fromPort <= port && port <= rule.toPort);
}

describe("infra/network/nacl", () => {
  const plan = planSubnets("10.20.0.0/16", 3);

  it("never opens SSH to the internet on any tier, nor RDP on the app and data tiers", () => {
    for (const nacl of [publicNacl(plan), appNacl(plan), dataNacl(plan, [5432, 6379])]) {
      for (const rule of nacl.ingress.filter((r) => r.cidrBlock === "0.0.0.0/0")) {
        expect(coversPort(rule, 22), JSON.stringify(rule)).to.equal(false);
      }
    }
    for (const nacl of [appNacl(plan), dataNacl(plan, [5432, 6379])]) {
      for (const rule of nacl.ingress.filter((r) => r.cidrBlock === "0.0.0.0/0")) {
        expect(coversPort(rule, 3389), JSON.stringify(rule)).to.equal(false);
      }
    }
    expect(EPHEMERAL_RANGES.some(([from, to]) => from <= 3389 && 3389 <= to)).to.equal(false);
  });

  it("lets replies reach the NAT gateways on every source port they use, 3389 included", () => {
    // A NAT gateway translates to source ports 1024-65535; a reply to any of them must pass the
    // public tier's ACL, or that connection hangs (issue 13.15; docs/network.md).
    const internet = publicNacl(plan).ingress.filter(
      (r) => r.cidrBlock === "0.0.0.0/0" && r.action === "allow" && r.protocol === "tcp",
    );
    for (const port of [1024, 3388, 3389, 3390, 32768, 65535]) {
      expect(
        internet.some((r) => coversPort(r, port)),
        String(port),
      ).to.equal(true);
    }
    expect(NAT_SOURCE_PORTS).to.deep.equal([1024, 65535]);
  });

  it("lets the data tier accept the data ports only from the app and data tiers", () => {
    const nacl = dataNacl(plan, [5432, 6379]);
    for (const rule of nacl.ingress) {
      expect(cidrContains(plan.vpcCidr, rule.cidrBlock), rule.cidrBlock).to.equal(true);
      expect(rule.protocol).to.equal("tcp");
      if (rule.fromPort < 1024) expect(rule.fromPort).to.be.oneOf([5432, 6379]);
      if ([5432, 6379].includes(rule.fromPort)) {
        expect(rule.cidrBlock).to.be.oneOf([plan.tiers.app.block, plan.tiers.data.block]);
      }
    }
    expect(
      nacl.ingress.some(
        (r) => cidrsOverlap(r.cidrBlock, plan.tiers.public.block) && r.fromPort === 5432,
      ),
    ).to.equal(false);
  });

  it("lets SSH into the public tier from the bastion's sites alone, keeping the other rules' numbers", () => {
    const closed = publicNacl(plan);
    const open = publicNacl(plan, ["203.0.113.0/24"]);
    const ssh = open.ingress.filter((r) => coversPort(r, 22) && r.protocol === "tcp");
    expect(ssh.map((r) => r.cidrBlock)).to.deep.equal(["203.0.113.0/24"]);
    expect(closed.ingress.filter((r) => r.protocol === "tcp" && coversPort(r, 22))).to.deep.equal(
      [],
    );
    expect(open.ingress.slice(0, closed.ingress.length)).to.deep.equal(closed.ingress);
  });

  it("sends nothing from the data tier outside the VPC", () => {
    for (const rule of dataNacl(plan, [5432]).egress) {
      expect(cidrContains(plan.vpcCidr, rule.cidrBlock), rule.cidrBlock).to.equal(true);
    }
  });

  it("numbers rules uniquely within each direction", () => {
    for (const nacl of [publicNacl(plan), appNacl(plan), dataNacl(plan, [5432, 6379])]) {
      for (const rules of [nacl.ingress, nacl.egress]) {
        expect(new Set(rules.map((r) => r.ruleNo)).size).to.equal(rules.length);
      }
    }
  });
});

describe("ehealth:network:Network", () => {
  for (const stackName of ["ireland", "oregon"]) {
    describe(`in the ${stackName} stack`, () => {
      let evaluation: Evaluation;
      let net: ReturnType<typeof describeNetwork>;
      before(async () => {
        evaluation = await stack(stackName);
        net = describeNetwork(evaluation.resources);
      });

      it("has one VPC with three subnet tiers in each of the three AZs", () => {
        one(evaluation.resources, "aws:ec2/vpc:Vpc");
        expect(net.subnets).to.have.length(9);
        const azs = new Set(net.subnets.map((s) => s.inputs.availabilityZone));
        expect(azs.size).to.equal(3);
        for (const az of azs)
          expect(String(az).startsWith(evaluation.region), String(az)).to.equal(true);
        for (const t of ["public", "app", "data"]) {
          expect(
            net.subnets.filter((s) => tier(s) === t).map((s) => s.inputs.availabilityZone),
          ).to.have.members([...azs]);
        }
      });

      it("places every subnet inside the VPC's CIDR without overlaps", () => {
        const vpc = String(one(evaluation.resources, "aws:ec2/vpc:Vpc").inputs.cidrBlock);
        const cidrs = net.subnets.map((s) => String(s.inputs.cidrBlock));
        for (const c of cidrs) expect(cidrContains(vpc, c)).to.equal(true);
        for (let i = 0; i < cidrs.length; i++) {
          for (let j = i + 1; j < cidrs.length; j++)
            expect(cidrsOverlap(cidrs[i], cidrs[j])).to.equal(false);
        }
      });

      it("maps no public IP on launch in any subnet", () => {
        for (const s of net.subnets) expect(s.inputs.mapPublicIpOnLaunch, s.name).to.equal(false);
      });

      it("has a NAT gateway per AZ, each in a public subnet, each app tier leaving through its own AZ's", () => {
        const nats = ofType(evaluation.resources, SERVICE_TYPES.nat);
        expect(nats).to.have.length(3);
        const publicIds = net.subnets.filter((s) => tier(s) === "public").map(idOf);
        for (const nat of nats) expect(publicIds).to.include(nat.inputs.subnetId);
        for (const subnet of net.subnets.filter((s) => tier(s) === "app")) {
          const [route] = net.routesOf(net.tableOfSubnet(subnet));
          const nat = nats.find((n) => idOf(n) === route?.inputs.natGatewayId);
          const natSubnet = net.subnets.find((s) => idOf(s) === nat?.inputs.subnetId);
          expect(natSubnet?.inputs.availabilityZone, subnet.name).to.equal(
            subnet.inputs.availabilityZone,
          );
        }
      });

      it("gives data route tables no route to an internet or NAT gateway", () => {
        const data = net.subnets.filter((s) => tier(s) === "data");
        expect(data).to.have.length(3);
        for (const subnet of data) {
          const table = net.tableOfSubnet(subnet);
          expect(table, subnet.name).to.not.equal(undefined);
          expect(net.routesOf(table), subnet.name).to.deep.equal([]);
        }
      });

      it("routes only the public tier to the internet gateway", () => {
        const igw = idOf(one(evaluation.resources, SERVICE_TYPES.igw));
        for (const subnet of net.subnets) {
          const toIgw = net
            .routesOf(net.tableOfSubnet(subnet))
            .some((r) => r.inputs.gatewayId === igw);
          expect(toIgw, subnet.name).to.equal(tier(subnet) === "public");
        }
      });

      it("logs all traffic to a KMS-encrypted log group kept at least a year", () => {
        const flowLog = one(evaluation.resources, "aws:ec2/flowLog:FlowLog");
        expect(flowLog.inputs.trafficType).to.equal("ALL");
        expect(flowLog.inputs.vpcId).to.equal(idOf(one(evaluation.resources, "aws:ec2/vpc:Vpc")));
        const group = ofType(evaluation.resources, "aws:cloudwatch/logGroup:LogGroup").find(
          (g) => g.outputs.arn === flowLog.inputs.logDestination,
        );
        expect(group, "flow log destination").to.not.equal(undefined);
        const logsKey = ofType(evaluation.resources, "aws:kms/key:Key").find(
          (k) => (k.inputs.tags as Tags).Purpose === "logs",
        );
        expect(group!.inputs.kmsKeyId).to.equal(logsKey!.outputs.arn);
        expect(group!.inputs.retentionInDays).to.be.at.least(365);
      });

      it("gives the flow-log role a policy with no wildcard action, naming its own log group", () => {
        const flowLog = one(evaluation.resources, "aws:ec2/flowLog:FlowLog");
        const role = ofType(evaluation.resources, "aws:iam/role:Role").find(
          (r) => r.outputs.arn === flowLog.inputs.iamRoleArn,
        )!;
        // Who assumes the role (flow logs of this account alone) and what it may write (its own
        // group alone): tests/infra/network-access.spec.ts simulates them as recorded. Here, the
        // shape that keeps it least-privilege: no wildcard action, `*` only where no resource exists.
        expect(role.name).to.equal(`ehealth-${stackName}-flow-logs`);
        const policy = ofType(evaluation.resources, "aws:iam/rolePolicy:RolePolicy").find(
          (p) => p.inputs.role === role.outputs.id,
        )!;
        const group = String(flowLog.inputs.logDestination);
        const [statement, describe, ...others] = json<{
          Statement: { Effect: string; Action: string[]; Resource: string[] }[];
        }>(policy.inputs.policy).Statement;
        expect(others).to.deep.equal([]);
        // Listing log groups authorizes on no resource: the only grant on `*`, and only that.
        expect(describe).to.deep.include({ Action: "logs:DescribeLogGroups", Resource: "*" });
        expect(statement.Action.every((a) => a.startsWith("logs:") && !a.includes("*"))).to.equal(
          true,
        );
        expect(statement.Resource).to.have.members([group, `${group}:*`]);
      });

      it("starts logging only once its role may write, so no early record is lost", () => {
        const flowLog = one(evaluation.resources, "aws:ec2/flowLog:FlowLog");
        const role = ofType(evaluation.resources, "aws:iam/role:Role").find(
          (r) => r.outputs.arn === flowLog.inputs.iamRoleArn,
        )!;
        const policy = ofType(evaluation.resources, "aws:iam/rolePolicy:RolePolicy").find(
          (p) => p.inputs.role === role.outputs.id,
        )!;
        expect(flowLog.dependencies).to.include(policy.urn);
      });

      it("has S3 and DynamoDB gateway endpoints on the app and data route tables", () => {
        const endpoints = ofType(evaluation.resources, "aws:ec2/vpcEndpoint:VpcEndpoint");
        const privateTables = net.tables.filter((t) => tier(t) !== "public").map(idOf);
        for (const service of ["s3", "dynamodb"]) {
          const ep = endpoints.find(
            (e) => e.inputs.serviceName === `com.amazonaws.${evaluation.region}.${service}`,
          );
          expect(ep?.inputs.vpcEndpointType, service).to.equal("Gateway");
          expect(ep!.inputs.routeTableIds).to.have.members(privateTables);
        }
      });

      it("has the interface endpoints in the app subnets with private DNS, reachable on 443 from the VPC only", () => {
        const endpoints = ofType(evaluation.resources, "aws:ec2/vpcEndpoint:VpcEndpoint").filter(
          (e) => e.inputs.vpcEndpointType === "Interface",
        );
        expect(endpoints.map((e) => e.inputs.serviceName)).to.have.members(
          DEFAULT_INTERFACE_ENDPOINTS.map((s) => `com.amazonaws.${evaluation.region}.${s}`),
        );
        const appIds = net.subnets.filter((s) => tier(s) === "app").map(idOf);
        for (const ep of endpoints) {
          expect(ep.inputs.privateDnsEnabled).to.equal(true);
          expect(ep.inputs.subnetIds).to.have.members(appIds);
        }
        const sgId = (endpoints[0].inputs.securityGroupIds as string[])[0];
        const rules = ofType(
          evaluation.resources,
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ).filter((r) => r.inputs.securityGroupId === sgId);
        expect(rules).to.have.length(1);
        const vpcCidr = String(one(evaluation.resources, "aws:ec2/vpc:Vpc").inputs.cidrBlock);
        expect(rules[0].inputs).to.include({
          fromPort: 443,
          toPort: 443,
          ipProtocol: "tcp",
          cidrIpv4: vpcCidr,
        });
      });

      it("empties the default security group and network ACL", () => {
        const sg = one(evaluation.resources, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        expect(sg.inputs.ingress ?? []).to.deep.equal([]);
        expect(sg.inputs.egress ?? []).to.deep.equal([]);
        const acl = one(evaluation.resources, "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl");
        expect(acl.inputs.ingress ?? []).to.deep.equal([]);
        expect(acl.inputs.egress ?? []).to.deep.equal([]);
      });

      it("puts every subnet under its own tier's network ACL", () => {
        const nacls = ofType(evaluation.resources, "aws:ec2/networkAcl:NetworkAcl");
        expect(nacls).to.have.length(3);
        for (const subnet of net.subnets) {
          const owners = nacls.filter((n) =>
            (n.inputs.subnetIds as string[]).includes(idOf(subnet)),
          );
          expect(owners.map(tier), subnet.name).to.deep.equal([tier(subnet)]);
        }
      });
    });
  }
});

describe("ehealth:network:Network options", () => {
  const base = {
    vpcCidr: "10.60.0.0/20",
    availabilityZones: ["eu-west-1a", "eu-west-1b"],
    region: "eu-west-1",
    accountId: "123456789012",
    partition: "aws",
    logsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/test",
  };

  it("uses one NAT gateway for every AZ when asked for a single one", async () => {
    const { resources } = await build(
      () => new Network("unit-single", { ...base, natGateways: "single" }),
    );
    const nats = ofType(resources, SERVICE_TYPES.nat);
    expect(nats).to.have.length(1);
    const natRoutes = ofType(resources, "aws:ec2/route:Route").filter((r) => r.inputs.natGatewayId);
    expect(natRoutes).to.have.length(2);
    for (const r of natRoutes) expect(r.inputs.natGatewayId).to.equal(idOf(nats[0]));
  });

  it("builds an isolated network with no public tier, gateway or route out", async () => {
    const { resources } = await build(
      () => new Network("unit-isolated", { ...base, publicTier: false, natGateways: "none" }),
    );
    expect(ofType(resources, SERVICE_TYPES.igw)).to.deep.equal([]);
    expect(ofType(resources, SERVICE_TYPES.nat)).to.deep.equal([]);
    expect(ofType(resources, "aws:ec2/route:Route")).to.deep.equal([]);
    expect(ofType(resources, "aws:ec2/subnet:Subnet").map(tier)).to.have.members([
      "app",
      "app",
      "data",
      "data",
    ]);
  });

  it("fails when NAT gateways are asked for without a public tier", () => {
    expect(() => new Network("unit-bad-nat", { ...base, publicTier: false })).to.throw(
      /NAT gateways need the public tier/,
    );
  });

  it("fails when flow logs would be kept less than a year", () => {
    expect(() => new Network("unit-bad-logs", { ...base, flowLogRetentionDays: 30 })).to.throw(
      /at least 365/,
    );
  });

  it("fails when an AZ is named twice", () => {
    expect(
      () =>
        new Network("unit-bad-az", { ...base, availabilityZones: ["eu-west-1a", "eu-west-1a"] }),
    ).to.throw(/distinct/);
  });
});
