/**
 * The overview diagram's boxes: the resources of a stack grouped into what a reader recognises
 * (the load balancer, the app servers, each data store, each key, the logs, the archive), each
 * placed in the region, the VPC tier its subnets belong to, or a row of regional services. Plumbing
 * (routes, rules, bucket settings, attachments) is folded into the box it configures; whatever
 * else remains is counted by service, so no resource is silently dropped.
 */
import type { DrawnResource } from "./diagram";

export type Place =
  "entry" | "public" | "app" | "data" | "vpc" | "services" | "security" | "keys" | "logs";
export type Kind =
  | "entry"
  | "compute"
  | "store"
  | "key"
  | "log"
  | "network"
  | "security"
  | "identity"
  | "backup"
  | "enclave"
  | "other";

export interface Group {
  readonly id: string;
  readonly title: string;
  readonly detail: string[];
  readonly place: Place;
  readonly kind: Kind;
  readonly members: DrawnResource[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
const list = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
const tagsOf = (r: DrawnResource) => obj(r.inputs.tags) as Record<string, string>;

/** Folded into the box of what they configure, or not drawn: they are how, not what. */
const PLUMBING = [
  "pulumi:",
  "aws:ec2/route:",
  "aws:ec2/routeTable:",
  "aws:ec2/routeTableAssociation:",
  "aws:ec2/subnet:",
  "aws:ec2/vpc:",
  "aws:ec2/eip:",
  "aws:ec2/networkAcl",
  "aws:ec2/defaultNetworkAcl:",
  "aws:ec2/defaultSecurityGroup:",
  "aws:ec2/securityGroup:",
  "aws:ec2/securityGroupRule:",
  "aws:vpc/securityGroup",
  "aws:ec2/launchTemplate:",
  "aws:kms/alias:",
  "aws:kms/grant:",
  "aws:s3/bucketPublicAccessBlock:",
  "aws:s3/bucketOwnershipControls:",
  "aws:s3/bucketVersioning",
  "aws:s3/bucketServerSideEncryptionConfiguration",
  "aws:s3/bucketLifecycleConfiguration",
  "aws:s3/bucketLogging",
  "aws:s3/bucketPolicy:",
  "aws:s3/bucketReplicationConfig:",
  "aws:s3/bucketObjectLockConfiguration:",
  "aws:s3/bucketNotification:",
  "aws:lb/listener:",
  "aws:lb/targetGroup:",
  "aws:lb/targetGroupAttachment:",
  "aws:wafv2/webAclAssociation:",
  "aws:wafv2/webAclLoggingConfiguration:",
  "aws:acm/certificateValidation:",
  "aws:efs/mountTarget:",
  "aws:efs/accessPoint:",
  "aws:efs/backupPolicy:",
  "aws:efs/fileSystemPolicy:",
  "aws:rds/subnetGroup:",
  "aws:rds/parameterGroup:",
  "aws:elasticache/subnetGroup:",
  "aws:elasticache/user:",
  "aws:elasticache/userGroup:",
  "aws:backup/plan:",
  "aws:backup/selection:",
  "aws:backup/vaultLockConfiguration:",
  "aws:iam/rolePolicy",
  "aws:iam/policy:",
  "aws:iam/instanceProfile:",
  "aws:iam/serviceLinkedRole:",
  "aws:autoscaling/policy:",
  "aws:cognito/userGroup:",
  "aws:cognito/userPoolClient:",
  "aws:cognito/userPoolDomain:",
  "aws:sns/topicPolicy:",
  "aws:sns/topicSubscription:",
  "aws:cloudwatch/eventTarget:",
  "aws:guardduty/detectorFeature:",
  "aws:securityhub/standardsSubscription:",
  "aws:cfg/recorderStatus:",
  "aws:cfg/deliveryChannel:",
  "aws:ebs/defaultKmsKey:",
];

/** Boxes that stand for a family of resources, in the order the diagram lists them. */
const FAMILIES: readonly {
  id: string;
  title: string;
  kind: Kind;
  place: Place;
  types: readonly string[];
}[] = [
  {
    id: "detection",
    title: "threat detection",
    kind: "security",
    place: "security",
    types: [
      "aws:guardduty/detector:",
      "aws:securityhub/account:",
      "aws:inspector2/",
      "aws:accessanalyzer/",
      "aws:cfg/recorder:",
      "aws:cfg/rule:",
      "aws:ebs/encryptionByDefault:",
    ],
  },
  {
    id: "alarms",
    title: "security alarms",
    kind: "security",
    place: "security",
    types: [
      "aws:cloudwatch/logMetricFilter:",
      "aws:cloudwatch/metricAlarm:",
      "aws:sns/topic:",
      "aws:cloudwatch/eventRule:",
    ],
  },
  { id: "patching", title: "patching", kind: "security", place: "security", types: ["aws:ssm/"] },
  {
    id: "identity",
    title: "people and roles",
    kind: "identity",
    place: "security",
    types: [
      "aws:cognito/userPool:",
      "aws:iam/role:",
      "aws:iam/rolePolicyAttachment:",
      "aws:iam/accountPasswordPolicy:",
      "aws:iam/user:",
      "aws:iam/group",
    ],
  },
  {
    id: "loggroups",
    title: "CloudWatch log groups",
    kind: "log",
    place: "logs",
    types: ["aws:cloudwatch/logGroup:"],
  },
  {
    id: "dns",
    title: "DNS name and certificate",
    kind: "entry",
    place: "entry",
    types: ["aws:route53/", "aws:acm/certificate:"],
  },
];

const SERVICE_NAMES: Readonly<Record<string, string>> = {
  cfg: "Config",
  guardduty: "GuardDuty",
  securityhub: "Security Hub",
  inspector2: "Inspector",
  accessanalyzer: "Access Analyzer",
  ebs: "EBS default encryption",
  cognito: "Cognito",
  iam: "IAM",
  route53: "Route 53",
  acm: "ACM",
  ssm: "Systems Manager",
};

function alarmsDetail(members: readonly DrawnResource[]): string {
  const alarms = members.filter((m) => m.type.startsWith("aws:cloudwatch/metricAlarm")).length;
  const topics = members.filter((m) => m.type.startsWith("aws:sns/topic:")).length;
  const parts = [
    alarms ? `${alarms} alarms` : "",
    topics ? `${topics} alert topic${topics > 1 ? "s" : ""}` : "",
  ];
  return parts.filter(Boolean).join(" to ") || `${members.length} resources`;
}

function short(name: string, prefix: string): string {
  return name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name;
}

/** The common prefix of a stack's names (`ehealth-ireland`), so boxes say `phi`, not the stack. */
function namePrefix(resources: readonly DrawnResource[]): string {
  const components = resources.filter(
    (r) => !r.type.startsWith("aws:") && !r.type.startsWith("pulumi:"),
  );
  const names = (components.length ? components : resources).map((r) => r.name);
  if (names.length === 0) return "";
  let prefix = names[0];
  for (const n of names) while (prefix && !n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.replace(/-+$/, "");
}

export interface Grouping {
  readonly groups: Group[];
  readonly groupOf: Map<string, Group>;
  readonly prefix: string;
  readonly tierOf: (r: DrawnResource) => Place | undefined;
}

export function groupResources(resources: readonly DrawnResource[]): Grouping {
  const prefix = namePrefix(resources);
  const byValue = new Map<string, DrawnResource>();
  for (const r of resources) {
    for (const v of [r.id, r.outputs?.arn, r.outputs?.name, r.outputs?.id])
      if (typeof v === "string" && v) byValue.set(v, r);
  }
  const byUrn = new Map(resources.map((r) => [r.urn, r]));

  // Where each resource sits: the tier of the subnets it names, directly or through a subnet group.
  const tierOfSubnet = new Map<string, Place>();
  for (const s of resources.filter((r) => r.type === "aws:ec2/subnet:Subnet")) {
    const text = `${tagsOf(s).Tier ?? ""} ${s.name}`.toLowerCase();
    const tier: Place = /public/.test(text)
      ? "public"
      : /data|isolated|db/.test(text)
        ? "data"
        : /app|private/.test(text)
          ? "app"
          : "vpc";
    tierOfSubnet.set(String(s.id), tier);
  }
  const mountSubnets = new Map<string, string[]>();
  for (const m of resources.filter((r) => r.type === "aws:efs/mountTarget:MountTarget")) {
    const fs = String(m.inputs.fileSystemId ?? "");
    mountSubnets.set(fs, [...(mountSubnets.get(fs) ?? []), String(m.inputs.subnetId ?? "")]);
  }
  const subnetsOf = (r: DrawnResource): string[] => {
    const i = r.inputs;
    const direct = [
      i.subnetId,
      ...list(i.subnetIds),
      ...list(i.subnets),
      ...list(i.vpcZoneIdentifiers),
    ].map(String);
    const group = byValue.get(String(i.dbSubnetGroupName ?? i.subnetGroupName ?? ""));
    const viaGroup = group ? list(group.inputs.subnetIds).map(String) : [];
    return [...direct, ...viaGroup, ...(mountSubnets.get(String(r.id)) ?? [])].filter((s) =>
      tierOfSubnet.has(s),
    );
  };
  const tierOf = (r: DrawnResource): Place | undefined => {
    const tiers = subnetsOf(r).map((s) => tierOfSubnet.get(s)!);
    if (tiers.length === 0) return undefined;
    const counts = new Map<Place, number>();
    for (const t of tiers) counts.set(t, (counts.get(t) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  };

  // Research enclaves are one box each: they have a network, keys and stores of their own.
  const enclaveOf = new Map<string, DrawnResource>();
  for (const r of resources) {
    for (
      let p = r.parent ? byUrn.get(r.parent) : undefined;
      p;
      p = p.parent ? byUrn.get(p.parent) : undefined
    ) {
      if (p.type === "ehealth:research:Enclave") {
        enclaveOf.set(r.urn, p);
        break;
      }
    }
  }

  const groups: Group[] = [];
  const groupOf = new Map<string, Group>();
  const add = (g: Group) => {
    groups.push(g);
    for (const m of g.members) groupOf.set(m.urn, g);
    return g;
  };
  const taken = (r: DrawnResource) => groupOf.has(r.urn);
  const ofType = (t: string) =>
    resources.filter((r) => r.type.startsWith(t) && !enclaveOf.has(r.urn));

  for (const enclave of resources.filter((r) => r.type === "ehealth:research:Enclave")) {
    const members = resources.filter((r) => enclaveOf.get(r.urn) === enclave);
    const buckets = members.filter((m) => m.type === "aws:s3/bucket:Bucket").length;
    const open = String(enclave.inputs.status ?? "open") === "open";
    add({
      id: `enclave-${enclave.name}`,
      title: `research enclave ${String(enclave.inputs.projectId ?? enclave.name)}`,
      detail: [
        open
          ? enclave.inputs.internetAccess === true
            ? "open, CAN reach the internet"
            : "open, no internet route"
          : "closed: data and logs kept",
        `${buckets} buckets, ${members.length} resources`,
      ],
      place: "services",
      kind: "enclave",
      members: [enclave, ...members],
    });
  }

  for (const waf of ofType("aws:wafv2/webAcl:")) {
    add({
      id: `waf-${waf.name}`,
      title: "WAF web ACL",
      detail: ["managed rules, rate limit"],
      place: "entry",
      kind: "entry",
      members: [waf],
    });
  }
  for (const lb of [...ofType("aws:lb/loadBalancer:"), ...ofType("aws:alb/loadBalancer:")]) {
    const https = resources.some(
      (l) =>
        l.type === "aws:lb/listener:Listener" &&
        l.inputs.loadBalancerArn === lb.outputs?.arn &&
        l.inputs.protocol === "HTTPS",
    );
    add({
      id: `lb-${lb.name}`,
      title: lb.inputs.internal === true ? "internal load balancer" : "load balancer (ALB)",
      detail: [https ? "HTTPS only, TLS 1.2+" : "no HTTPS listener"],
      place: tierOf(lb) ?? "public",
      kind: "entry",
      members: [lb],
    });
  }
  for (const asg of ofType("aws:autoscaling/group:")) {
    const template = byValue.get(String(obj(asg.inputs.launchTemplate).id ?? ""));
    const type = template?.inputs.instanceType ?? asg.inputs.instanceType;
    add({
      id: `asg-${asg.name}`,
      title: `${short(asg.name, prefix)} servers (Auto Scaling)`,
      detail: [
        `${String(asg.inputs.minSize ?? "?")}–${String(asg.inputs.maxSize ?? "?")} × ${String(type ?? "instances")}`,
      ],
      place: tierOf(asg) ?? "app",
      kind: "compute",
      members: [asg, ...(template ? [template] : [])],
    });
  }
  for (const instance of ofType("aws:ec2/instance:")) {
    add({
      id: `i-${instance.name}`,
      title: `instance ${short(instance.name, prefix)}`,
      detail: [String(instance.inputs.instanceType ?? "")],
      place: tierOf(instance) ?? "vpc",
      kind: "compute",
      members: [instance],
    });
  }
  const lambdas = ofType("aws:lambda/function:");
  if (lambdas.length) {
    add({
      id: "lambda",
      title:
        lambdas.length === 1
          ? `function ${short(lambdas[0].name, prefix)}`
          : `${lambdas.length} Lambda functions`,
      detail: [],
      place: tierOf(lambdas[0]) ?? "services",
      kind: "compute",
      members: lambdas,
    });
  }

  // Data stores: one box each, but buckets of one purpose share a box.
  const store = (r: DrawnResource, title: string, place?: Place) =>
    add({
      id: `store-${r.name}`,
      title,
      detail: [],
      place: place ?? tierOf(r) ?? "services",
      kind: "store",
      members: [r],
    });
  for (const db of [...ofType("aws:rds/instance:"), ...ofType("aws:rds/cluster:")])
    store(db, `${String(db.inputs.engine ?? "database")} database (RDS)`);
  for (const c of ofType("aws:elasticache/replicationGroup:"))
    store(c, `${String(c.inputs.engine ?? "cache")} cache (ElastiCache)`);
  for (const f of ofType("aws:efs/fileSystem:")) store(f, "file system (EFS)");
  for (const t of ofType("aws:dynamodb/table:"))
    store(t, `table ${short(t.name, prefix)} (DynamoDB)`, "services");
  for (const v of ofType("aws:ebs/volume:")) store(v, `volume ${short(v.name, prefix)} (EBS)`);

  const buckets = [...ofType("aws:s3/bucket:"), ...ofType("aws:s3/bucketV2:")];
  const locked = new Set(
    resources
      .filter((r) => r.type.startsWith("aws:s3/bucketObjectLockConfiguration"))
      .map((r) => String(r.inputs.bucket)),
  );
  const logTargets = new Set(
    resources.flatMap((r) => [r.inputs.targetBucket, obj(r.inputs.accessLogs).bucket].map(String)),
  );
  const purposes = new Map<string, DrawnResource[]>();
  for (const b of buckets) {
    const purpose =
      locked.has(String(b.id)) || b.inputs.objectLockEnabled === true
        ? "log archive (Object Lock)"
        : tagsOf(b).DataClassification === "PHI"
          ? "PHI buckets"
          : logTargets.has(String(b.id)) || /log/i.test(tagsOf(b).Purpose ?? "")
            ? "log buckets"
            : "buckets";
    purposes.set(purpose, [...(purposes.get(purpose) ?? []), b]);
  }
  for (const [purpose, members] of purposes) {
    const names = members.map((m) => short(m.name, prefix));
    const single = members.length === 1;
    add({
      id: `buckets-${purpose}`,
      title: single
        ? purpose === "buckets"
          ? `bucket ${names[0]}`
          : purpose.replace(/ buckets$/, " bucket")
        : `${members.length} ${purpose}`,
      detail: single ? [] : [names.join(", ")],
      place: purpose.startsWith("log") ? "logs" : "services",
      kind: purpose.startsWith("log") ? "log" : "store",
      members,
    });
  }

  for (const k of ofType("aws:kms/key:")) {
    add({
      id: `key-${k.name}`,
      title: `key ${short(k.name, prefix)}`,
      detail: [k.inputs.enableKeyRotation === true ? "KMS, yearly rotation" : "KMS"],
      place: "keys",
      kind: "key",
      members: [k],
    });
  }
  for (const vault of ofType("aws:backup/vault:")) {
    const plans = ofType("aws:backup/plan:");
    const locks = ofType("aws:backup/vaultLockConfiguration:");
    add({
      id: `vault-${vault.name}`,
      title: "backup vault (AWS Backup)",
      detail: [locks.length ? "Vault Lock, recovery points" : "recovery points"],
      place: "services",
      kind: "backup",
      members: [vault, ...plans, ...locks],
    });
  }
  for (const trail of ofType("aws:cloudtrail/trail:")) {
    add({
      id: `trail-${trail.name}`,
      title: "CloudTrail trail",
      detail: [trail.inputs.isMultiRegionTrail === true ? "all regions, validated" : "this region"],
      place: "logs",
      kind: "log",
      members: [trail],
    });
  }
  const flows = ofType("aws:ec2/flowLog:");
  if (flows.length)
    add({
      id: "flowlogs",
      title: "VPC flow logs",
      detail: ["all traffic"],
      place: "logs",
      kind: "log",
      members: flows,
    });
  const nats = ofType("aws:ec2/natGateway:");
  if (nats.length)
    add({
      id: "nat",
      title: nats.length === 1 ? "NAT gateway" : `${nats.length} NAT gateways`,
      detail: ["egress for the app tier"],
      place: "public",
      kind: "network",
      members: nats,
    });
  const igws = ofType("aws:ec2/internetGateway:");
  if (igws.length)
    add({
      id: "igw",
      title: "internet gateway",
      detail: [],
      place: "public",
      kind: "network",
      members: igws,
    });
  const endpoints = ofType("aws:ec2/vpcEndpoint:");
  if (endpoints.length) {
    const gateway = endpoints.filter((e) => e.inputs.vpcEndpointType === "Gateway").length;
    add({
      id: "endpoints",
      title: `${endpoints.length} VPC endpoints`,
      detail: [`${gateway} gateway, ${endpoints.length - gateway} interface`],
      place: "vpc",
      kind: "network",
      members: endpoints,
    });
  }

  for (const family of FAMILIES) {
    const members = resources.filter(
      (r) => !taken(r) && !enclaveOf.has(r.urn) && family.types.some((t) => r.type.startsWith(t)),
    );
    if (members.length === 0) continue;
    const services = new Map<string, number>();
    for (const m of members) {
      const mod = m.type.split(":")[1]?.split("/")[0] ?? "";
      services.set(mod, (services.get(mod) ?? 0) + 1);
    }
    const detail =
      family.id === "alarms"
        ? [alarmsDetail(members)]
        : family.id === "loggroups"
          ? []
          : [[...services.keys()].map((s) => SERVICE_NAMES[s] ?? s).join(", ")];
    add({
      id: family.id,
      title: family.id === "loggroups" ? `${members.length} ${family.title}` : family.title,
      detail,
      place: family.place,
      kind: family.kind,
      members,
    });
  }

  // What is left, counted by service, so that nothing disappears from the picture unsaid.
  const rest = new Map<string, DrawnResource[]>();
  for (const r of resources) {
    if (taken(r) || !r.type.startsWith("aws:") || PLUMBING.some((p) => r.type.startsWith(p)))
      continue;
    if (enclaveOf.has(r.urn)) continue;
    const service = r.type.split(":")[1]?.split("/")[0] ?? "other";
    rest.set(service, [...(rest.get(service) ?? []), r]);
  }
  for (const [service, members] of rest) {
    add({
      id: `other-${service}`,
      title: `${members.length} ${service} resource${members.length > 1 ? "s" : ""}`,
      detail: [],
      place: "services",
      kind: "other",
      members,
    });
  }
  return { groups, groupOf, prefix, tierOf };
}
