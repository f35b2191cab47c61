import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { policies } from "../../policy-pack/policies";
import { PROJECT_DIR, ResourceRecord } from "../../tools/engine";
import { Finding, PackConfig, runPolicies } from "../../tools/policy/run";
import { stack } from "../helpers";

// The engine's sentinel for a string unknown until apply (the module ships no typings for it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: unknown };

let counter = 0;

/** A registered resource as the engine records it; outputs default to the inputs. */
function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  outputs?: Record<string, unknown>,
): ResourceRecord {
  counter += 1;
  return {
    urn: `urn:pulumi:test::fixture::${type}::${name}`,
    id: `${name}-id`,
    type,
    name,
    custom: true,
    parent: null,
    provider: null,
    protect: false,
    retainOnDelete: false,
    read: false,
    dependencies: [],
    propertyDependencies: {},
    ignoreChanges: [],
    inputs,
    outputs: outputs ?? { ...inputs, id: `${name}-${counter}` },
    secretInputs: [],
  };
}

function findingsOf(
  policy: string,
  resources: ResourceRecord[],
  config: PackConfig = {},
): Finding[] {
  return runPolicies(resources, policies, config).filter((f) => f.policy === policy);
}

const ADMIN = "ec2-ingress-enforce-admin-allowlist";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

describe("policy pack", () => {
  it("has exactly these policies at these levels", () => {
    expect(policies.map((p) => [p.name, p.enforcementLevel])).to.deep.equal([
      ["ec2-ingress-enforce-admin-allowlist", "mandatory"],
      ["ec2-volume-enforce-encryption", "mandatory"],
      ["rds-storage-enforce-encryption", "mandatory"],
      ["efs-filesystem-enforce-encryption", "mandatory"],
      ["cloudwatch-loggroup-enforce-encryption", "mandatory"],
      ["s3-bucket-enforce-encryption", "mandatory"],
    ]);
  });

  it("names each policy <service>-<resource>-<verb>-<thing>, with a severity, HIPAA citations and a fix", () => {
    for (const p of policies) {
      expect(p.name).to.match(
        /^[a-z0-9]+-[a-z0-9]+-(missing|disallow|enable|enforce|configure)-[a-z0-9-]+$/,
      );
      expect(p.severity, p.name).to.be.oneOf(["low", "medium", "high", "critical"]);
      expect(p.meta.hipaa.length, p.name).to.be.greaterThan(0);
      for (const c of p.meta.hipaa) expect(c).to.match(/^164\.3\d\d\(/);
      expect(p.remediationSteps, p.name).to.be.a("string").and.not.empty;
    }
  });

  it("ships a default config that names only policies of the pack", () => {
    const config = JSON.parse(
      readFileSync(path.join(PROJECT_DIR, "policy-pack", "config.json"), "utf8"),
    ) as object;
    const names = new Set(policies.map((p) => p.name));
    for (const key of Object.keys(config)) expect(names.has(key), key).to.equal(true);
  });

  for (const stackName of ["ireland", "oregon"]) {
    it(`finds no mandatory violation in the ${stackName} stack`, async () => {
      const evaluation = await stack(stackName);
      const mandatory = runPolicies(evaluation.resources, policies).filter(
        (f) => f.enforcementLevel === "mandatory",
      );
      expect(mandatory.map((f) => `${f.policy}: ${f.message}`)).to.deep.equal([]);
    });
  }
});

describe("ec2-ingress-enforce-admin-allowlist", () => {
  const https = {
    securityGroupId: "sg-1",
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    cidrIpv4: "10.20.0.0/16",
  };

  it("passes HTTPS from inside the VPC", () => {
    expect(findingsOf(ADMIN, [resource(INGRESS, "https", https)])).to.deep.equal([]);
  });

  it("fails when SSH comes from the whole internet, naming the property and the fix", () => {
    const [f] = findingsOf(ADMIN, [
      resource(INGRESS, "ssh", { ...https, fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }),
    ]);
    expect(f.enforcementLevel).to.equal("mandatory");
    expect(f.message).to.include("ssh admits SSH (22) from 0.0.0.0/0").and.include("cidrIpv4");
  });

  it("fails when a port range or an all-protocol rule covers RDP", () => {
    expect(
      findingsOf(ADMIN, [resource(INGRESS, "range", { ...https, fromPort: 3000, toPort: 4000 })])[0]
        .message,
    ).to.include("RDP (3389)");
    expect(
      findingsOf(ADMIN, [
        resource(INGRESS, "all", { ...https, ipProtocol: "-1", fromPort: 0, toPort: 0 }),
      ]),
    ).to.have.length(2);
  });

  it("fails when SSH comes from a private range outside the allow-list", () => {
    const [f] = findingsOf(ADMIN, [
      resource(INGRESS, "lan", { ...https, fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" }),
    ]);
    expect(f.message).to.include("outside the allowed admin CIDRs (empty)");
  });

  it("passes SSH from a CIDR inside the configured allow-list", () => {
    const config = { [ADMIN]: { allowedAdminCidrs: ["203.0.113.0/24"] } };
    const rule = resource(INGRESS, "bastion", {
      ...https,
      fromPort: 22,
      toPort: 22,
      cidrIpv4: "203.0.113.8/29",
    });
    expect(findingsOf(ADMIN, [rule], config)).to.deep.equal([]);
  });

  it("fails when ::/0 is allowed, even if the allow-list names it", () => {
    const config = { [ADMIN]: { allowedAdminCidrs: ["::/0"] } };
    const rule = resource(INGRESS, "v6", {
      securityGroupId: "sg-1",
      ipProtocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrIpv6: "::/0",
    });
    expect(findingsOf(ADMIN, [rule], config)[0].message).to.include("the whole internet");
  });

  it("reads inline rules of security groups and ec2.SecurityGroupRule ingress alike", () => {
    const inline = resource("aws:ec2/securityGroup:SecurityGroup", "inline", {
      ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
    });
    const rule = resource("aws:ec2/securityGroupRule:SecurityGroupRule", "rule", {
      type: "ingress",
      protocol: "tcp",
      fromPort: 0,
      toPort: 65535,
      cidrBlocks: ["0.0.0.0/0"],
      securityGroupId: "sg-1",
    });
    const egress = resource("aws:ec2/securityGroupRule:SecurityGroupRule", "egress", {
      type: "egress",
      protocol: "-1",
      fromPort: 0,
      toPort: 0,
      cidrBlocks: ["0.0.0.0/0"],
      securityGroupId: "sg-1",
    });
    const findings = findingsOf(ADMIN, [inline, rule, egress]);
    expect(findings.map((f) => f.urn)).to.have.members([inline.urn, rule.urn, rule.urn]);
  });

  it("reports, as advisory, a source that is unknown until apply", () => {
    const rule = resource(INGRESS, "later", {
      ...https,
      fromPort: 22,
      toPort: 22,
      cidrIpv4: unknownStringValue,
    });
    const [f] = findingsOf(ADMIN, [rule]);
    expect(f.enforcementLevel).to.equal("advisory");
    expect(f.message).to.include("can't run ec2-ingress-enforce-admin-allowlist during preview");
  });
});

describe("encryption at rest", () => {
  it("fails an instance whose root or data volume is unencrypted, and passes it encrypted", () => {
    const good = {
      rootBlockDevice: { encrypted: true },
      ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }],
    };
    expect(
      findingsOf("ec2-volume-enforce-encryption", [
        resource("aws:ec2/instance:Instance", "ok", good),
      ]),
    ).to.deep.equal([]);
    const bad = resource("aws:ec2/instance:Instance", "app", { ...good, rootBlockDevice: {} });
    expect(findingsOf("ec2-volume-enforce-encryption", [bad])[0].message).to.include(
      "set rootBlockDevice.encrypted to true",
    );
    const data = resource("aws:ec2/instance:Instance", "data", {
      ...good,
      ebsBlockDevices: [{ deviceName: "/dev/sdf" }],
    });
    expect(findingsOf("ec2-volume-enforce-encryption", [data])[0].message).to.include(
      "ebsBlockDevices[0].encrypted",
    );
  });

  it("fails a launch template without encrypted mappings, and a volume without encryption", () => {
    const lt = (ebs: object | undefined) =>
      resource(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "lt",
        ebs ? { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs }] } : {},
      );
    expect(findingsOf("ec2-volume-enforce-encryption", [lt({ encrypted: "true" })])).to.deep.equal(
      [],
    );
    expect(
      findingsOf("ec2-volume-enforce-encryption", [lt({ encrypted: "false" })]),
    ).to.have.length(1);
    expect(findingsOf("ec2-volume-enforce-encryption", [lt(undefined)])[0].message).to.include(
      "blockDeviceMappings",
    );
    expect(
      findingsOf("ec2-volume-enforce-encryption", [
        resource("aws:ebs/volume:Volume", "v", { size: 10 }),
      ]),
    ).to.have.length(1);
  });

  it("fails an unencrypted RDS instance or cluster, EFS or customer-keyless log group", () => {
    expect(
      findingsOf("rds-storage-enforce-encryption", [
        resource("aws:rds/instance:Instance", "db", { storageEncrypted: true }),
      ]),
    ).to.deep.equal([]);
    expect(
      findingsOf("rds-storage-enforce-encryption", [
        resource("aws:rds/instance:Instance", "db", {}),
      ]),
    ).to.have.length(1);
    expect(
      findingsOf("rds-storage-enforce-encryption", [
        resource("aws:rds/cluster:Cluster", "c", { storageEncrypted: false }),
      ]),
    ).to.have.length(1);
    expect(
      findingsOf("efs-filesystem-enforce-encryption", [
        resource("aws:efs/fileSystem:FileSystem", "fs", {}),
      ]),
    ).to.have.length(1);
    expect(
      findingsOf("efs-filesystem-enforce-encryption", [
        resource("aws:efs/fileSystem:FileSystem", "fs", { encrypted: true }),
      ]),
    ).to.deep.equal([]);
    expect(
      findingsOf("cloudwatch-loggroup-enforce-encryption", [
        resource("aws:cloudwatch/logGroup:LogGroup", "g", { retentionInDays: 365 }),
      ]),
    ).to.have.length(1);
  });

  describe("s3-bucket-enforce-encryption", () => {
    const S3 = "s3-bucket-enforce-encryption";
    const bucket = () => resource("aws:s3/bucket:Bucket", "documents", { bucket: "documents-1" });
    const sse = (sseAlgorithm: string) =>
      resource(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "documents",
        {
          bucket: "documents-1",
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm }, bucketKeyEnabled: true }],
        },
      );

    it("passes a bucket joined to an SSE-KMS configuration", () => {
      expect(findingsOf(S3, [bucket(), sse("aws:kms")])).to.deep.equal([]);
    });

    it("fails a bucket with only S3's default encryption, on the bucket's URN", () => {
      const b = bucket();
      const [f] = findingsOf(S3, [b]);
      expect(f.urn).to.equal(b.urn);
      expect(f.message).to.include('sseAlgorithm "aws:kms"');
    });

    it("fails SSE-S3 on a bucket that receives no access logs", () => {
      expect(findingsOf(S3, [bucket(), sse("AES256")])[0].message).to.include(
        "encrypted with AES256",
      );
    });

    it("accepts SSE-S3 on a bucket that receives S3 server access logs or ALB access logs", () => {
      const logging = resource("aws:s3/bucketLogging:BucketLogging", "docs-logging", {
        bucket: "other",
        targetBucket: "documents-1",
      });
      expect(findingsOf(S3, [bucket(), sse("AES256"), logging])).to.deep.equal([]);
      const alb = resource("aws:lb/loadBalancer:LoadBalancer", "alb", {
        accessLogs: { bucket: "documents-1", enabled: true },
      });
      expect(findingsOf(S3, [bucket(), sse("AES256"), alb])).to.deep.equal([]);
    });
  });
});
