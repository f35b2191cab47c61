/**
 * The PHI inventory of a stack, read from its resource graph: every store that can hold protected
 * health information (databases, buckets, file systems, caches, tables, volumes, recovery points,
 * research enclave data) with the key that encrypts it, how TLS is enforced, where it replicates
 * and which backup plan copies it. Facts come from the resources the program declares and the
 * resources that configure them (an S3 bucket's encryption, policy and replication are resources
 * of their own; an RDS instance's TLS is in its parameter group; AWS Backup selects by ARN or tag).
 */
import type { ReportResource } from "./report";

/** A resource as captured, outputs included (ids and ARNs are outputs). */
export type InventoryResource = ReportResource & { readonly outputs?: Record<string, unknown> };

export type StoreKind =
  "database" | "bucket" | "file system" | "cache" | "table" | "volume" | "recovery points";

export interface PhiStore {
  readonly urn: string;
  readonly name: string;
  readonly type: string;
  readonly kind: StoreKind;
  /** The DataClassification tag, when the program classifies its data. */
  readonly classification: string | null;
  /** The research enclave it belongs to. */
  readonly enclave: string | null;
  /** The KMS key, by the name of the key resource when the program creates it. */
  readonly key: {
    readonly kind: "customer" | "aws-managed" | "aws-owned" | "none";
    readonly name: string | null;
  };
  /** `enforced` by the program, `service` (the service only speaks TLS), `not enforced`, `n/a`. */
  readonly tls: {
    readonly status: "enforced" | "service" | "not enforced" | "n/a";
    readonly how: string;
  };
  /** Where its data is copied, continuously (replication) — a bucket, cluster or vault and region. */
  readonly replication: string | null;
  /**
   * The store it is itself a copy of: a bucket another bucket of the plan (any stack) replicates
   * into. A replica is the disaster-recovery copy, so it counts as copied. Absent before schema 1.x.
   */
  readonly replicaOf?: string | null;
  /** The backup that covers it: an AWS Backup plan, or the service's own backups. */
  readonly backup: string | null;
  /** Treated as holding PHI: tagged so, enclave data, or (a program that classifies nothing) any store. */
  readonly phi: boolean;
  /** Encrypted with a KMS key, TLS enforced (or not applicable), and backed up or replicated. */
  readonly protected: boolean;
}

const STORE_TYPES: Readonly<Record<string, StoreKind>> = {
  "aws:rds/instance:Instance": "database",
  "aws:rds/cluster:Cluster": "database",
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
  "aws:efs/fileSystem:FileSystem": "file system",
  "aws:elasticache/replicationGroup:ReplicationGroup": "cache",
  "aws:elasticache/serverlessCache:ServerlessCache": "cache",
  "aws:dynamodb/table:Table": "table",
  "aws:ebs/volume:Volume": "volume",
  "aws:ec2/launchTemplate:LaunchTemplate": "volume",
  "aws:ec2/instance:Instance": "volume",
  "aws:backup/vault:Vault": "recovery points",
};

const ENCLAVE_TYPE = "ehealth:research:Enclave";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
const list = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const tagsOf = (r: InventoryResource): Record<string, string> =>
  obj(r.inputs.tags) as Record<string, string>;

function parseJson(v: unknown): Obj {
  if (typeof v !== "string") return obj(v);
  try {
    return obj(JSON.parse(v));
  } catch {
    return {};
  }
}

/** The region in an ARN (`arn:aws:kms:us-west-2:...`), when it names one. */
const regionOfArn = (arn: string | undefined) => arn?.split(":")[3] || undefined;

/** Whether a resource policy denies requests that do not use TLS (aws:SecureTransport false). */
function deniesPlainTransport(policy: unknown): boolean {
  return list(parseJson(policy).Statement).some((s) => {
    const st = obj(s);
    if (st.Effect !== "Deny") return false;
    const bool = obj(obj(st.Condition).Bool);
    const secure = bool["aws:SecureTransport"];
    return list(secure).some((v) => String(v) === "false");
  });
}

interface Graph {
  readonly byId: Map<string, InventoryResource>;
  /** Configuration resources by the store they configure (a bucket's name, a file system's id). */
  readonly about: Map<string, InventoryResource[]>;
  readonly enclaveOf: Map<string, string>;
  readonly keyNames: Map<string, string>;
  readonly selections: InventoryResource[];
  readonly plans: Map<string, InventoryResource>;
  readonly vaultNames: Map<string, InventoryResource>;
}

function buildGraph(resources: readonly InventoryResource[]): Graph {
  const byId = new Map<string, InventoryResource>();
  const keyNames = new Map<string, string>();
  const vaultNames = new Map<string, InventoryResource>();
  const plans = new Map<string, InventoryResource>();
  for (const r of resources) {
    for (const v of [r.id, r.outputs?.arn, r.outputs?.name])
      if (typeof v === "string" && v) byId.set(v, r);
    if (r.type === "aws:kms/key:Key") {
      for (const v of [r.id, r.outputs?.arn, r.outputs?.keyId])
        if (typeof v === "string") keyNames.set(v, r.name);
    }
    if (r.type === "aws:backup/vault:Vault")
      for (const v of [r.id, r.outputs?.name]) if (typeof v === "string") vaultNames.set(v, r);
    if (r.type === "aws:backup/plan:Plan" && r.id) plans.set(r.id, r);
  }
  for (const a of resources.filter((r) => r.type === "aws:kms/alias:Alias")) {
    const target = keyNames.get(String(a.inputs.targetKeyId ?? ""));
    if (target) {
      keyNames.set(String(a.inputs.name), target);
      if (typeof a.outputs?.arn === "string") keyNames.set(a.outputs.arn, target);
    }
  }
  const about = new Map<string, InventoryResource[]>();
  for (const r of resources) {
    const target =
      str(r.inputs.bucket) ?? str(r.inputs.fileSystemId) ?? str(r.inputs.sourceFileSystemId);
    if (target) about.set(target, [...(about.get(target) ?? []), r]);
  }
  // Enclave membership follows the parent chain up to an enclave component.
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const enclaveOf = new Map<string, string>();
  for (const r of resources) {
    for (
      let p = r.parent ? byUrn.get(r.parent) : undefined;
      p;
      p = p.parent ? byUrn.get(p.parent) : undefined
    ) {
      if (p.type === ENCLAVE_TYPE) {
        enclaveOf.set(r.urn, String(p.inputs.projectId ?? p.name));
        break;
      }
    }
  }
  const selections = resources.filter((r) => r.type === "aws:backup/selection:Selection");
  return { byId, about, enclaveOf, keyNames, selections, plans, vaultNames };
}

function keyOf(keyRef: string | undefined, g: Graph, awsOwned: boolean): PhiStore["key"] {
  if (keyRef) {
    if (/alias\/aws\//.test(keyRef))
      return { kind: "aws-managed", name: keyRef.replace(/^.*:(alias\/)/, "$1") };
    return { kind: "customer", name: g.keyNames.get(keyRef) ?? keyRef };
  }
  return awsOwned ? { kind: "aws-owned", name: null } : { kind: "none", name: null };
}

/** The AWS Backup plans whose selections take this store, by ARN or by tag, described. */
function backupPlans(store: InventoryResource, g: Graph): string[] {
  const arn = String(store.outputs?.arn ?? "");
  const tags = tagsOf(store);
  const found: string[] = [];
  for (const sel of g.selections) {
    const byArn = list(sel.inputs.resources).some((p) => {
      const pattern = String(p);
      if (!arn) return false;
      const re = new RegExp(
        `^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`,
      );
      return re.test(arn);
    });
    const byTag = list(sel.inputs.selectionTags).some((t) => {
      const tag = obj(t);
      return tags[String(tag.key)] === String(tag.value);
    });
    const byCondition = list(obj(sel.inputs.conditions).stringEquals).some((c) => {
      const cond = obj(c);
      const key = String(cond.key ?? "").replace(/^aws:ResourceTag\//, "");
      return tags[key] === String(cond.value);
    });
    if (!byArn && !byTag && !byCondition) continue;
    const plan = g.plans.get(String(sel.inputs.planId ?? ""));
    if (!plan) {
      found.push(`AWS Backup selection ${sel.name}`);
      continue;
    }
    const rules = list(plan.inputs.rules).map(obj);
    const kept = rules
      .map((r) => `${String(r.ruleName)} ${String(obj(r.lifecycle).deleteAfter ?? "?")} d`)
      .join(", ");
    const copies = [
      ...new Set(
        rules.flatMap((r) =>
          list(r.copyActions).map(
            (c) => regionOfArn(str(obj(c).destinationVaultArn)) ?? "another vault",
          ),
        ),
      ),
    ];
    found.push(
      `AWS Backup plan ${plan.name} (${kept}${copies.length ? `; copies to ${copies.join(", ")}` : ""})`,
    );
  }
  return found;
}

function storeOf(r: InventoryResource, kind: StoreKind, g: Graph, classified: boolean): PhiStore {
  const about = g.about.get(String(r.id ?? "")) ?? [];
  const ofType = (t: string) => about.filter((a) => a.type.startsWith(t));
  let key: PhiStore["key"] = { kind: "none", name: null };
  let tls: PhiStore["tls"] = { status: "not enforced", how: "" };
  let replication: string | null = null;
  const backups = backupPlans(r, g);
  const i = r.inputs;

  switch (kind) {
    case "database": {
      key =
        i.storageEncrypted === true
          ? keyOf(str(i.kmsKeyId), g, false)
          : { kind: "none", name: null };
      if (key.kind === "none" && i.storageEncrypted === true)
        key = { kind: "aws-managed", name: "alias/aws/rds" };
      const group = g.byId.get(String(i.parameterGroupName ?? i.dbClusterParameterGroupName ?? ""));
      const params = list(group?.inputs.parameters).map(obj);
      const forced = params.some(
        (p) =>
          (p.name === "rds.force_ssl" && String(p.value) === "1") ||
          (p.name === "require_secure_transport" && /^(1|on)$/i.test(String(p.value))),
      );
      tls = forced
        ? { status: "enforced", how: `parameter group ${group?.name}` }
        : {
            status: "not enforced",
            how: "no rds.force_ssl or require_secure_transport in its parameter group",
          };
      const retention = Number(i.backupRetentionPeriod ?? 0);
      if (retention > 0) backups.push(`automated backups ${retention} d`);
      const replica = ofType("aws:rds/instanceAutomatedBackupsReplication");
      if (replica.length)
        replication = `automated backups to ${regionOfArn(str(replica[0].inputs.kmsKeyId)) ?? "another region"}`;
      break;
    }
    case "bucket": {
      const sse = obj(
        list(ofType("aws:s3/bucketServerSideEncryptionConfiguration")[0]?.inputs.rules)[0],
      );
      const byDefault = obj(sse.applyServerSideEncryptionByDefault);
      const algorithm = str(byDefault.sseAlgorithm);
      key = algorithm?.startsWith("aws:kms")
        ? str(byDefault.kmsMasterKeyId)
          ? keyOf(str(byDefault.kmsMasterKeyId), g, false)
          : { kind: "aws-managed", name: "alias/aws/s3" }
        : // S3 encrypts every new object with SSE-S3 when nothing else is set (since January 2023:
          // https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html).
          {
            kind: "aws-owned",
            name: algorithm ? `SSE-S3 (${algorithm})` : "SSE-S3 (S3's default)",
          };
      const policy = ofType("aws:s3/bucketPolicy")[0];
      tls = deniesPlainTransport(policy?.inputs.policy)
        ? {
            status: "enforced",
            how: `bucket policy ${policy!.name} denies aws:SecureTransport false`,
          }
        : { status: "not enforced", how: "no bucket policy denies requests without TLS" };
      const rules = ofType("aws:s3/bucketReplicationConfig").flatMap((c) =>
        list(c.inputs.rules).map(obj),
      );
      const targets = rules
        .filter((rule) => rule.status === "Enabled")
        .map((rule) => {
          const dest = obj(rule.destination);
          const bucket = String(dest.bucket ?? "").replace(/^arn:[^:]+:s3:::/, "");
          const region = regionOfArn(str(obj(dest.encryptionConfiguration).replicaKmsKeyId));
          return region ? `${bucket} (${region})` : bucket;
        });
      if (targets.length) replication = targets.join(", ");
      break;
    }
    case "file system": {
      key = i.encrypted === true ? keyOf(str(i.kmsKeyId), g, false) : { kind: "none", name: null };
      if (key.kind === "none" && i.encrypted === true)
        key = { kind: "aws-managed", name: "alias/aws/elasticfilesystem" };
      const policy = ofType("aws:efs/fileSystemPolicy")[0];
      tls = deniesPlainTransport(policy?.inputs.policy)
        ? {
            status: "enforced",
            how: `file system policy ${policy!.name} denies aws:SecureTransport false`,
          }
        : { status: "not enforced", how: "no file system policy denies mounts without TLS" };
      const automatic = ofType("aws:efs/backupPolicy").some(
        (b) => obj(b.inputs.backupPolicy).status === "ENABLED",
      );
      if (automatic) backups.push("EFS automatic backups");
      const replica = ofType("aws:efs/replicationConfiguration");
      if (replica.length)
        replication = list(replica[0].inputs.destination)
          .map((d) => String(obj(d).region ?? "another region"))
          .join(", ");
      break;
    }
    case "cache": {
      key =
        i.atRestEncryptionEnabled === false
          ? { kind: "none", name: null }
          : keyOf(str(i.kmsKeyId), g, true);
      const mode = str(i.transitEncryptionMode);
      tls =
        i.transitEncryptionEnabled === true && mode !== "preferred"
          ? { status: "enforced", how: `transit encryption${mode ? ` (${mode})` : ""}` }
          : {
              status: "not enforced",
              how:
                i.transitEncryptionEnabled === true
                  ? "transit encryption is only preferred"
                  : "transit encryption is off",
            };
      const snapshots = Number(i.snapshotRetentionLimit ?? 0);
      if (snapshots > 0) backups.push(`snapshots ${snapshots} d`);
      if (str(i.globalReplicationGroupId))
        replication = `global datastore ${String(i.globalReplicationGroupId)}`;
      break;
    }
    case "table": {
      const sse = obj(i.serverSideEncryption);
      key =
        sse.enabled === true
          ? keyOf(str(sse.kmsKeyArn), g, false)
          : { kind: "aws-owned", name: "DynamoDB's AWS owned key" };
      if (sse.enabled === true && key.kind === "none")
        key = { kind: "aws-managed", name: "alias/aws/dynamodb" };
      // "DynamoDB protects ... data in transit between on-premises clients and DynamoDB"
      // (Data protection in DynamoDB, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/data-protection.html).
      tls = { status: "service", how: "DynamoDB protects data in transit itself" };
      if (obj(i.pointInTimeRecovery).enabled === true) backups.push("point-in-time recovery");
      const replicas = list(i.replicas).map((x) => String(obj(x).regionName ?? ""));
      if (replicas.length) replication = `global table replicas in ${replicas.join(", ")}`;
      break;
    }
    case "volume": {
      const devices =
        r.type === "aws:ebs/volume:Volume" ? [{ ebs: i }] : list(i.blockDeviceMappings).map(obj);
      const ebs = devices.map((d) => obj(d.ebs));
      const encrypted = ebs.length > 0 && ebs.every((e) => String(e.encrypted) === "true");
      key = encrypted ? keyOf(str(ebs[0]?.kmsKeyId), g, false) : { kind: "none", name: null };
      if (encrypted && key.kind === "none")
        key = { kind: "aws-managed", name: "alias/aws/ebs (or the account's EBS default key)" };
      tls = { status: "n/a", how: "a block device attached to its instance" };
      break;
    }
    case "recovery points": {
      key = keyOf(str(i.kmsKeyArn), g, false);
      if (key.kind === "none") key = { kind: "aws-managed", name: "alias/aws/backup" };
      tls = { status: "n/a", how: "recovery points are not an endpoint the program exposes" };
      const copiesHere = [...g.plans.values()]
        .flatMap((p) => list(p.inputs.rules).map(obj))
        .filter((rule) => g.vaultNames.get(String(rule.targetVaultName)) === r);
      const copies = [
        ...new Set(
          copiesHere.flatMap((rule) =>
            list(rule.copyActions)
              .map((c) => str(obj(c).destinationVaultArn))
              .filter((a): a is string => !!a),
          ),
        ),
      ];
      if (copies.length)
        replication = copies.map((a) => `${a.split(":").pop()} (${regionOfArn(a)})`).join(", ");
      backups.push("it is the backup vault");
      break;
    }
  }

  const classification = tagsOf(r).DataClassification ?? null;
  const enclave = g.enclaveOf.get(r.urn) ?? null;
  const phi =
    classification === "PHI" ||
    (enclave !== null && kind !== "recovery points") ||
    (!classified && kind !== "recovery points");
  const backup = backups.length ? backups.join("; ") : null;
  return {
    urn: r.urn,
    name: r.name,
    type: r.type,
    kind,
    classification,
    enclave,
    key,
    tls,
    replication,
    backup,
    phi,
    protected:
      (key.kind === "customer" || key.kind === "aws-managed") &&
      tls.status !== "not enforced" &&
      (backup !== null || replication !== null),
  };
}

/**
 * The buckets the plan's replication rules copy into, any stack: destination bucket ARN to the
 * source it copies ("<bucket> (<region>)"). A stack's replicas are another stack's destinations.
 */
export function replicaSources(
  stacks: readonly { readonly region: string; readonly resources: readonly InventoryResource[] }[],
): Map<string, string> {
  const sources = new Map<string, string>();
  for (const stack of stacks) {
    const byId = new Map(stack.resources.map((r) => [String(r.id ?? ""), r]));
    for (const config of stack.resources) {
      if (!config.type.startsWith("aws:s3/bucketReplicationConfig")) continue;
      const source = byId.get(String(config.inputs.bucket ?? ""));
      const sourceName = String(source?.outputs?.bucket ?? config.inputs.bucket ?? "");
      for (const rule of list(config.inputs.rules).map(obj)) {
        if (rule.status !== "Enabled") continue;
        const dest = str(obj(rule.destination).bucket);
        if (dest) sources.set(dest, `${sourceName} (${stack.region})`);
      }
    }
  }
  return sources;
}

/** Every store of the stack, PHI-classified first. */
export function phiInventory(
  resources: readonly InventoryResource[],
  replicas: ReadonlyMap<string, string> = new Map(),
): PhiStore[] {
  const g = buildGraph(resources);
  const classified = resources.some((r) => tagsOf(r).DataClassification !== undefined);
  return resources
    .filter((r) => STORE_TYPES[r.type] !== undefined && !r.type.startsWith("pulumi:"))
    .map((r) => {
      const store = storeOf(r, STORE_TYPES[r.type], g, classified);
      const replicaOf = replicas.get(String(r.outputs?.arn ?? "")) ?? null;
      if (replicaOf === null) return store;
      return {
        ...store,
        replicaOf,
        protected:
          (store.key.kind === "customer" || store.key.kind === "aws-managed") &&
          store.tls.status !== "not enforced",
      };
    })
    .sort(
      (a, b) =>
        Number(b.phi) - Number(a.phi) ||
        a.kind.localeCompare(b.kind) ||
        a.name.localeCompare(b.name),
    );
}
