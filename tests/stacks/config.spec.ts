import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
  CONFIG_KEYS,
  ConfigError,
  HIPAA_RETENTION_DAYS,
  PERSONA_NAMES,
  RawConfig,
  StackConfig,
  parseStackConfig,
} from "../../stacks/config";
import { PROJECT_DIR, loadProjectFile, loadStackConfig } from "../../tools/engine";

const ctx = { project: "ehealth", stack: "test" };

/** A valid configuration, as the engine would hand it to the program. */
function valid(): Record<string, string | undefined> {
  return {
    "aws:region": "eu-west-1",
    "ehealth:environment": "prod",
    "ehealth:projectTag": "ehealth",
    "ehealth:primary": "true",
    "ehealth:vpcCidr": "10.20.0.0/16",
    "ehealth:peerRegion": "us-west-2",
    "ehealth:peerVpcCidr": "10.40.0.0/16",
    "ehealth:replicationStack": "acme/ehealth/oregon",
    "ehealth:domainName": "health.example.org",
    "ehealth:alertEmails": '["security@example.org"]',
  };
}

function parseWith(changes: RawConfig): StackConfig {
  return parseStackConfig({ ...valid(), ...changes }, ctx);
}

/** The error message of a configuration that must be refused. */
function refusal(changes: RawConfig): string {
  try {
    parseWith(changes);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message.split("\n"), "one line").to.have.length(1);
    return message;
  }
  throw new Error(`expected ${JSON.stringify(changes)} to be refused`);
}

describe("stacks/config", () => {
  it("accepts a valid configuration and applies the defaults", () => {
    const config = parseWith({});
    expect(config.region).to.equal("eu-west-1");
    expect(config.azCount).to.equal(3);
    expect(config.natGateways).to.equal("perAz");
    expect(config.flowLogRetentionDays).to.equal(365);
    expect(config.dataProtection).to.equal(true);
    expect(config.peer).to.deep.equal({ region: "us-west-2", vpcCidr: "10.40.0.0/16" });
  });

  it("tags every resource with project, environment, stack, primary flag and manager", () => {
    const config = parseWith({
      "ehealth:projectTag": "clinic-7",
      "ehealth:environment": "staging",
    });
    expect(config.tags).to.deep.equal({
      Project: "clinic-7",
      Environment: "staging",
      Stack: "test",
      Primary: String(config.primary),
      ManagedBy: "pulumi",
    });
  });

  it("uses a single NAT gateway in dev when natGateways is auto", () => {
    expect(parseWith({ "ehealth:environment": "dev" }).natGateways).to.equal("single");
    expect(
      parseWith({ "ehealth:environment": "dev", "ehealth:natGateways": "perAz" }).natGateways,
    ).to.equal("perAz");
  });

  it("fails when the VPC CIDR is outside RFC 1918", () => {
    const message = refusal({ "ehealth:vpcCidr": "100.64.0.0/16" });
    expect(message).to.include('ehealth:vpcCidr "100.64.0.0/16" is not a private (RFC 1918) range');
    expect(message).to.include("10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16");
  });

  it("fails when the VPC CIDR is wider than /16", () => {
    expect(refusal({ "ehealth:vpcCidr": "10.0.0.0/8" })).to.include(
      'ehealth:vpcCidr "10.0.0.0/8" is too wide: use a /16 to /20 inside',
    );
  });

  it("fails when the VPC CIDR is narrower than /20", () => {
    expect(refusal({ "ehealth:vpcCidr": "10.20.0.0/24" })).to.include(
      'ehealth:vpcCidr "10.20.0.0/24" is too narrow',
    );
  });

  it("fails when the VPC CIDR is not a CIDR or has host bits set", () => {
    expect(refusal({ "ehealth:vpcCidr": "10.20.0.0" })).to.include("is not an IPv4 CIDR");
    expect(refusal({ "ehealth:vpcCidr": "10.20.1.0/16" })).to.include("host bits");
  });

  it("fails when the peer VPC CIDR is invalid", () => {
    expect(refusal({ "ehealth:peerVpcCidr": "8.8.0.0/16" })).to.include(
      'ehealth:peerVpcCidr "8.8.0.0/16" is not a private',
    );
  });

  it("fails when the VPC CIDR overlaps the peer region's", () => {
    const message = refusal({ "ehealth:vpcCidr": "10.40.0.0/18" });
    expect(message).to.include(
      'ehealth:vpcCidr "10.40.0.0/18" overlaps ehealth:peerVpcCidr "10.40.0.0/16"',
    );
  });

  it("fails when the AZ count is outside 2..3", () => {
    expect(refusal({ "ehealth:azCount": "1" })).to.include(
      'ehealth:azCount "1" is out of range: use 2 or 3',
    );
    expect(refusal({ "ehealth:azCount": "4" })).to.include(
      'ehealth:azCount "4" is out of range: use 2 or 3',
    );
    expect(refusal({ "ehealth:azCount": "two" })).to.include("is not a whole number");
  });

  it("fails when the AZ count is above what the region has", () => {
    const message = refusal({ "aws:region": "us-west-1", "ehealth:azCount": "3" });
    expect(message).to.include('ehealth:azCount "3" is more than the 2 AZs of us-west-1: use 2');
  });

  it("lets the stack create every account and region singleton unless told the organization provides it", () => {
    expect(parseWith({}).organizationServices).to.deep.equal({
      guardDuty: "stack",
      securityHub: "stack",
      config: "stack",
      accessAnalyzer: "stack",
      ebsDefaultEncryption: "stack",
      passwordPolicy: "stack",
      trail: "stack",
      inspector: "stack",
    });
    const mixed = parseWith({
      "ehealth:organizationServices": '{"guardDuty": "organization", "trail": "organization"}',
    }).organizationServices;
    expect(mixed.guardDuty).to.equal("organization");
    expect(mixed.trail).to.equal("organization");
    expect(mixed.config).to.equal("stack");
  });

  it("fails when ehealth:organizationServices names an unknown service or provider, in one line naming the key, the value and what is allowed", () => {
    const provider = refusal({ "ehealth:organizationServices": '{"trail": "org"}' });
    expect(provider).to.include('ehealth:organizationServices {"trail": "org"} has trail "org"');
    expect(provider).to.include('use "stack"');
    expect(provider).to.include('or "organization"');
    const service = refusal({ "ehealth:organizationServices": '{"macie": "organization"}' });
    expect(service).to.include("ehealth:organizationServices");
    expect(service).to.include("has macie, which is not a service it knows");
    expect(service).to.include(
      "use guardDuty, securityHub, config, accessAnalyzer, ebsDefaultEncryption, passwordPolicy, trail or inspector",
    );
    expect(refusal({ "ehealth:organizationServices": '["trail"]' })).to.include(
      'ehealth:organizationServices ["trail"] is not an object',
    );
    expect(refusal({ "ehealth:organizationServices": "trail" })).to.include(
      "ehealth:organizationServices trail is not JSON",
    );
  });

  it("fails when the environment is unknown", () => {
    expect(refusal({ "ehealth:environment": "qa" })).to.include(
      'ehealth:environment "qa" is not an environment: use prod, staging or dev',
    );
  });

  it("fails when the region is outside the allowed list", () => {
    const message = refusal({ "aws:region": "ap-south-1" });
    expect(message).to.include('aws:region "ap-south-1" is not an allowed region: use eu-west-1');
  });

  it("fails when the peer region is the stack's own region", () => {
    expect(refusal({ "ehealth:peerRegion": "eu-west-1" })).to.include(
      'ehealth:peerRegion "eu-west-1" is this stack\'s own region',
    );
  });

  it("fails when a required key is missing", () => {
    for (const key of ["aws:region", "ehealth:environment", "ehealth:vpcCidr", "ehealth:primary"]) {
      const message = refusal({ [key]: undefined });
      expect(message).to.include(
        `${key} is missing: set it with \`pulumi config set ${key} <value>\``,
      );
    }
  });

  it("fails when data protection is turned off in prod", () => {
    expect(refusal({ "ehealth:dataProtection": "false" })).to.include(
      'ehealth:dataProtection "false" is not allowed in prod',
    );
    expect(
      parseWith({ "ehealth:environment": "dev", "ehealth:dataProtection": "false" }).dataProtection,
    ).to.equal(false);
  });

  it("fails when flow logs would be kept less than a year or for a period CloudWatch lacks", () => {
    expect(refusal({ "ehealth:flowLogRetentionDays": "90" })).to.include(
      "is not a CloudWatch retention period of at least 365 days",
    );
    expect(refusal({ "ehealth:flowLogRetentionDays": "500" })).to.include('"500"');
    expect(parseWith({ "ehealth:flowLogRetentionDays": "3653" }).flowLogRetentionDays).to.equal(
      3653,
    );
  });

  it("fails when backups would be kept less than a week, or monthly ones shorter than daily ones", () => {
    expect(refusal({ "ehealth:backupDailyRetentionDays": "3" })).to.include(
      'ehealth:backupDailyRetentionDays "3" is out of range: use 7 or more days',
    );
    expect(
      refusal({
        "ehealth:backupDailyRetentionDays": "60",
        "ehealth:backupMonthlyRetentionDays": "30",
      }),
    ).to.include(
      'ehealth:backupMonthlyRetentionDays "30" is shorter than ehealth:backupDailyRetentionDays "60"',
    );
  });

  it("fails when database backups fall outside 7..35 days or the instance class is not one", () => {
    expect(refusal({ "ehealth:dbBackupRetentionDays": "1" })).to.include(
      'ehealth:dbBackupRetentionDays "1" is out of range: use 7 to 35 days',
    );
    expect(refusal({ "ehealth:dbBackupRetentionDays": "90" })).to.include("use 7 to 35 days");
    expect(refusal({ "ehealth:dbInstanceClass": "m7g.large" })).to.include(
      'ehealth:dbInstanceClass "m7g.large" is not an RDS instance class',
    );
  });

  it("fails when Memcached is asked for the cache, saying why", () => {
    expect(refusal({ "ehealth:cacheEngine": "memcached" })).to.include(
      'ehealth:cacheEngine "memcached" cannot hold PHI: Memcached has no encryption at rest; use valkey or redis',
    );
    expect(parseWith({ "ehealth:cacheEngine": "redis" }).cacheEngine).to.equal("redis");
  });

  it("fails when the primary names no replication stack, and needs none in the secondary", () => {
    expect(refusal({ "ehealth:replicationStack": undefined })).to.include(
      "ehealth:replicationStack is missing",
    );
    const secondary = parseWith({
      "ehealth:primary": "false",
      "ehealth:replicationStack": undefined,
    });
    expect(secondary.replicationStack).to.equal(undefined);
    expect(refusal({ "ehealth:replicationStack": "a/b/c/d" })).to.include(
      "is not a stack reference name",
    );
  });

  it("fails when a key of the project's namespace is unknown, suggesting the right one", () => {
    expect(refusal({ "ehealth:vpccidr": "10.20.0.0/16" })).to.include(
      "ehealth:vpccidr is not a known key: did you mean ehealth:vpcCidr?",
    );
  });

  it("reads the DNS names, alert addresses and archive retention, with their defaults", () => {
    const config = parseWith({});
    expect(config.dns).to.deep.equal({ zone: "health.example.org", appName: "portal" });
    expect(config.alertEmails).to.deep.equal(["security@example.org"]);
    expect(config.archiveRetentionDays).to.equal(HIPAA_RETENTION_DAYS);
    expect(HIPAA_RETENTION_DAYS).to.equal(6 * 365);
  });

  it("fails when the domain or application name is not a DNS name", () => {
    expect(refusal({ "ehealth:domainName": "Health Example" })).to.include(
      'ehealth:domainName "Health Example" is not a DNS name',
    );
    expect(refusal({ "ehealth:appSubdomain": "portal.app" })).to.include(
      'ehealth:appSubdomain "portal.app" is not a DNS label',
    );
  });

  it("fails when alert addresses are not a list of emails, or when prod has none", () => {
    expect(refusal({ "ehealth:alertEmails": '["not-an-address"]' })).to.include(
      "holds something that is not an email address",
    );
    expect(refusal({ "ehealth:alertEmails": "security@example.org" })).to.include(
      "is not a list of email addresses",
    );
    expect(refusal({ "ehealth:alertEmails": "[]" })).to.include(
      "ehealth:alertEmails is empty: in prod",
    );
    expect(
      parseWith({ "ehealth:alertEmails": undefined, "ehealth:environment": "dev" }).alertEmails,
    ).to.deep.equal([]);
  });

  it("fails when the archive would keep logs less than six years in prod", () => {
    expect(refusal({ "ehealth:archiveRetentionDays": "365" })).to.include(
      'ehealth:archiveRetentionDays "365" is shorter than the six years',
    );
    const dev = parseWith({ "ehealth:archiveRetentionDays": "30", "ehealth:environment": "dev" });
    expect(dev.archiveRetentionDays).to.equal(30);
  });

  it("reads the persona principals, every persona present, and refuses unknown personas or principals", () => {
    const config = parseWith({
      "ehealth:personas": JSON.stringify({
        dba: ["user/dana", "arn:aws:iam::123456789012:role/oncall/dba"],
      }),
    });
    expect(config.personas).to.deep.equal({
      support: [],
      dba: ["user/dana", "arn:aws:iam::123456789012:role/oncall/dba"],
      sysadmin: [],
      breakGlass: [],
    });
    expect(Object.keys(parseWith({}).personas)).to.deep.equal([...PERSONA_NAMES]);
    expect(refusal({ "ehealth:personas": '{"admin": ["user/eve"]}' })).to.include(
      "has a persona that does not exist",
    );
    expect(refusal({ "ehealth:personas": '{"dba": ["*"]}' })).to.include(
      "names something that is not an IAM user or role under dba",
    );
    expect(refusal({ "ehealth:personas": "{dba:" })).to.include("is not JSON");
  });

  it("reads the application tier's size and WAF limit, with their defaults", () => {
    expect(parseWith({}).app).to.deep.equal({
      instanceType: "m7i.large",
      minSize: 2,
      maxSize: 6,
      wafRateLimit: 2000,
    });
    expect(refusal({ "ehealth:appMinSize": "4", "ehealth:appMaxSize": "3" })).to.include(
      'ehealth:appMaxSize "3" is below ehealth:appMinSize "4"',
    );
    expect(refusal({ "ehealth:appMinSize": "1" })).to.include("leaves prod with a single instance");
    expect(
      parseWith({ "ehealth:appMinSize": "1", "ehealth:environment": "dev" }).app.minSize,
    ).to.equal(1);
    expect(refusal({ "ehealth:wafRateLimit": "50" })).to.include("ehealth:wafRateLimit");
    expect(refusal({ "ehealth:appInstanceType": "large" })).to.include(
      "is not an EC2 instance type",
    );
  });

  it("leaves the bastion off by default and reads an allowed CIDR", () => {
    expect(parseWith({}).bastion).to.deep.equal({
      enabled: false,
      allowedCidrs: [],
      instanceType: "t3.micro",
    });
    const on = parseWith({
      "ehealth:bastion": JSON.stringify({ enabled: true, allowedCidrs: ["203.0.113.0/24"] }),
    });
    expect(on.bastion.enabled).to.equal(true);
    expect(on.bastion.allowedCidrs).to.deep.equal(["203.0.113.0/24"]);
  });

  it("refuses a bastion open to the internet, wider than /16, or enabled with no source", () => {
    const bastion = (value: unknown) => refusal({ "ehealth:bastion": JSON.stringify(value) });
    for (const anywhere of ["0.0.0.0/0", "::/0"]) {
      const message = bastion({ enabled: true, allowedCidrs: [anywhere] });
      expect(message).to.include(`admits SSH from ${anywhere}, the whole internet`);
      expect(message.split("\n")).to.have.length(1);
    }
    expect(bastion({ enabled: true, allowedCidrs: ["10.0.0.0/8"] })).to.include("wider than /16");
    expect(bastion({ enabled: true, allowedCidrs: ["203.0.113.7/24"] })).to.include(
      "not an IPv4 CIDR",
    );
    expect(bastion({ enabled: true })).to.include("enabled with no allowedCidrs");
    expect(bastion({ enabled: true, port: 22 })).to.include("which the bastion does not know");
  });

  it("reports every problem of a configuration in one line", () => {
    const message = refusal({ "ehealth:environment": "qa", "ehealth:azCount": "9" });
    expect(message).to.include("ehealth:environment").and.to.include("ehealth:azCount");
  });
});

describe("stacks/config: ehealth:research", () => {
  const study = { id: "cardio01", vpcCidr: "10.60.0.0/20" };
  const deployer = "arn:aws:iam::210987654321:role/pulumi-deploy";
  const research = (...enclaves: unknown[]) => ({
    "ehealth:research": JSON.stringify({ enclaves }),
    "ehealth:deployerArn": deployer,
  });

  it("fails when enclaves are declared without ehealth:deployerArn, in one line naming the key", () => {
    const message = refusal({ "ehealth:research": JSON.stringify({ enclaves: [study] }) });
    expect(message)
      .to.match(/^invalid stack configuration: ehealth:deployerArn is missing: /)
      .and.include("pulumi config set ehealth:deployerArn");
    expect(parseWith(research(study)).deployerArn).to.equal(deployer);
    expect(parseWith({}).deployerArn).to.equal(undefined);
  });

  it("fails when ehealth:deployerArn is an STS session or not an IAM ARN, naming the key", () => {
    for (const bad of [
      "arn:aws:sts::210987654321:assumed-role/pulumi-deploy/session",
      "role/pulumi-deploy",
      "pulumi-deploy",
    ]) {
      const message = refusal({ ...research(study), "ehealth:deployerArn": bad });
      expect(message, bad).to.include(
        `ehealth:deployerArn "${bad}" is not an IAM role or user ARN`,
      );
    }
    const user = "arn:aws:iam::210987654321:user/ci";
    expect(parseWith({ ...research(study), "ehealth:deployerArn": user }).deployerArn).to.equal(
      user,
    );
  });

  it("leaves the upload function's concurrency unreserved unless an enclave asks, and refuses a reservation out of range", () => {
    expect(parseWith(research(study)).research.enclaves[0]).to.not.have.property(
      "uploadConcurrency",
    );
    expect(
      parseWith(research({ ...study, uploadConcurrency: 5 })).research.enclaves[0]
        .uploadConcurrency,
    ).to.equal(5);
    for (const bad of [0, -1, 2.5, 1001, "5"]) {
      expect(refusal(research({ ...study, uploadConcurrency: bad })), String(bad)).to.include(
        'enclave "cardio01" has the uploadConcurrency',
      );
    }
  });

  it("has no enclave by default, and gives an enclave its secure defaults", () => {
    expect(parseWith({}).research).to.deep.equal({ enclaves: [] });
    const [enclave] = parseWith(research(study)).research.enclaves;
    expect(enclave).to.deep.equal({
      id: "cardio01",
      status: "open",
      purge: false,
      vpcCidr: "10.60.0.0/20",
      workstation: { instanceType: "m7i.xlarge", tenancy: "dedicated", dataVolumeGb: 100 },
      stewards: [],
      researchers: [],
      internetAccess: false,
      bastionCidrs: [],
      notify: [],
    });
  });

  it("refuses a project identifier that is not one, and the same identifier twice", () => {
    for (const id of ["Cardio01", "c1", "cardio-01", "a-very-long-identifier", 7]) {
      expect(refusal(research({ ...study, id })), String(id))
        .to.include("ehealth:research enclave 1 has the id")
        .and.include("3 to 12 lowercase letters and digits");
    }
    expect(refusal(research(study, { ...study, vpcCidr: "10.61.0.0/20" }))).to.include(
      'declares enclave "cardio01" twice',
    );
  });

  it("refuses a burstable workstation, and any type outside the m family, naming the enclave", () => {
    const burstable = refusal(research({ ...study, workstation: { instanceType: "t3.large" } }));
    expect(burstable)
      .to.include('enclave "cardio01" has the workstation type t3.large, which is burstable')
      .and.include("m-family");
    expect(refusal(research({ ...study, workstation: { instanceType: "c7i.large" } }))).to.include(
      "not a general-purpose m-family type",
    );
    expect(refusal(research({ ...study, workstation: { tenancy: "host" } }))).to.include("tenancy");
    expect(refusal(research({ ...study, workstation: { dataVolumeGb: 5 } }))).to.include(
      "20 to 16384",
    );
  });

  it("refuses a bastion open to the internet or wider than /16, before any resource exists", () => {
    for (const anywhere of ["0.0.0.0/0", "::/0"]) {
      expect(refusal(research({ ...study, bastion: { allowedCidrs: [anywhere] } })))
        .to.include('enclave "cardio01" has a bastion that')
        .and.include("the whole internet");
    }
    expect(refusal(research({ ...study, bastion: { allowedCidrs: ["10.0.0.0/8"] } }))).to.include(
      "wider than /16",
    );
    expect(refusal(research({ ...study, bastion: { allowedCidrs: [] } }))).to.include(
      "no allowedCidrs",
    );
  });

  it("refuses a purge while open, an unknown field, and principals that are not IAM users or roles", () => {
    expect(refusal(research({ ...study, purge: true }))).to.include(
      "asks for purge while open: close it first",
    );
    expect(refusal(research({ ...study, gpu: true }))).to.include("has gpu: known fields are");
    expect(refusal(research({ ...study, stewards: ["*"] }))).to.include(
      "stewards that is not a list of IAM users or roles",
    );
    expect(refusal(research({ ...study, status: "archived" }))).to.include("use open or closed");
    expect(refusal(research({ id: "cardio01" }))).to.include("has no vpcCidr");
  });

  it("refuses an enclave range that overlaps the region's, the peer's or another enclave's", () => {
    expect(refusal(research({ ...study, vpcCidr: "10.20.16.0/20" }))).to.include(
      'overlaps ehealth:vpcCidr "10.20.0.0/16"',
    );
    expect(refusal(research({ ...study, vpcCidr: "10.40.0.0/20" }))).to.include(
      'overlaps ehealth:peerVpcCidr "10.40.0.0/16"',
    );
    expect(
      refusal(research(study, { ...study, id: "onco07", vpcCidr: "10.60.0.0/16" })),
    ).to.include(
      'enclave "onco07" has the vpcCidr "10.60.0.0/16", which overlaps enclave "cardio01"',
    );
    expect(refusal(research({ ...study, vpcCidr: "10.0.0.0/8" }))).to.include("is too wide");
  });

  it("refuses an id that, with the stack's name, no longer fits the buckets' names", () => {
    const long = parseStackConfig.bind(null, {
      ...valid(),
      ...research({ ...study, id: "cardiology12" }),
    });
    expect(() => long({ project: "ehealth", stack: "ireland" })).to.not.throw();
    let message = "";
    try {
      long({ project: "ehealth", stack: "ireland-production-eu" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message)
      .to.include(
        'enclave "cardiology12" makes the name ehealth-ireland-production-eu-research-cardiology12',
      )
      .and.include("use an id of at most");
  });

  it("names the enclave and the field, never the whole object, in its message", () => {
    const message = refusal(
      research(study, { ...study, id: "onco07", vpcCidr: "10.61.0.0/20", notify: ["nobody"] }),
    );
    expect(message).to.equal(
      'invalid stack configuration: ehealth:research enclave "onco07" has notify that is not a list of email addresses',
    );
  });
});

describe("examples/research/Pulumi.ireland.yaml", () => {
  it("is ireland's stack file plus two enclaves, one open and one closed, and the deployer they need", () => {
    const project = loadProjectFile(PROJECT_DIR);
    const example = loadStackConfig(
      path.join(PROJECT_DIR, "examples", "research", "Pulumi.ireland.yaml"),
      project,
    );
    const ireland = loadStackConfig(path.join(PROJECT_DIR, "Pulumi.ireland.yaml"), project);
    const { "ehealth:research": research, "ehealth:deployerArn": deployer, ...rest } = example;
    expect(Object.keys(rest).sort()).to.deep.equal(
      Object.keys(ireland)
        .filter((k) => k !== "ehealth:research" && k !== "ehealth:deployerArn")
        .sort(),
    );
    expect(deployer).to.match(/^arn:aws:iam::\d{12}:role\//);
    for (const key of Object.keys(rest)) expect(rest[key], key).to.equal(ireland[key]);
    const parsed = parseStackConfig(example, { project: "ehealth", stack: "ireland" });
    expect(parsed.research.enclaves.map((e) => e.status)).to.deep.equal(["open", "closed"]);
    expect(research).to.be.a("string");
  });
});

describe("Pulumi.yaml", () => {
  const project = parse(readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
    main: string;
    config: Record<string, { type: string; description: string; default?: unknown }>;
  };

  const asConfigString = (value: unknown) =>
    value === undefined
      ? undefined
      : typeof value === "object"
        ? JSON.stringify(value)
        : String(value);

  it("declares every project key the program reads, with its type, description and default", () => {
    const typed = CONFIG_KEYS.filter((k) => k.key.startsWith("ehealth:") && k.type !== "object");
    for (const spec of typed) {
      const declared = project.config[spec.key];
      expect(declared, spec.key).to.not.equal(undefined);
      expect(declared.type, spec.key).to.equal(spec.type);
      if (spec.type === "array") expect(declared, spec.key).to.have.nested.property("items.type");
      expect(declared.description, spec.key).to.be.a("string").and.not.empty;
      const expectedDefault = "default" in spec ? spec.default : undefined;
      expect(asConfigString(declared.default), spec.key).to.equal(expectedDefault);
    }
  });

  it("lists the object keys, which Pulumi.yaml cannot type, in its comment with their default", () => {
    const text = readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8");
    const comment = text
      .split("\n")
      .filter((l) => l.trim().startsWith("#"))
      .join("\n");
    const objects = CONFIG_KEYS.filter((k) => k.type === "object");
    expect(objects).to.not.be.empty;
    for (const spec of objects) {
      expect(project.config[spec.key], spec.key).to.equal(undefined);
      expect(comment).to.match(new RegExp(`${spec.key}\\s[\\s\\S]*Default ${spec.default}\\.`));
    }
  });

  it("declares no key the program does not read", () => {
    const known = new Set<string>(CONFIG_KEYS.map((k) => k.key));
    for (const key of Object.keys(project.config)) expect(known.has(key), key).to.equal(true);
  });

  it("lists every stack's bastion sources, enclaves' included, in the policy pack's admin allow-list", () => {
    const pack = JSON.parse(
      readFileSync(path.join(PROJECT_DIR, "policy-pack", "config.json"), "utf8"),
    ) as Record<string, { allowedAdminCidrs?: string[] }>;
    const allowed = pack["ec2-ingress-enforce-admin-allowlist"].allowedAdminCidrs ?? [];
    const files = [
      ["ireland", "Pulumi.ireland.yaml"],
      ["oregon", "Pulumi.oregon.yaml"],
      ["ireland", path.join("examples", "research", "Pulumi.ireland.yaml")],
    ];
    for (const [stackName, file] of files) {
      const raw = loadStackConfig(path.join(PROJECT_DIR, file), loadProjectFile(PROJECT_DIR));
      const { bastion, research } = parseStackConfig(raw, {
        project: "ehealth",
        stack: stackName,
      });
      const sources = [
        ...(bastion.enabled ? bastion.allowedCidrs : []),
        ...research.enclaves.flatMap((e) => e.bastionCidrs),
      ];
      for (const cidr of sources) expect(allowed, `${file} ${cidr}`).to.include(cidr);
    }
  });

  it("points main at the stacks entry point", () => {
    expect(project.main).to.equal("stacks/index.ts");
  });

  for (const stackName of ["ireland", "oregon"]) {
    it(`gives the ${stackName} stack a configuration that validates`, () => {
      const raw = loadStackConfig(
        path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`),
        loadProjectFile(PROJECT_DIR),
      );
      const config = parseStackConfig(raw, { project: "ehealth", stack: stackName });
      expect(config.stack).to.equal(stackName);
    });
  }
});
