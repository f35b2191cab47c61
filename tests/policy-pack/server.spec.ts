/**
 * The pack as the Pulumi engine runs it: policy-pack/index.ts started as its own process (the
 * CrossGuard analyzer server), then asked over gRPC, as `pulumi preview --policy-pack` does.
 */
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { expect } from "chai";
import { ChildProcess, spawn } from "node:child_process";
import type { Socket } from "node:net";
import * as path from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { policies } from "../../policy-pack/policies";
import { PROJECT_DIR } from "../../tools/engine";

type Client = InstanceType<typeof analyzerRpc.AnalyzerClient>;

function call<Req, Res>(
  fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => void,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    fn(req, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

function analyze(client: Client, type: string, name: string, properties: Record<string, unknown>) {
  const req = new analyzerProto.AnalyzeRequest();
  req.setType(type);
  req.setName(name);
  req.setUrn(`urn:pulumi:test::fixture::${type}::${name}`);
  req.setProperties(Struct.fromJavaScript(properties as Record<string, never>));
  req.setOptions(new analyzerProto.AnalyzerResourceOptions());
  return call(client.analyze.bind(client), req).then((res) =>
    (res as analyzerProto.AnalyzeResponse).getDiagnosticsList().map((d) => ({
      policy: d.getPolicyname(),
      message: d.getMessage(),
      mandatory: d.getEnforcementlevel() === analyzerProto.EnforcementLevel.MANDATORY,
    })),
  );
}

/** An SSH ingress rule from `cidr`, analyzed by the server as a stack (the policy joins rules to groups). */
function analyzeSsh(client: Client, cidr: string) {
  const type = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
  const resource = new analyzerProto.AnalyzerResource();
  resource.setType(type);
  resource.setName("ssh");
  resource.setUrn(`urn:pulumi:test::fixture::${type}::ssh`);
  resource.setProperties(
    Struct.fromJavaScript({
      securityGroupId: "sg-1",
      ipProtocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrIpv4: cidr,
    }),
  );
  resource.setOptions(new analyzerProto.AnalyzerResourceOptions());
  const req = new analyzerProto.AnalyzeStackRequest();
  req.setResourcesList([resource]);
  return call(client.analyzeStack.bind(client), req).then((res) =>
    (res as analyzerProto.AnalyzeResponse).getDiagnosticsList().map((d) => ({
      policy: d.getPolicyname(),
      message: d.getMessage(),
      mandatory: d.getEnforcementlevel() === analyzerProto.EnforcementLevel.MANDATORY,
    })),
  );
}

/**
 * The pack's server, started as the engine starts it (a process of its own that loads the pack
 * through tsx, about a second and a half): at load, so that it starts beside the suites that run
 * before this one instead of keeping this thread waiting. It never keeps the test run alive, and
 * stops with it.
 */
function startServer(): { server: ChildProcess; port: Promise<string> } {
  const server = spawn(process.execPath, ["--import", "tsx", "index.ts"], {
    cwd: path.join(PROJECT_DIR, "policy-pack"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.unref();
  (server.stdout as Socket).unref();
  (server.stderr as Socket).unref();
  process.once("exit", () => server.kill());
  // The server announces its port on the first line of stdout, as the engine expects.
  const port = new Promise<string>((resolve, reject) => {
    let out = "";
    server.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0].trim();
      if (/^\d+$/.test(line) && out.includes("\n")) resolve(line);
    });
    server.once("exit", (code) => reject(new Error(`the pack exited with ${code}`)));
  });
  port.catch(() => undefined);
  return { server, port };
}

describe("policy-pack/index.ts as the analyzer server", () => {
  const { server, port } = startServer();
  let client: Client;

  before(async function () {
    this.timeout(30_000);
    // Its suite runs: the server and its output now keep the run alive until after() stops it.
    server.ref();
    (server.stdout as Socket).ref();
    client = new analyzerRpc.AnalyzerClient(
      `127.0.0.1:${await port}`,
      grpc.credentials.createInsecure(),
    );
  });

  after(() => {
    client?.close();
    server.kill();
  });

  it("starts and describes every policy of the pack at its level", async () => {
    const info = (await call(
      client.getAnalyzerInfo.bind(client),
      new Empty(),
    )) as analyzerProto.AnalyzerInfo;
    expect(info.getName()).to.equal("ehealth-hipaa");
    expect(info.getSupportsconfig()).to.equal(true);
    const served = info.getPoliciesList().map((p) => p.getName());
    expect(served).to.deep.equal(policies.map((p) => p.name));
  });

  it("refuses a subnet that maps public IPs, with the engine's own argument handling", async () => {
    const found = await analyze(client, "aws:ec2/subnet:Subnet", "public-a", {
      cidrBlock: "10.0.1.0/24",
      mapPublicIpOnLaunch: true,
    });
    const hit = found.filter((d) => d.policy === "ec2-subnet-disallow-public-ip-on-launch");
    expect(hit).to.have.length(1);
    expect(hit[0].mandatory).to.equal(true);
    expect(hit[0].message).to.include("set mapPublicIpOnLaunch to false");
  });

  it("applies schema defaults when run without a config file (SSH allowed from nowhere)", async () => {
    const found = await analyzeSsh(client, "10.0.0.0/8");
    expect(found.map((d) => d.policy)).to.include("ec2-ingress-enforce-admin-allowlist");
  });

  it("takes --policy-pack-config values through Configure, as the CLI sends them", async () => {
    const req = new analyzerProto.ConfigureAnalyzerRequest();
    const config = new analyzerProto.PolicyConfig();
    config.setEnforcementlevel(analyzerProto.EnforcementLevel.MANDATORY);
    config.setProperties(Struct.fromJavaScript({ allowedAdminCidrs: ["10.0.0.0/8"] }));
    req.getPolicyconfigMap().set("ec2-ingress-enforce-admin-allowlist", config);
    await call(client.configure.bind(client), req);
    const found = await analyzeSsh(client, "10.1.0.0/16");
    expect(found.map((d) => d.policy)).to.not.include("ec2-ingress-enforce-admin-allowlist");
  });

  it("passes a compliant resource", async () => {
    const found = await analyze(client, "aws:efs/fileSystem:FileSystem", "shared", {
      encrypted: true,
      kmsKeyId: "arn:aws:kms:eu-west-1:1:key/x",
    });
    expect(found).to.deep.equal([]);
  });
});
