import { expect } from "chai";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { MOCK_ACCOUNT_ID, PlatformMocks } from "../../tools/engine";
import { loadMockFile } from "../../tools/engine/mock-file";
import { tempDir } from "../helpers/temp";

const call = (
  mocks: PlatformMocks,
  token: string,
  inputs: Record<string, unknown> = {},
  provider?: string,
) => mocks.call({ token, inputs, provider }) as Record<string, unknown>;

describe("tools/engine data sources", () => {
  const ireland = new PlatformMocks({ region: "eu-west-1" });

  it("answers every data source of the issue, the same way every time", () => {
    const tokens: [string, Record<string, unknown>][] = [
      ["aws:ec2/getAmi:getAmi", { owners: ["amazon"], mostRecent: true }],
      ["aws:ec2/getAmiIds:getAmiIds", { owners: ["amazon"] }],
      ["aws:ec2/getVpc:getVpc", { default: true }],
      ["aws:ec2/getSubnet:getSubnet", {}],
      ["aws:ec2/getSubnets:getSubnets", {}],
      ["aws:ec2/getSecurityGroup:getSecurityGroup", { name: "default" }],
      ["aws:ec2/getSecurityGroups:getSecurityGroups", {}],
      ["aws:ec2/getPrefixList:getPrefixList", { name: "com.amazonaws.eu-west-1.s3" }],
      ["aws:ec2/getManagedPrefixList:getManagedPrefixList", { name: "com.amazonaws.eu-west-1.s3" }],
      ["aws:kms/getAlias:getAlias", { name: "alias/aws/s3" }],
      ["aws:kms/getKey:getKey", { keyId: "alias/aws/s3" }],
      ["aws:acm/getCertificate:getCertificate", { domain: "portal.example.org" }],
      ["aws:ssm/getParameter:getParameter", { name: "/my/app/setting" }],
      ["aws:route53/getZone:getZone", { name: "example.org." }],
      ["aws:iam/getRole:getRole", { name: "deployer" }],
      ["aws:iam/getPolicy:getPolicy", { arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
      ["aws:secretsmanager/getSecret:getSecret", { name: "db/master" }],
      ["aws:elb/getServiceAccount:getServiceAccount", {}],
      [
        "aws:iam/getSessionContext:getSessionContext",
        { arn: "arn:aws:sts::123456789012:assumed-role/admin/alice" },
      ],
      ["aws:iam/getPolicyDocument:getPolicyDocument", { statements: [{ actions: ["s3:*"] }] }],
    ];
    for (const [token, inputs] of tokens) {
      const first = call(ireland, token, inputs);
      expect(first, token).to.be.an("object").that.is.not.empty;
      expect(call(new PlatformMocks({ region: "eu-west-1" }), token, inputs), token).to.deep.equal(
        first,
      );
    }
  });

  it("answers getVpc({ default: true }) with the default VPC AWS creates, and getSubnets with a /20 per AZ", () => {
    const vpc = call(ireland, "aws:ec2/getVpc:getVpc", { default: true });
    expect(vpc.default).to.equal(true);
    expect(vpc.cidrBlock).to.equal("172.31.0.0/16");
    expect(String(vpc.arn)).to.equal(
      `arn:aws:ec2:eu-west-1:${MOCK_ACCOUNT_ID}:vpc/${String(vpc.id)}`,
    );
    const subnets = call(ireland, "aws:ec2/getSubnets:getSubnets", {
      filters: [{ name: "vpc-id", values: [vpc.id] }],
    });
    expect(subnets.ids).to.have.length(3);
    const first = call(ireland, "aws:ec2/getSubnet:getSubnet", {
      id: (subnets.ids as string[])[0],
    });
    expect(first.vpcId).to.equal(vpc.id);
    expect(first.cidrBlock).to.equal("172.31.0.0/20");
    expect(first.availabilityZone).to.equal("eu-west-1a");
    expect(first.defaultForAz).to.equal(true);
  });

  it("answers in the region of the provider that makes the call, or the call's own region", () => {
    const mocks = new PlatformMocks({ region: "eu-west-1" });
    mocks.learnProvider("urn:oregon::id", { region: "us-west-2" });
    const here = call(mocks, "aws:ec2/getAmi:getAmi", { owners: ["amazon"] });
    const there = call(mocks, "aws:ec2/getAmi:getAmi", { owners: ["amazon"] }, "urn:oregon::id");
    expect(String(here.arn)).to.include(":eu-west-1:");
    expect(String(there.arn)).to.include(":us-west-2:");
    expect(here.id).to.not.equal(there.id);
    const account = call(mocks, "aws:elb/getServiceAccount:getServiceAccount", {
      region: "us-west-2",
    });
    expect(account.id).to.equal("797873946194");
    expect(
      call(mocks, "aws:kms/getAlias:getAlias", { name: "alias/aws/s3" }, "urn:oregon::id").arn,
    ).to.equal(`arn:aws:kms:us-west-2:${MOCK_ACCOUNT_ID}:alias/aws/s3`);
  });

  it("resolves a session's issuer as the provider does, and leaves other ARNs alone", () => {
    const session = call(ireland, "aws:iam/getSessionContext:getSessionContext", {
      arn: "arn:aws:sts::123456789012:assumed-role/admin/alice",
    });
    expect(session).to.include({
      issuerArn: "arn:aws:iam::123456789012:role/admin",
      issuerName: "admin",
      sessionName: "alice",
    });
    const user = call(ireland, "aws:iam/getSessionContext:getSessionContext", {
      arn: "arn:aws:iam::123456789012:user/bob",
    });
    expect(user).to.include({
      issuerArn: "arn:aws:iam::123456789012:user/bob",
      issuerName: "",
      sessionName: "",
    });
  });

  it("fails getServiceAccount in a region Elastic Load Balancing names no account for, as the provider does", () => {
    expect(() =>
      call(
        new PlatformMocks({ region: "me-central-1" }),
        "aws:elb/getServiceAccount:getServiceAccount",
      ),
    ).to.throw(/unsupported AWS Region: me-central-1/);
  });

  describe("--mocks files", () => {
    const dir = tempDir("ehealth-mocks-");
    const file = (name: string, text: string) => {
      const f = path.join(dir, name);
      writeFileSync(f, text);
      return f;
    };

    it("answers from the file first, by token or by the program's name for the invoke, on matching arguments", () => {
      const mocks = loadMockFile(
        file(
          "ok.yaml",
          [
            "invokes:",
            "  aws.rds.getEngineVersion:",
            "    answer: { version: '16.4' }",
            "  aws:ec2/getVpc:getVpc:",
            "    - when: { tags: { Name: shared } }",
            "      answer: { cidrBlock: 10.1.0.0/16 }",
            "stackReferences:",
            "  acme/network/prod: { vpcId: vpc-1 }",
          ].join("\n"),
        ),
      );
      const engine = new PlatformMocks({
        region: "eu-west-1",
        invokes: mocks.invokes,
        stackReferences: mocks.stackReferences,
      });
      expect(
        call(engine, "aws:rds/getEngineVersion:getEngineVersion", { engine: "postgres" }).version,
      ).to.equal("16.4");
      const shared = call(engine, "aws:ec2/getVpc:getVpc", { tags: { Name: "shared" } });
      expect(shared.cidrBlock).to.equal("10.1.0.0/16");
      expect(String(shared.id)).to.match(/^vpc-/);
      expect(call(engine, "aws:ec2/getVpc:getVpc", { default: true }).cidrBlock).to.equal(
        "172.31.0.0/16",
      );
      const reference = engine.newResource({
        type: "pulumi:pulumi:StackReference",
        name: "acme/network/prod",
        inputs: { name: "acme/network/prod" },
      });
      expect((reference.state.outputs as Record<string, unknown>).vpcId).to.equal("vpc-1");
    });

    it("fails in one line naming the place when the file is wrong", () => {
      expect(() =>
        loadMockFile(file("bad.yaml", "invokes:\n  aws.ec2.getVpc: { cidrBlock: x }\n")),
      ).to.throw(/mocks file .*bad\.yaml: invokes\.aws\.ec2\.getVpc/);
      expect(() => loadMockFile(file("extra.yaml", "answers: {}\n"))).to.throw(/bad|extra\.yaml/);
      expect(() =>
        loadMockFile(file("token.yaml", "invokes:\n  not a token: { answer: {} }\n")),
      ).to.throw(/is not an invoke/);
      expect(() => loadMockFile(file("yaml.yaml", "invokes: [\n"))).to.throw(
        /yaml\.yaml:\d+:\d+: invalid YAML/,
      );
    });
  });
});
