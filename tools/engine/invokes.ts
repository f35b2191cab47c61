/**
 * The data sources the mock engine answers: deterministic (the same call always gets the same
 * answer), in the region of the provider that makes the call (or the call's own `region`), for
 * the mock account. `getPolicyDocument` is computed exactly (policy-document.ts); the look-ups of
 * things that exist in a real account are answered with stand-ins shaped as AWS shapes them, and
 * where AWS documents what an account starts with (the default VPC and its subnets, AWS managed
 * keys, Elastic Load Balancing's log account), with that. A program needing other values gives
 * them in a --mocks file (mock-file.ts), which wins over these.
 */
import { createHash } from "node:crypto";
import { PolicyDocumentArgs, policyDocument } from "./policy-document";

export type State = Record<string, unknown>;

export interface InvokeContext {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  /** The AZ names of a region, as `getAvailabilityZones` answers them. */
  readonly zones: (region: string) => string[];
}

export type Answer = (inputs: State, c: InvokeContext) => State;

export class InvokeInputError extends Error {}

export function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

export function uuidOf(seed: string): string {
  const h = hex(seed, 32);
  return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
}

const arn = (c: InvokeContext, service: string, resource: string, region = c.region) =>
  `arn:${c.partition}:${service}:${region}:${c.account}:${resource}`;

/** Local Zones an opted-in account sees beside its AZs, by region. */
const LOCAL_ZONES: Readonly<Record<string, readonly string[]>> = {
  "us-west-2": ["us-west-2-lax-1a", "us-west-2-lax-1b"],
};

/** A fixed time for every creation date the mocks report, so that answers never change. */
const EPOCH = "2024-01-01T00:00:00Z";

/** The value of a filter (`{ name, values }`) by name, if the call has it. */
function filter(inputs: State, name: string): string[] | undefined {
  const filters = (inputs.filters ?? []) as { name?: string; values?: string[] }[];
  return filters.find((f) => f.name === name)?.values;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

// ---- the default VPC every region of an account starts with ----
// "Default VPCs" (https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html): a /16 IPv4
// CIDR block, 172.31.0.0/16, and a /20 default subnet in each Availability Zone that gives
// instances public IP addresses.

const DEFAULT_VPC_CIDR = "172.31.0.0/16";

function defaultVpcId(region: string): string {
  return `vpc-${hex(`${region}::default-vpc`, 17)}`;
}

function vpcState(c: InvokeContext, id: string, isDefault: boolean, cidr: string): State {
  return {
    id,
    arn: arn(c, "ec2", `vpc/${id}`),
    cidrBlock: cidr,
    cidrBlockAssociations: [
      { associationId: `vpc-cidr-assoc-${hex(id, 17)}`, cidrBlock: cidr, state: "associated" },
    ],
    default: isDefault,
    dhcpOptionsId: `dopt-${hex(`${id}::dhcp`, 17)}`,
    enableDnsHostnames: isDefault,
    enableDnsSupport: true,
    enableNetworkAddressUsageMetrics: false,
    instanceTenancy: "default",
    ipv6AssociationId: "",
    ipv6CidrBlock: "",
    ipv6CidrBlockAssociations: [],
    mainRouteTableId: `rtb-${hex(`${id}::main`, 17)}`,
    ownerId: c.account,
    region: c.region,
    state: "available",
    tags: {},
  };
}

/** The VPC a call names: the default one, or a stand-in for one found by id, tags or filters. */
function vpcOf(inputs: State, c: InvokeContext): State {
  const wantsDefault = inputs.default === true || filter(inputs, "is-default")?.[0] === "true";
  const id = str(inputs.id) ?? filter(inputs, "vpc-id")?.[0];
  if (
    wantsDefault ||
    id === defaultVpcId(c.region) ||
    (!id && !inputs.tags && !inputs.filters && !inputs.cidrBlock)
  ) {
    return vpcState(c, defaultVpcId(c.region), true, DEFAULT_VPC_CIDR);
  }
  const seed = JSON.stringify([c.region, id, inputs.tags, inputs.filters, inputs.cidrBlock]);
  // A VPC of the account's own: its CIDR is not knowable offline; a stand-in unless given.
  const cidr =
    str(inputs.cidrBlock) ??
    filter(inputs, "cidr-block")?.[0] ??
    filter(inputs, "cidr")?.[0] ??
    "10.0.0.0/16";
  return vpcState(c, id ?? `vpc-${hex(seed, 17)}`, false, cidr);
}

/** The /20 subnets of a /16, one per AZ, as the default VPC has them. */
function subnetsOf(vpc: State, c: InvokeContext): State[] {
  const [a, b] = String(vpc.cidrBlock).split(".");
  return c.zones(c.region).map((az, i) => {
    const id =
      vpc.default === true
        ? `subnet-${hex(`${c.region}::default::${az}`, 17)}`
        : `subnet-${hex(`${String(vpc.id)}::${az}`, 17)}`;
    return {
      id,
      arn: arn(c, "ec2", `subnet/${id}`),
      vpcId: vpc.id,
      cidrBlock: `${a}.${b}.${i * 16}.0/20`,
      availabilityZone: az,
      availabilityZoneId: `${c.region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`,
      availableIpAddressCount: 4091,
      defaultForAz: vpc.default === true,
      mapPublicIpOnLaunch: vpc.default === true,
      assignIpv6AddressOnCreation: false,
      enableDns64: false,
      enableLniAtDeviceIndex: 0,
      enableResourceNameDnsARecordOnLaunch: false,
      enableResourceNameDnsAaaaRecordOnLaunch: false,
      customerOwnedIpv4Pool: "",
      ipv6CidrBlock: "",
      ipv6CidrBlockAssociationId: "",
      ipv6Native: false,
      mapCustomerOwnedIpOnLaunch: false,
      outpostArn: "",
      ownerId: c.account,
      privateDnsHostnameTypeOnLaunch: "ip-name",
      region: c.region,
      state: "available",
      tags: {},
    };
  });
}

/** The subnets a getSubnet(s) call selects: those of the VPC it filters on, else the default's. */
function selectedSubnets(inputs: State, c: InvokeContext): State[] {
  const vpcId = str(inputs.vpcId) ?? filter(inputs, "vpc-id")?.[0];
  const vpc = vpcOf(vpcId ? { id: vpcId } : { default: true }, c);
  let subnets = subnetsOf(vpc, c);
  const az = str(inputs.availabilityZone) ?? filter(inputs, "availability-zone")?.[0];
  if (az) subnets = subnets.filter((s) => s.availabilityZone === az);
  const id = str(inputs.id) ?? filter(inputs, "subnet-id")?.[0];
  if (id)
    subnets = subnets
      .filter((s) => s.id === id)
      .concat(
        subnets.some((s) => s.id === id)
          ? []
          : [{ ...subnets[0], id, arn: arn(c, "ec2", `subnet/${id}`) }],
      );
  return subnets;
}

function securityGroupOf(inputs: State, c: InvokeContext): State {
  const vpcId = str(inputs.vpcId) ?? filter(inputs, "vpc-id")?.[0] ?? defaultVpcId(c.region);
  const name = str(inputs.name) ?? filter(inputs, "group-name")?.[0] ?? "default";
  const id =
    str(inputs.id) ?? filter(inputs, "group-id")?.[0] ?? `sg-${hex(`${vpcId}::${name}`, 17)}`;
  return {
    id,
    arn: arn(c, "ec2", `security-group/${id}`),
    name,
    description: name === "default" ? "default VPC security group" : `${name} (offline stand-in)`,
    vpcId,
    region: c.region,
    tags: {},
  };
}

// ---- AWS-published names ----

/** The public parameters Amazon publishes its Amazon Linux 2023 images under. */
const AL2023_PARAMETER =
  /^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-default-(x86_64|arm64)$/;

/** Image ids a public parameter under /aws/service/ names (Amazon Linux, Ubuntu, ECS, Windows). */
function imageParameter(name: string, region: string): string | undefined {
  const al2023 = AL2023_PARAMETER.exec(name);
  if (al2023) return `ami-${hex(`${region}::${al2023[1]}`, 17)}`;
  if (/^\/aws\/service\/.*ami/i.test(name)) return `ami-${hex(`${region}::${name}`, 17)}`;
  return undefined;
}

/**
 * Elastic Load Balancing's log-delivery account per region, as the provider lists them
 * (internal/service/elb/service_account_data_source.go, from "Enable access logs for your
 * Application Load Balancer", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
 * Regions opened since August 2022 have none: the provider refuses them, and so do these mocks.
 */
export const ELB_ACCOUNTS: Readonly<Record<string, string>> = {
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-northeast-3": "383597477331",
  "ap-south-1": "718504428378",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-southeast-3": "589379963580",
  "ca-central-1": "985666609251",
  "cn-north-1": "638102146993",
  "cn-northwest-1": "037604701340",
  "eu-central-1": "054676820928",
  "eu-north-1": "897822967062",
  "eu-south-1": "635631232127",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-gov-east-1": "190560391635",
  "us-gov-west-1": "048591011584",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
};

/** A key a KMS alias points at: for `alias/aws/<service>`, the AWS managed key of the account. */
function keyOfAlias(alias: string, c: InvokeContext): string {
  return uuidOf(`${c.region}::${alias}`);
}

/** The key id a kms.getKey `keyId` names: a key id, a key ARN, an alias name or an alias ARN. */
function keyIdOf(keyId: string, c: InvokeContext): { id: string; alias?: string } {
  const keyArn = /^arn:[^:]+:kms:[^:]*:\d*:key\/(.+)$/.exec(keyId);
  if (keyArn) return { id: keyArn[1] };
  const aliasArn = /^arn:[^:]+:kms:[^:]*:\d*:(alias\/.+)$/.exec(keyId);
  const alias = aliasArn?.[1] ?? (keyId.startsWith("alias/") ? keyId : undefined);
  if (alias) return { id: keyOfAlias(alias, c), alias };
  return { id: keyId };
}

const EMPTY_POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [] });

/** The invokes answered without a --mocks file, by token. */
export const ANSWERS: Readonly<Record<string, Answer>> = {
  "aws:index/getCallerIdentity:getCallerIdentity": (_i, c) => ({
    id: c.account,
    accountId: c.account,
    arn: `arn:${c.partition}:sts::${c.account}:assumed-role/plan/offline`,
    userId: "AROAEXAMPLE:offline",
  }),
  "aws:index/getPartition:getPartition": (_i, c) => ({
    id: c.partition,
    partition: c.partition,
    dnsSuffix: c.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com",
    reverseDnsPrefix: c.partition === "aws-cn" ? "cn.com.amazonaws" : "com.amazonaws",
  }),
  "aws:index/getRegion:getRegion": (_i, c) => ({
    id: c.region,
    name: c.region,
    region: c.region,
    endpoint: `ec2.${c.region}.amazonaws.com`,
    description: c.region,
  }),
  "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs, c) => {
    // An opted-in account also sees its Local Zones (real names: us-west-2-lax-1a sorts before
    // us-west-2a); DescribeAvailabilityZones returns them unless filtered by opt-in-status.
    const zones = [
      ...c.zones(c.region).map((name) => ({ name, optInStatus: "opt-in-not-required" })),
      ...(LOCAL_ZONES[c.region] ?? []).map((name) => ({ name, optInStatus: "opted-in" })),
    ];
    const optIn = filter(inputs, "opt-in-status");
    const names = zones.filter((z) => !optIn || optIn.includes(z.optInStatus)).map((z) => z.name);
    return {
      id: c.region,
      region: c.region,
      names,
      zoneIds: names.map((_n, i) => `${c.region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`),
      groupNames: names.map(() => c.region),
      state: "available",
    };
  },
  "aws:iam/getPolicyDocument:getPolicyDocument": (inputs) => ({
    ...inputs,
    ...policyDocument(inputs as PolicyDocumentArgs),
  }),
  "aws:iam/getSessionContext:getSessionContext": (inputs, c) => {
    const given = String(inputs.arn ?? "");
    // As the provider reads it: only an STS assumed-role ARN has an issuer role and a session.
    const assumed = /^arn:([^:]+):sts::(\d*):assumed-role\/(.+)\/([^/]{2,})$/.exec(given);
    if (!assumed)
      return {
        id: given,
        arn: given,
        issuerArn: given,
        issuerId: "",
        issuerName: "",
        sessionName: "",
      };
    const role = assumed[3].split("/").pop()!;
    return {
      id: given,
      arn: given,
      // The role's path would come from IAM: offline, roles are taken to have the path "/".
      issuerArn: `arn:${assumed[1]}:iam::${assumed[2] || c.account}:role/${role}`,
      issuerId: `AROA${hex(`role::${role}`, 17).toUpperCase()}`,
      issuerName: role,
      sessionName: assumed[4],
    };
  },
  "aws:iam/getRole:getRole": (inputs, c) => {
    const name = String(inputs.name ?? "");
    return {
      id: name,
      name,
      arn: `arn:${c.partition}:iam::${c.account}:role/${name}`,
      uniqueId: `AROA${hex(`role::${name}`, 17).toUpperCase()}`,
      path: "/",
      // A role of the account's own: its policies are not knowable offline.
      assumeRolePolicy: EMPTY_POLICY,
      createDate: EPOCH,
      description: "",
      maxSessionDuration: 3600,
      permissionsBoundary: "",
      roleLastUseds: [],
      tags: {},
    };
  },
  "aws:iam/getPolicy:getPolicy": (inputs, c) => {
    const name =
      str(inputs.name) ??
      String(inputs.arn ?? "")
        .split("/")
        .pop() ??
      "";
    const path = str(inputs.pathPrefix) ?? "/";
    const policyArn =
      str(inputs.arn) ?? `arn:${c.partition}:iam::${c.account}:policy${path}${name}`;
    return {
      id: policyArn,
      arn: policyArn,
      name,
      path,
      policyId: `ANPA${hex(`policy::${policyArn}`, 17).toUpperCase()}`,
      policy: EMPTY_POLICY,
      attachmentCount: 0,
      description: "",
      tags: {},
    };
  },
  "aws:ec2/getVpc:getVpc": (inputs, c) => vpcOf(inputs, c),
  "aws:ec2/getSubnet:getSubnet": (inputs, c) => {
    const [subnet] = selectedSubnets(inputs, c);
    if (!subnet)
      throw new InvokeInputError(
        `no subnet of the offline account matches ${JSON.stringify(inputs)}`,
      );
    return subnet;
  },
  "aws:ec2/getSubnets:getSubnets": (inputs, c) => ({
    id: c.region,
    ids: selectedSubnets(inputs, c).map((s) => s.id),
    region: c.region,
  }),
  "aws:ec2/getSecurityGroup:getSecurityGroup": (inputs, c) => securityGroupOf(inputs, c),
  "aws:ec2/getSecurityGroups:getSecurityGroups": (inputs, c) => {
    const group = securityGroupOf(inputs, c);
    return {
      id: c.region,
      ids: [group.id],
      arns: [group.arn],
      vpcIds: [group.vpcId],
      region: c.region,
    };
  },
  "aws:ec2/getPrefixList:getPrefixList": (inputs, c) => {
    const name =
      str(inputs.name) ?? filter(inputs, "prefix-list-name")?.[0] ?? `com.amazonaws.${c.region}.s3`;
    const id =
      str(inputs.prefixListId) ??
      filter(inputs, "prefix-list-id")?.[0] ??
      `pl-${hex(`${c.region}::${name}`, 8)}`;
    // The addresses behind an AWS service's prefix list change and are not knowable offline.
    return { id, prefixListId: id, name, cidrBlocks: [], region: c.region };
  },
  "aws:ec2/getManagedPrefixList:getManagedPrefixList": (inputs, c) => {
    const name =
      str(inputs.name) ?? filter(inputs, "prefix-list-name")?.[0] ?? `com.amazonaws.${c.region}.s3`;
    const id =
      str(inputs.id) ??
      filter(inputs, "prefix-list-id")?.[0] ??
      `pl-${hex(`${c.region}::${name}`, 8)}`;
    const awsManaged = name.startsWith("com.amazonaws.");
    return {
      id,
      name,
      arn: `arn:${c.partition}:ec2:${c.region}:${awsManaged ? "aws" : c.account}:prefix-list/${id}`,
      addressFamily: "IPv4",
      entries: [],
      maxEntries: 0,
      ownerId: awsManaged ? "AWS" : c.account,
      region: c.region,
      tags: {},
      version: 1,
    };
  },
  "aws:ec2/getAmi:getAmi": (inputs, c) => {
    const name = (filter(inputs, "name")?.[0] ?? str(inputs.nameRegex) ?? "image").replace(
      /[*?]/g,
      "",
    );
    const architecture =
      filter(inputs, "architecture")?.[0] ?? (/arm64|aarch64/.test(name) ? "arm64" : "x86_64");
    const owners = (inputs.owners ?? []) as string[];
    const id = `ami-${hex(`${c.region}::${JSON.stringify([inputs.owners, inputs.filters, inputs.nameRegex])}`, 17)}`;
    const owner =
      owners.find((o) => /^\d{12}$/.test(o)) ??
      (owners.includes("self")
        ? c.account
        : `${hex(`owner::${owners.join(",")}`, 12).replace(/[a-f]/g, (x) => String(x.charCodeAt(0) % 10))}`);
    return {
      id,
      imageId: id,
      arn: `arn:${c.partition}:ec2:${c.region}::image/${id}`,
      architecture,
      name: name || "image",
      description: `${name} (offline stand-in)`,
      imageOwnerAlias: owners.find((o) => !/^\d{12}$/.test(o) && o !== "self") ?? "",
      ownerId: owner,
      imageLocation: `${owner}/${name}`,
      imageType: "machine",
      state: "available",
      rootDeviceName: "/dev/xvda",
      rootDeviceType: "ebs",
      rootSnapshotId: `snap-${hex(`${id}::root`, 17)}`,
      virtualizationType: "hvm",
      hypervisor: "xen",
      enaSupport: true,
      sriovNetSupport: "simple",
      bootMode: "",
      imdsSupport: "v2.0",
      tpmSupport: "",
      platform: "",
      platformDetails: "Linux/UNIX",
      usageOperation: "RunInstances",
      public: owners.length > 0 && !owners.includes("self"),
      kernelId: "",
      ramdiskId: "",
      creationDate: EPOCH,
      deprecationTime: "",
      lastLaunchedTime: "",
      productCodes: [],
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: {
            encrypted: "false",
            volumeSize: "8",
            volumeType: "gp3",
            deleteOnTermination: "true",
            snapshotId: `snap-${hex(`${id}::root`, 17)}`,
            iops: "3000",
            throughput: "125",
          },
          noDevice: "",
          virtualName: "",
        },
      ],
      stateReason: { code: "UNSET", message: "UNSET" },
      tags: {},
      region: c.region,
    };
  },
  "aws:ec2/getAmiIds:getAmiIds": (inputs, c) => {
    const image = ANSWERS["aws:ec2/getAmi:getAmi"](inputs, c);
    return { id: c.region, ids: [image.id], owners: inputs.owners ?? [], region: c.region };
  },
  "aws:kms/getAlias:getAlias": (inputs, c) => {
    const name = String(inputs.name ?? "");
    const targetKeyId = keyOfAlias(name, c);
    return {
      id: arn(c, "kms", name),
      arn: arn(c, "kms", name),
      name,
      targetKeyId,
      targetKeyArn: arn(c, "kms", `key/${targetKeyId}`),
      region: c.region,
    };
  },
  "aws:kms/getKey:getKey": (inputs, c) => {
    const { id, alias } = keyIdOf(String(inputs.keyId ?? ""), c);
    return {
      id,
      keyId: id,
      arn: arn(c, "kms", `key/${id}`),
      awsAccountId: c.account,
      keyManager: alias?.startsWith("alias/aws/") ? "AWS" : "CUSTOMER",
      keyState: "Enabled",
      keyUsage: "ENCRYPT_DECRYPT",
      keySpec: "SYMMETRIC_DEFAULT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enabled: true,
      multiRegion: false,
      multiRegionConfigurations: [],
      origin: "AWS_KMS",
      creationDate: EPOCH,
      deletionDate: "",
      description: "",
      expirationModel: "",
      cloudHsmClusterId: "",
      customKeyStoreId: "",
      pendingDeletionWindowInDays: 0,
      validTo: "",
      xksKeyConfigurations: [],
      region: c.region,
    };
  },
  "aws:acm/getCertificate:getCertificate": (inputs, c) => {
    const domain = String(inputs.domain ?? "");
    const certificateArn = arn(c, "acm", `certificate/${uuidOf(`${c.region}::${domain}`)}`);
    return {
      id: certificateArn,
      arn: certificateArn,
      domain,
      status: "ISSUED",
      // The certificate's PEM body is not knowable offline.
      certificate: "",
      certificateChain: "",
      region: c.region,
      tags: {},
    };
  },
  "aws:ssm/getParameter:getParameter": (inputs, c) => {
    const name = String(inputs.name ?? "");
    const publicParameter = name.startsWith("/aws/service/");
    const value =
      imageParameter(name, c.region) ?? `offline-stand-in-for-${name.replace(/^\//, "")}`;
    const resource = `parameter${name.startsWith("/") ? "" : "/"}${name}`;
    return {
      id: name,
      name,
      type: "String",
      value,
      insecureValue: value,
      version: 1,
      arn: publicParameter
        ? `arn:${c.partition}:ssm:${c.region}::${resource}`
        : arn(c, "ssm", resource),
      region: c.region,
    };
  },
  "aws:route53/getZone:getZone": (inputs, c) => {
    const name = String(inputs.name ?? "").replace(/\.$/, "");
    const zoneId = str(inputs.zoneId) ?? `Z${hex(`zone::${name}`, 13).toUpperCase()}`;
    return {
      id: zoneId,
      zoneId,
      name,
      privateZone: inputs.privateZone === true,
      arn: `arn:${c.partition}:route53:::hostedzone/${zoneId}`,
      nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"],
      primaryNameServer: "ns-1.awsdns-01.org",
      callerReference: "",
      comment: "",
      linkedServiceDescription: "",
      linkedServicePrincipal: "",
      resourceRecordSetCount: 2,
      tags: {},
    };
  },
  "aws:secretsmanager/getSecret:getSecret": (inputs, c) => {
    const name =
      str(inputs.name) ??
      String(inputs.arn ?? "")
        .split(":")
        .pop()!
        .replace(/-[A-Za-z0-9]{6}$/, "");
    // "Secrets Manager automatically adds a hyphen and six random characters after the secret name
    // at the end of the ARN" (CreateSecret, https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html).
    const secretArn =
      str(inputs.arn) ?? arn(c, "secretsmanager", `secret:${name}-${hex(`secret::${name}`, 6)}`);
    return {
      id: secretArn,
      arn: secretArn,
      name,
      description: "",
      // Empty: the account's AWS managed key for Secrets Manager.
      kmsKeyId: "",
      policy: "",
      createdDate: EPOCH,
      lastChangedDate: EPOCH,
      region: c.region,
      tags: {},
    };
  },
  "aws:elb/getServiceAccount:getServiceAccount": (inputs, c) => {
    const region = str(inputs.region) ?? c.region;
    const account = ELB_ACCOUNTS[region];
    if (!account)
      throw new InvokeInputError(
        `aws.elb.getServiceAccount: unsupported AWS Region: ${region} (Elastic Load Balancing names no log-delivery account there: grant logdelivery.elasticloadbalancing.amazonaws.com instead)`,
      );
    return { id: account, arn: `arn:${c.partition}:iam::${account}:root`, region };
  },
};
