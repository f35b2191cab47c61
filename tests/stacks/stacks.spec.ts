import { expect } from "chai";
import { cidrsOverlap } from "../../infra/network/cidr";
import { EvaluationError } from "../../tools/engine";
import { Evaluation, one, ofType, stack, stackWith } from "../helpers";

describe("stacks", () => {
  let ireland: Evaluation;
  let oregon: Evaluation;
  const variants: Record<string, Promise<Evaluation>> = {};
  before(async () => {
    // Variants run in workers of their own, alongside each other.
    variants.badCidr = stackWith("ireland", { overrides: { "ehealth:vpcCidr": "10.0.0.0/8" } });
    variants.scarceAzs = stackWith("oregon", {
      mocks: { availabilityZones: { "us-west-2": ["us-west-2a", "us-west-2b"] } },
    });
    variants.dev = stackWith("oregon", {
      overrides: {
        "ehealth:environment": "dev",
        "ehealth:azCount": "2",
        "ehealth:dataProtection": "false",
      },
    });
    for (const v of Object.values(variants)) v.catch(() => undefined);
    [ireland, oregon] = await Promise.all([stack("ireland"), stack("oregon")]);
  });

  it("deploys ireland to eu-west-1 and oregon to us-west-2", () => {
    expect(ireland.outputs.region).to.equal("eu-west-1");
    expect(oregon.outputs.region).to.equal("us-west-2");
    expect(one(ireland.resources, "pulumi:providers:aws").inputs.region).to.equal("eu-west-1");
    expect(one(oregon.resources, "pulumi:providers:aws").inputs.region).to.equal("us-west-2");
  });

  it("makes ireland the primary and oregon the secondary", () => {
    expect(ireland.outputs.primary).to.equal(true);
    expect(oregon.outputs.primary).to.equal(false);
  });

  it("gives the two regions VPCs that do not overlap, each matching the other's peer config", () => {
    const cidrOf = (e: Evaluation) => String(one(e.resources, "aws:ec2/vpc:Vpc").inputs.cidrBlock);
    expect(cidrsOverlap(cidrOf(ireland), cidrOf(oregon))).to.equal(false);
  });

  it("builds every AWS resource of a stack with the stack's provider, in the stack's region", () => {
    for (const evaluation of [ireland, oregon]) {
      const provider = one(evaluation.resources, "pulumi:providers:aws");
      const aws = evaluation.resources.filter((r) => r.type.startsWith("aws:"));
      expect(aws.length).to.be.greaterThan(50);
      for (const r of aws) {
        expect(r.provider?.startsWith(`${provider.urn}::`), r.urn).to.equal(true);
        const arn = r.outputs.arn;
        // IAM and S3 bucket ARNs name no region: they are global.
        if (
          typeof arn === "string" &&
          !arn.startsWith("arn:aws:iam::") &&
          !arn.startsWith("arn:aws:s3:::")
        ) {
          expect(arn, r.urn).to.include(`:${evaluation.region}:`);
        }
      }
    }
  });

  it("tags every resource through the provider with Project, Environment, Stack, Primary and ManagedBy", () => {
    for (const evaluation of [ireland, oregon]) {
      const provider = one(evaluation.resources, "pulumi:providers:aws");
      const tags = JSON.parse(String(provider.inputs.defaultTags)) as {
        tags: Record<string, string>;
      };
      expect(tags.tags).to.deep.equal({
        Project: "ehealth",
        Environment: "prod",
        Stack: evaluation.stack,
        Primary: evaluation.stack === "ireland" ? "true" : "false",
        ManagedBy: "pulumi",
      });
    }
  });

  it("parents every resource under a component of the platform", () => {
    for (const evaluation of [ireland, oregon]) {
      const components = new Set(
        evaluation.resources.filter((r) => r.type.startsWith("ehealth:")).map((r) => r.urn),
      );
      expect(components.size).to.be.at.least(2);
      for (const r of evaluation.resources.filter((x) => x.type.startsWith("aws:"))) {
        expect(components.has(r.parent ?? ""), r.urn).to.equal(true);
      }
    }
  });

  it("exports the VPC, subnets per tier, route tables and key ARNs", () => {
    for (const evaluation of [ireland, oregon]) {
      const out = evaluation.outputs as {
        vpcId: string;
        subnetIds: Record<string, string[]>;
        routeTableIds: Record<string, string[]>;
        keyArns: Record<string, string>;
      };
      expect(out.vpcId).to.equal(one(evaluation.resources, "aws:ec2/vpc:Vpc").outputs.id);
      const subnetIds = ofType(evaluation.resources, "aws:ec2/subnet:Subnet").map(
        (s) => s.outputs.id,
      );
      expect([
        ...out.subnetIds.public,
        ...out.subnetIds.app,
        ...out.subnetIds.data,
      ]).to.have.members(subnetIds);
      const tableIds = ofType(evaluation.resources, "aws:ec2/routeTable:RouteTable").map(
        (t) => t.outputs.id,
      );
      expect(Object.values(out.routeTableIds).flat()).to.have.members(tableIds);
      const keyArns = ofType(evaluation.resources, "aws:kms/key:Key").map((k) => k.outputs.arn);
      expect(Object.values(out.keyArns)).to.have.members(keyArns);
    }
  });

  it("builds the network in Availability Zones only, never in a Local Zone the account opted in to", () => {
    // The mock account is opted in to us-west-2-lax-1a and -1b, which sort before us-west-2a.
    expect(oregon.outputs.availabilityZones).to.deep.equal([
      "us-west-2a",
      "us-west-2b",
      "us-west-2c",
    ]);
    for (const evaluation of [ireland, oregon]) {
      const zones = new Set(
        ofType(evaluation.resources, "aws:ec2/subnet:Subnet").map((s) =>
          String(s.inputs.availabilityZone),
        ),
      );
      expect([...zones].sort()).to.deep.equal(evaluation.outputs.availabilityZones);
      for (const zone of zones) expect(zone).to.match(/^[a-z]{2}-[a-z]+-\d[a-z]$/);
    }
  });

  it("fails with one line naming the key when the stack config is invalid", async () => {
    const failure = await stackWith("ireland", {
      overrides: { "ehealth:vpcCidr": "10.0.0.0/8" },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).to.be.instanceOf(EvaluationError);
    const message = (failure as Error).message;
    expect(message.split("\n")).to.have.length(1);
    expect(message).to.include('ehealth:vpcCidr "10.0.0.0/8" is too wide');
  });

  it("fails when the account has fewer AZs in the region than configured", async () => {
    const failure = await variants.scarceAzs.then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(failure?.message).to.include(
      'ehealth:azCount "3" is more than the 2 AZs this account has in us-west-2',
    );
  });

  it("spans two AZs with a single NAT gateway in a two-AZ dev stack", async () => {
    const dev = await variants.dev;
    expect(ofType(dev.resources, "aws:ec2/subnet:Subnet")).to.have.length(6);
    expect(ofType(dev.resources, "aws:ec2/natGateway:NatGateway")).to.have.length(1);
    for (const key of ofType(dev.resources, "aws:kms/key:Key")) expect(key.protect).to.equal(false);
  });
});
