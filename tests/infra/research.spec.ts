import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PATCH_GROUP_TAG } from "../../infra/compute";
import { cidrContains } from "../../infra/network/cidr";
import { ENCLAVE_INTERFACE_ENDPOINTS, INCOMING_PREFIX, RESEARCH_TIER } from "../../infra/research";
import { PolicyDocument } from "../../infra/iam";
import { STATEFUL_TYPES } from "../../policy-pack/policies/governance/protectStateful";
import { PROJECT_DIR, replicationOutputs } from "../../tools/engine";
import { DEFAULT_POLICY_CONFIG, readPolicyConfig } from "../../tools/plan/inputs";
import { stackReport } from "../../tools/plan/report";
import { Evaluation, ResourceRecord, descendants, json, one, ofType, stackWith } from "../helpers";
import { ADMIN, Recorded, decide, opened, table, type Row } from "../access/recorded";

type Tags = Record<string, string>;
const tags = (r: ResourceRecord) => (r.inputs.tags ?? {}) as Tags;

/** The example stack file: ireland with an open and a closed enclave. */
const EXAMPLE = path.join(PROJECT_DIR, "examples", "research", "Pulumi.ireland.yaml");
const packConfig = () => readPolicyConfig(DEFAULT_POLICY_CONFIG);

const ENCLAVE = "ehealth:research:Enclave";

function enclave(e: Evaluation, id: string): { root: ResourceRecord; below: ResourceRecord[] } {
  const root = ofType(e.resources, ENCLAVE).find((r) => r.inputs.projectId === id);
  if (!root) throw new Error(`no enclave ${id}`);
  return { root, below: descendants(e.resources, root.urn) };
}

function only(resources: readonly ResourceRecord[], type: string, suffix = ""): ResourceRecord {
  const found = ofType(resources, type).filter((r) => r.name.endsWith(suffix));
  expect(found, `${type} ${suffix}`).to.have.length(1);
  return found[0];
}

const mandatory = (e: Evaluation) =>
  e.checks!.violations.filter((v) => v.enforcementLevel === "mandatory");

const enclavesConfig = (enclaves: unknown[]) => JSON.stringify({ enclaves });

/** The mock runtime's account, and the role the example stack file says Pulumi runs as. */
const ACCOUNT = "123456789012";
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/pulumi-deploy`;

/** A Go duration such as "60m" or "1h30m", in minutes. */
function minutes(duration: string | undefined): number {
  let total = 0;
  for (const [, n, unit] of (duration ?? "").matchAll(/(\d+)([hms])/g)) {
    total += Number(n) * (unit === "h" ? 60 : unit === "m" ? 1 : 1 / 60);
  }
  return total;
}

/**
 * Lambda releases a VPC function's interfaces "up to 20 minutes" after (Lambda Developer Guide,
 * configuration-vpc.html); the AWS provider's maintainers report a P99 of about 35 minutes from
 * the Lambda team. A delete must be allowed at least the longer of the two.
 */
const LAMBDA_RELEASE_MINUTES = 35;

/** Which service encrypts with a key on behalf of each resource type that names it. */
const KEY_USER: Readonly<Record<string, string>> = {
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "s3",
  "aws:dynamodb/table:Table": "dynamodb",
  "aws:ec2/instance:Instance": "ec2",
  "aws:ebs/volume:Volume": "ec2",
  "aws:lambda/function:Function": "lambda",
  "aws:sns/topic:Topic": "sns",
  "aws:sqs/queue:Queue": "sqs",
  "aws:backup/vault:Vault": "backup",
};

/** Whether any input, however deep, is exactly this string. */
function names(value: unknown, wanted: string): boolean {
  if (value === wanted) return true;
  if (Array.isArray(value)) return value.some((v) => names(v, wanted));
  if (value && typeof value === "object") return Object.values(value).some((v) => names(v, wanted));
  return false;
}

describe(ENCLAVE, () => {
  let evaluation: Evaluation;
  let open: { root: ResourceRecord; below: ResourceRecord[] };
  let closed: { root: ResourceRecord; below: ResourceRecord[] };
  before(async () => {
    evaluation = await stackWith("ireland", {
      configFile: EXAMPLE,
      check: { config: packConfig() },
    });
    open = enclave(evaluation, "cardio01");
    closed = enclave(evaluation, "onco07");
  });

  describe("an open enclave", () => {
    it("lives in a VPC of its own with no public tier, no NAT and no internet gateway", () => {
      const vpc = only(open.below, "aws:ec2/vpc:Vpc");
      expect(vpc.inputs.cidrBlock).to.equal("10.60.0.0/20");
      for (const type of [
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/natGateway:NatGateway",
        "aws:ec2/eip:Eip",
      ]) {
        expect(ofType(open.below, type), type).to.deep.equal([]);
      }
      const subnets = ofType(open.below, "aws:ec2/subnet:Subnet");
      expect([...new Set(subnets.map((s) => tags(s).Tier))].sort()).to.deep.equal(["app", "data"]);
      expect(new Set(subnets.map((s) => s.inputs.availabilityZone)).size).to.equal(2);
      const routes = ofType(open.below, "aws:ec2/route:Route");
      expect(routes.filter((r) => r.inputs.destinationCidrBlock === "0.0.0.0/0")).to.deep.equal([]);
    });

    it("is reached through Session Manager endpoints, with its logs and notifications, and nothing else", () => {
      const services = ofType(open.below, "aws:ec2/vpcEndpoint:VpcEndpoint")
        .filter((e) => e.inputs.vpcEndpointType === "Interface")
        .map((e) => String(e.inputs.serviceName).split(".").pop());
      expect(services.sort()).to.deep.equal([...ENCLAVE_INTERFACE_ENDPOINTS].sort());
      expect(services).to.include.members(["ssm", "ssmmessages", "ec2messages"]);
    });

    it("writes flow logs of all traffic to a group that belongs to the enclave, not its network", () => {
      const flowLog = only(open.below, "aws:ec2/flowLog:FlowLog");
      expect(flowLog.inputs.trafficType).to.equal("ALL");
      const group = ofType(open.below, "aws:cloudwatch/logGroup:LogGroup").find(
        (g) => g.outputs.arn === flowLog.inputs.logDestination,
      )!;
      expect(group.parent).to.equal(open.root.urn);
      expect([group.protect, group.retainOnDelete]).to.deep.equal([true, true]);
    });

    it("runs a dedicated m-family workstation with IMDSv2, no public IP and both volumes under its own key", () => {
      const key = only(open.below, "aws:kms/key:Key");
      const workstation = only(open.below, "aws:ec2/instance:Instance", "-workstation");
      expect(workstation.inputs).to.deep.include({
        instanceType: "m7i.xlarge",
        tenancy: "dedicated",
        associatePublicIpAddress: false,
      });
      expect(workstation.inputs.metadataOptions).to.deep.include({
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
      });
      expect(workstation.inputs.rootBlockDevice).to.deep.include({
        encrypted: true,
        kmsKeyId: key.outputs.arn,
      });
      const appSubnets = ofType(open.below, "aws:ec2/subnet:Subnet")
        .filter((s) => tags(s).Tier === "app")
        .map((s) => s.outputs.id);
      expect(appSubnets).to.include(workstation.inputs.subnetId);
      expect(tags(workstation).Tier).to.equal(RESEARCH_TIER);
      const volume = only(open.below, "aws:ebs/volume:Volume");
      expect(volume.inputs).to.deep.include({
        encrypted: true,
        kmsKeyId: key.outputs.arn,
        size: 200,
      });
      const attachment = only(open.below, "aws:ec2/volumeAttachment:VolumeAttachment");
      expect(attachment.inputs).to.deep.include({
        volumeId: volume.outputs.id,
        instanceId: workstation.outputs.id,
      });
    });

    it("patches the workstation with the region's instances", () => {
      const workstation = only(open.below, "aws:ec2/instance:Instance", "-workstation");
      const patchGroup = one(evaluation.resources, "aws:ssm/patchGroup:PatchGroup").inputs
        .patchGroup;
      expect(tags(workstation)[PATCH_GROUP_TAG]).to.equal(patchGroup);
      // That its S3 endpoint lets it fetch the baseline (AWS-RunPatchBaseline downloads it from
      // AWS's regional buckets): research-access.spec.ts simulates the endpoint's policy.
    });

    it("admits nothing into the workstation and lets it send only HTTPS to its endpoints", () => {
      const group = ofType(open.below, "aws:ec2/securityGroup:SecurityGroup").find((g) =>
        tags(g).Name.endsWith("-workstation"),
      )!;
      const ingress = ofType(
        evaluation.resources,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      ).filter((r) => r.inputs.securityGroupId === group.outputs.id);
      expect(ingress).to.deep.equal([]);
      const egress = ofType(
        evaluation.resources,
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
      ).filter((r) => r.inputs.securityGroupId === group.outputs.id);
      // The interface endpoints, the S3 and DynamoDB endpoints, and nothing else.
      expect(egress).to.have.length(3);
      expect(egress.map((r) => [r.inputs.fromPort, r.inputs.toPort])).to.deep.equal([
        [443, 443],
        [443, 443],
        [443, 443],
      ]);
      expect(egress.map((r) => r.inputs.cidrIpv4).filter(Boolean)).to.deep.equal(["10.60.0.0/20"]);
    });

    // Who reaches its buckets, through which endpoint, and what its endpoints let out:
    // tests/infra/research-access.spec.ts simulates the recorded policies.

    it("sends its buckets' access logs to its own log bucket", () => {
      const logs = only(open.below, "aws:s3/bucket:Bucket", "-logs");
      const logging = ofType(open.below, "aws:s3/bucketLogging:BucketLogging");
      expect(logging).to.have.length(2);
      for (const l of logging) expect(l.inputs.targetBucket).to.equal(logs.outputs.bucket);
      // That S3 log delivery of this account alone writes there: research-roles-access.spec.ts.
    });

    it("screens every new object under incoming/ with a function in its VPC, with a dead-letter queue and an encrypted environment", () => {
      const key = only(open.below, "aws:kms/key:Key").outputs.arn;
      const fn = only(open.below, "aws:lambda/function:Function");
      const queue = only(open.below, "aws:sqs/queue:Queue");
      const table = only(open.below, "aws:dynamodb/table:Table");
      const topic = only(open.below, "aws:sns/topic:Topic");
      expect(fn.inputs).to.deep.include({ kmsKeyArn: key, runtime: "nodejs22.x" });
      const appSubnets = ofType(open.below, "aws:ec2/subnet:Subnet")
        .filter((s) => tags(s).Tier === "app")
        .map((s) => s.outputs.id);
      expect((fn.inputs.vpcConfig as { subnetIds: string[] }).subnetIds).to.deep.equal(appSubnets);
      expect(fn.inputs.deadLetterConfig).to.deep.equal({ targetArn: queue.outputs.arn });
      expect(queue.inputs.kmsMasterKeyId).to.equal(key);
      expect(topic.inputs.kmsMasterKeyId).to.equal(key);
      expect(
        (fn.inputs.environment as { variables: Record<string, string> }).variables,
      ).to.deep.include({
        INDEX_TABLE: table.outputs.name,
        TOPIC_ARN: topic.outputs.arn,
      });
      expect(table.inputs).to.deep.include({ hashKey: "objectKey", rangeKey: "versionId" });
      expect(table.inputs.serverSideEncryption).to.deep.equal({ enabled: true, kmsKeyArn: key });
      expect(table.inputs.pointInTimeRecovery).to.deep.equal({ enabled: true });
      const notification = only(open.below, "aws:s3/bucketNotification:BucketNotification");
      expect(notification.inputs.bucket).to.equal(
        only(open.below, "aws:s3/bucket:Bucket", "-data-in").outputs.bucket,
      );
      expect(notification.inputs.lambdaFunctions).to.deep.equal([
        {
          lambdaFunctionArn: fn.outputs.arn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: INCOMING_PREFIX,
        },
      ]);
      const permission = only(open.below, "aws:lambda/permission:Permission");
      expect(permission.inputs).to.deep.include({
        principal: "s3.amazonaws.com",
        sourceArn: only(open.below, "aws:s3/bucket:Bucket", "-data-in").outputs.arn,
        sourceAccount: "123456789012",
      });
      const emails = ofType(open.below, "aws:sns/topicSubscription:TopicSubscription");
      expect(emails.map((s) => [s.inputs.protocol, s.inputs.endpoint])).to.deep.equal([
        ["email", "research-office@example.org"],
      ]);
    });

    it("gives the upload function no managed policy: its rights are its inline policy's alone", () => {
      // What that policy lets it do (move uploads to quarantine, no output): research-roles-access.spec.ts.
      // Its rights are its own policy's alone: no managed policy widens them.
      const role = only(open.below, "aws:iam/role:Role", "-upload");
      expect(role.inputs.managedPolicyArns ?? []).to.deep.equal([]);
    });

    it("logs every session through its own session document, encrypted and streamed to its group", () => {
      const document = only(open.below, "aws:ssm/document:Document");
      const content = json<{ inputs: Record<string, unknown> }>(document.inputs.content);
      const sessions = ofType(open.below, "aws:cloudwatch/logGroup:LogGroup").find((g) =>
        String(g.inputs.name).endsWith("/sessions"),
      )!;
      expect(content.inputs).to.deep.include({
        cloudWatchLogGroupName: sessions.outputs.name,
        cloudWatchEncryptionEnabled: true,
        cloudWatchStreamingEnabled: true,
        runAsEnabled: true,
      });
      // Who opens sessions, through which document, with MFA: research-roles-access.spec.ts.
    });

    it("lets every service that encrypts with its key use it through that service, AWS Backup's vault included", async () => {
      const key = only(open.below, "aws:kms/key:Key");
      const keyArn = String(key.outputs.arn);
      const policy = json<PolicyDocument>(key.inputs.policy);
      const users = open.below.filter(
        (r) => r !== key && r.custom && !r.type.startsWith("aws:iam/") && names(r.inputs, keyArn),
      );
      const services = new Set(
        users.map((r) => {
          expect(KEY_USER, `${r.type} encrypts with the key`).to.have.property(r.type);
          return KEY_USER[r.type];
        }),
      );
      expect([...services]).to.include("backup");
      // Every service that uses the key, as the records say, against the key policy as recorded
      // (the preflight's simulator; a caller whose IAM policies allow everything).
      const request = (action: string, context: Record<string, string>): Row => ({
        says: action,
        principal: DEPLOYER,
        action,
        resource: keyArn,
        context: { "kms:CallerAccount": ACCOUNT, ...context },
        identity: [ADMIN],
        resourcePolicy: policy,
        expect: "Allowed",
      });
      const decided = (action: string, context: Record<string, string>) =>
        decide(request(action, context));
      for (const service of services) {
        const via = { "kms:ViaService": `${service}.eu-west-1.amazonaws.com` };
        for (const action of ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"]) {
          expect(await decided(action, via), `${service} ${action}`).to.equal("Allowed");
        }
        expect(
          await decided("kms:CreateGrant", { ...via, "kms:GrantIsForAWSResource": "true" }),
          `${service} grant`,
        ).to.equal("Allowed");
      }
      expect(await decided("kms:Decrypt", {})).to.equal("ImplicitlyDenied");
      // The key policy refuses it, not the request: the same request is allowed once it allows all.
      expect(await decide(opened(request("kms:Decrypt", {})))).to.equal("Allowed");
    });

    // The deploying principal manages and lists its buckets and reads none of their objects:
    // research-access.spec.ts.

    it("leaves the upload function's concurrency unreserved by default", () => {
      const fn = only(open.below, "aws:lambda/function:Function");
      expect(fn.inputs).to.not.have.property("reservedConcurrentExecutions");
    });

    it("keeps the data-in bucket's EventBridge delivery on, which AWS Backup for S3 relies on", () => {
      const notification = only(open.below, "aws:s3/bucketNotification:BucketNotification");
      expect(notification.inputs.eventbridge).to.equal(true);
    });

    it("gives deleting the function's group and subnets the time Lambda takes to release its interfaces, and keeps its role until then", () => {
      const fn = only(open.below, "aws:lambda/function:Function");
      const vpc = fn.inputs.vpcConfig as { subnetIds: string[]; securityGroupIds: string[] };
      const groups = ofType(open.below, "aws:ec2/securityGroup:SecurityGroup").filter((g) =>
        vpc.securityGroupIds.includes(String(g.outputs.id)),
      );
      const subnets = ofType(open.below, "aws:ec2/subnet:Subnet").filter((sub) =>
        vpc.subnetIds.includes(String(sub.outputs.id)),
      );
      expect(groups).to.have.length(1);
      expect(subnets).to.have.length(vpc.subnetIds.length);
      for (const r of [...groups, ...subnets]) {
        expect(minutes(r.customTimeouts?.delete), r.name).to.be.at.least(LAMBDA_RELEASE_MINUTES);
      }
      // Lambda deletes the interfaces with the function's role: the group goes before the role's
      // policy (it depends on it), so the role is still there while the group waits.
      const rolePolicy = only(open.below, "aws:iam/rolePolicy:RolePolicy", "-upload");
      expect(groups[0].dependencies).to.include(rolePolicy.urn);
    });

    it("backs up its index, buckets and data volume to a vault under its own key, in its region only", () => {
      const key = only(open.below, "aws:kms/key:Key").outputs.arn;
      const vault = only(open.below, "aws:backup/vault:Vault");
      expect(vault.inputs.kmsKeyArn).to.equal(key);
      const plan = only(open.below, "aws:backup/plan:Plan");
      const rules = plan.inputs.rules as { copyActions?: unknown[]; targetVaultName: string }[];
      expect(rules.map((r) => r.targetVaultName)).to.deep.equal([vault.outputs.name]);
      expect(rules.every((r) => !r.copyActions || r.copyActions.length === 0)).to.be.true;
      const selection = only(open.below, "aws:backup/selection:Selection");
      const [tag] = selection.inputs.selectionTags as { key: string; value: string }[];
      const selected = open.below.filter((r) => tags(r)[tag.key] === tag.value).map((r) => r.type);
      expect(selected.sort()).to.deep.equal(
        [
          "aws:dynamodb/table:Table",
          "aws:ebs/volume:Volume",
          "aws:s3/bucket:Bucket",
          "aws:s3/bucket:Bucket",
        ].sort(),
      );
      // The region's own plan, which copies to the other region, does not pick them up.
      expect(open.below.filter((r) => tags(r).Backup === "daily")).to.deep.equal([]);
    });
  });

  it("exports, for open and closed enclaves, the vault and backup role a restore names (docs/runbooks/restore.md)", () => {
    const research = evaluation.outputs.research as Record<string, Record<string, unknown>>;
    for (const { root } of [open, closed]) {
      const id = String(root.inputs.projectId);
      const below = descendants(evaluation.resources, root.urn);
      const vault = only(below, "aws:backup/vault:Vault");
      const selection = only(below, "aws:backup/selection:Selection");
      expect(research[id].backupVaultName, id).to.equal(vault.outputs.name);
      expect(research[id].backupRoleArn, id).to.equal(selection.inputs.iamRoleArn);
    }
    const runbook = readFileSync(path.join(PROJECT_DIR, "docs", "runbooks", "restore.md"), "utf8");
    expect(runbook).to.include("<id>.backupVaultName").and.include("<id>.backupRoleArn");
  });

  describe("a closed enclave", () => {
    it("keeps only its key, buckets, index, backups, stewards and logs", () => {
      const kept = new Set(closed.below.map((r) => r.type));
      for (const type of kept) {
        expect(type, type).to.match(
          /^aws:((kms|s3|dynamodb|backup)\/|cloudwatch\/logGroup:|iam\/(role|rolePolicy|rolePolicyAttachment):)/,
        );
      }
      for (const gone of [
        "aws:ec2/vpc:Vpc",
        "aws:ec2/instance:Instance",
        "aws:ebs/volume:Volume",
        "aws:lambda/function:Function",
        "aws:ssm/document:Document",
        "aws:sqs/queue:Queue",
        "aws:sns/topic:Topic",
        "aws:s3/bucketNotification:BucketNotification",
      ]) {
        expect(kept.has(gone), gone).to.equal(false);
      }
      expect(
        ofType(closed.below, "aws:s3/bucket:Bucket")
          .map((b) => tags(b).Purpose)
          .sort(),
      ).to.deep.equal(["research-access-logs", "research-data-in", "research-output"]);
      expect(
        ofType(closed.below, "aws:iam/role:Role")
          .map((r) => r.name.split("-").pop())
          .sort(),
      ).to.deep.equal(["backup", "steward"]);
    });

    // Its stewards destroy every version of the input with MFA, as the close-out runbook does, and
    // its buckets are sealed to everyone else: research-closed-access.spec.ts.
  });

  it("protects and retains, in both enclaves, every resource whose loss would lose data", () => {
    for (const { below } of [open, closed]) {
      const stateful = below.filter((r) => STATEFUL_TYPES.includes(r.type));
      expect(stateful.length).to.be.greaterThan(5);
      for (const r of [...stateful, ...ofType(below, "aws:cloudwatch/logGroup:LogGroup")]) {
        expect([r.name, r.protect, r.retainOnDelete]).to.deep.equal([r.name, true, true]);
      }
    }
  });

  it("has the trail record every object read and write on both enclaves' data buckets", () => {
    const trail = only(evaluation.resources, "aws:cloudtrail/trail:Trail");
    const prefixes = JSON.stringify(trail.inputs.advancedEventSelectors);
    for (const { below } of [open, closed]) {
      for (const suffix of ["-data-in", "-output"]) {
        expect(prefixes).to.include(`${only(below, "aws:s3/bucket:Bucket", suffix).outputs.arn}/`);
      }
    }
  });

  it("passes the policy pack with no mandatory violation, its buckets' replication exempted with a reason", () => {
    expect(mandatory(evaluation)).to.deep.equal([]);
    // The one advisory: the upload function's concurrency is unreserved by default (docs/research.md).
    expect(
      evaluation.checks!.violations.map((v) => [v.policy, v.enforcementLevel, String(v.urn)]),
    ).to.deep.equal([
      [
        "lambda-function-configure-isolation",
        "advisory",
        String(only(open.below, "aws:lambda/function:Function").urn),
      ],
    ]);
    const exempted = evaluation.checks!.exempted;
    expect(exempted.map((e) => e.policy)).to.deep.equal(
      exempted.map(() => "s3-bucket-enable-replication"),
    );
    expect(exempted).to.have.length(4);
    for (const e of exempted) expect(e.reason).to.include("stays in its study's region");
  });
});

describe("research enclave variants", () => {
  const base = {
    stewards: ["user/data-steward"],
    researchers: ["user/researcher-one"],
  };
  const site = "198.51.100.0/24";
  // One oregon evaluation holds both opted-in variants: a workstation with internet access, and
  // one behind a bastion (its site in the pack's admin allow-list).
  const variants = {
    "ehealth:research": enclavesConfig([
      {
        ...base,
        id: "neuro02",
        vpcCidr: "10.62.0.0/20",
        internetAccess: true,
        uploadConcurrency: 5,
      },
      { ...base, id: "derm03", vpcCidr: "10.63.0.0/20", bastion: { allowedCidrs: [site] } },
    ]),
    "ehealth:deployerArn": DEPLOYER,
  };
  let evaluated: Promise<Evaluation> | undefined;
  const evaluate = () => {
    const config = packConfig() as Record<string, Record<string, unknown>>;
    evaluated ??= stackWith("oregon", {
      overrides: variants,
      check: {
        config: { ...config, "ec2-ingress-enforce-admin-allowlist": { allowedAdminCidrs: [site] } },
      },
    });
    return evaluated;
  };
  let e: Evaluation;
  before(async () => {
    e = await evaluate();
  });

  it("passes the pack with both variants", () => {
    expect(mandatory(e)).to.deep.equal([]);
  });

  it("with internetAccess, gives the workstation a NAT and HTTPS out, and the plan notes it", () => {
    const { below, root } = enclave(e, "neuro02");
    expect(ofType(below, "aws:ec2/natGateway:NatGateway")).to.have.length(1);
    const group = ofType(below, "aws:ec2/securityGroup:SecurityGroup").find((g) =>
      tags(g).Name.endsWith("-workstation"),
    )!;
    const out = ofType(e.resources, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
      .filter((r) => r.inputs.securityGroupId === group.outputs.id)
      .map((r) => r.inputs.cidrIpv4);
    expect(out).to.include("0.0.0.0/0");
    expect(root.inputs.internetAccess).to.equal(true);
    const sections = stackReport(e, "stacks/index.ts").enclaves;
    expect(sections.map((x) => x.id)).to.deep.equal(["neuro02", "derm03"]);
    expect(sections[0].notes.join(" ")).to.include("CAN reach the internet");
    expect(sections[1].notes.join(" "))
      .to.include("no route to the internet")
      .and.include("through Session Manager and the bastion");
  });

  it("with a bastion, admits SSH from the allowed site alone, with one-minute keys as named accounts", () => {
    const { below } = enclave(e, "derm03");
    const bastion = only(below, "aws:ec2/instance:Instance", "-bastion");
    expect(bastion.inputs.associatePublicIpAddress).to.equal(true);
    const ssh = ofType(e.resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((r) => r.inputs.fromPort === 22 && r.inputs.cidrIpv4)
      .map((r) => r.inputs.cidrIpv4);
    expect(ssh).to.deep.equal([site]);
    expect(ofType(below, "aws:ec2/natGateway:NatGateway")).to.deep.equal([]);
    // The one-minute keys, as named accounts: the table below simulates the researchers' policy.
    expect(stackReport(e, "stacks/index.ts").enclaves[1].notes.join(" ")).to.include(
      "does not record what is typed",
    );
  });

  const DERM = "ehealth-oregon-research-derm03";
  const push = (s: Recorded, instance: string, user: string) => ({
    ...s.as(`${DERM}-researcher`, { "aws:MultiFactorAuthPresent": "true", "ec2:osuser": user }),
    action: "ec2-instance-connect:SendSSHPublicKey",
    resource: s.arn("aws:ec2/instance:Instance", `${DERM}-${instance}`),
  });
  table(
    "with a bastion, the researchers' one-minute SSH keys (derm03, as recorded)",
    async () => new Recorded(await evaluate()),
    [
      {
        says: "a researcher pushes a key for ec2-user to the bastion",
        expect: "Allowed",
        request: (s) => push(s, "bastion", "ec2-user"),
      },
      {
        says: "a researcher pushes a key for root to the bastion",
        expect: "Denied",
        request: (s) => push(s, "bastion", "root"),
      },
      {
        says: "a researcher pushes a key for the researcher account to the workstation",
        expect: "Allowed",
        request: (s) => push(s, "workstation", "researcher"),
      },
      {
        says: "a researcher pushes a key for ec2-user to the workstation",
        expect: "Denied",
        request: (s) => push(s, "workstation", "ec2-user"),
      },
    ],
  );

  it("with internetAccess and uploadConcurrency, reserves what the study asked for its upload function", () => {
    const fn = only(enclave(e, "neuro02").below, "aws:lambda/function:Function");
    expect(fn.inputs.reservedConcurrentExecutions).to.equal(5);
  });

  it("with a bastion, lets it reach Session Manager through the enclave's endpoints and S3, and patches it with the region's instances", () => {
    const { below } = enclave(e, "derm03");
    const bastion = only(below, "aws:ec2/instance:Instance", "-bastion");
    const group = ofType(below, "aws:ec2/securityGroup:SecurityGroup").find((g) =>
      (bastion.inputs.vpcSecurityGroupIds as string[]).includes(String(g.outputs.id)),
    )!;
    const https = ofType(
      e.resources,
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    ).filter((r) => r.inputs.securityGroupId === group.outputs.id && r.inputs.fromPort === 443);
    const endpoints = ofType(below, "aws:ec2/vpcEndpoint:VpcEndpoint");
    for (const svc of ["ssm", "ssmmessages", "ec2messages"]) {
      const ep = endpoints.find((x) => String(x.inputs.serviceName).endsWith(`.${svc}`))!;
      const subnets = ofType(below, "aws:ec2/subnet:Subnet").filter((sub) =>
        (ep.inputs.subnetIds as string[]).includes(String(sub.outputs.id)),
      );
      for (const sub of subnets) {
        expect(
          https.some(
            (r) =>
              r.inputs.cidrIpv4 &&
              cidrContains(String(r.inputs.cidrIpv4), String(sub.inputs.cidrBlock)),
          ),
          `${svc} in ${String(sub.inputs.cidrBlock)}`,
        ).to.equal(true);
      }
    }
    const s3 = endpoints.find((x) => String(x.inputs.serviceName).endsWith(".s3"))!;
    expect(https.map((r) => r.inputs.prefixListId)).to.include(s3.outputs.prefixListId);
    expect(https.map((r) => r.inputs.cidrIpv4)).to.not.include("0.0.0.0/0");
    const patchGroup = one(e.resources, "aws:ssm/patchGroup:PatchGroup").inputs.patchGroup;
    expect(tags(bastion)[PATCH_GROUP_TAG]).to.equal(patchGroup);
  });

  it("in the secondary, reaches the primary's trail through what the secondary exports", () => {
    expect(replicationOutputs(PROJECT_DIR, "oregon", variants)).to.deep.equal({
      replication: e.outputs.replication,
    });
    const offered = (e.outputs.replication as { phiBucketArns: string[] }).phiBucketArns;
    for (const id of ["neuro02", "derm03"]) {
      const dataIn = only(enclave(e, id).below, "aws:s3/bucket:Bucket", "-data-in");
      expect(offered, id).to.include(dataIn.outputs.arn);
    }
  });

  describe("purged", () => {
    const purged = {
      "ehealth:research": enclavesConfig([
        { ...base, id: "neuro02", vpcCidr: "10.62.0.0/20", status: "closed", purge: true },
      ]),
      "ehealth:deployerArn": DEPLOYER,
    };
    let refused: Evaluation;
    before(async () => {
      refused = await stackWith("oregon", { overrides: purged, check: { config: packConfig() } });
    });

    it("disables the key and lets it and the kept resources leave the program, the rest retained", () => {
      const { below } = enclave(refused, "neuro02");
      const key = only(below, "aws:kms/key:Key");
      expect([key.inputs.isEnabled, key.protect, key.retainOnDelete]).to.deep.equal([
        false,
        false,
        false,
      ]);
      for (const r of below.filter((x) => STATEFUL_TYPES.includes(x.type) && x !== key)) {
        expect([r.name, r.protect, r.retainOnDelete]).to.deep.equal([r.name, false, true]);
      }
    });

    it("keeps every protection of the buckets it keeps: policy, public access block, ownership, encryption, versioning, lifecycle, logging", () => {
      const { below } = enclave(refused, "neuro02");
      const kept = ofType(below, "aws:s3/bucket:Bucket").filter((b) => b.retainOnDelete);
      expect(kept).to.have.length(3);
      const protections = [
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLogging:BucketLogging",
      ];
      for (const bucket of kept) {
        const settings = below.filter(
          (r) => protections.includes(r.type) && r.inputs.bucket === bucket.outputs.bucket,
        );
        // The access-log bucket logs nowhere; the data buckets have all seven.
        expect(settings.length, bucket.name).to.be.at.least(protections.length - 1);
        for (const r of settings)
          expect([r.type, r.retainOnDelete], bucket.name).to.deep.equal([r.type, true]);
      }
    });

    it("is refused by the pack in prod until the security team exempts it, with a reason", async () => {
      const findings = mandatory(refused);
      expect(findings.map((v) => v.policy)).to.include("pulumi-resource-enforce-protect");
      expect(findings.every((v) => String(v.urn).includes("research-neuro02"))).to.be.true;
      const config = packConfig() as Record<string, Record<string, unknown>>;
      const exempted = await stackWith("oregon", {
        overrides: purged,
        check: {
          config: {
            ...config,
            "pulumi-resource-enforce-protect": {
              ...config["pulumi-resource-enforce-protect"],
              exemptions: [
                {
                  resource: "*-research-neuro02*",
                  reason: "Study neuro02 past its retention; purge approved (ticket SEC-42)",
                  expires: "2099-12-31",
                },
              ],
            },
          },
        },
      });
      expect(mandatory(exempted)).to.deep.equal([]);
      expect(exempted.checks!.exempted.length).to.equal(findings.length);
    });
  });
});
