/**
 * The stack configuration: the only module that reads `pulumi.Config`. Every key is declared once
 * in CONFIG_KEYS (type, description, default, a zod schema over the raw string the engine hands
 * the program), validated, and returned as one typed object. A bad value stops the program with one
 * line that names the key, the value received and what is allowed.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  MAX_VPC_PREFIX,
  MIN_VPC_PREFIX,
  RFC1918_RANGES,
  cidrsOverlap,
  isCidr,
  isRfc1918,
  parseCidr,
} from "../infra/network/cidr";
import {
  ORGANIZATION_SERVICES,
  SERVICE_PROVIDERS,
  STACK_PROVIDES_ALL,
  ServiceProviders,
} from "../infra/organization";
import type { WorkstationSpec } from "../infra/research";
import { MAX_ENCLAVE_NAME, enclaveName } from "../infra/research/names";
import { ALLOWED_REGIONS, REGIONS, RegionName, isAllowedRegion } from "./regions";

export const PROJECT = "ehealth";

export const ENVIRONMENTS = ["prod", "staging", "dev"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const NAT_MODES = ["perAz", "single"] as const;
export type NatMode = (typeof NAT_MODES)[number];

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;
/** One year of flow logs: the floor for incident investigation (164.308(a)(6), 164.312(b)). */
export const MIN_LOG_RETENTION_DAYS = 365;

export const MIN_AZ_COUNT = 2;
export const MAX_AZ_COUNT = 3;

export interface PeerConfig {
  /** The other region of the pair (disaster recovery and later VPC peering). */
  readonly region: RegionName;
  /** The other region's VPC CIDR; never overlaps this one. */
  readonly vpcCidr: string;
}

export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  readonly region: RegionName;
  readonly environment: Environment;
  /** The project identifier, the value of the `Project` tag on every resource. */
  readonly projectTag: string;
  /** Whether this stack creates the account-wide singletons (trail, password policy, IAM roles). */
  readonly primary: boolean;
  readonly vpcCidr: string;
  readonly azCount: number;
  readonly natGateways: NatMode;
  readonly flowLogRetentionDays: number;
  /** `protect` and `retainOnDelete` on stateful resources. */
  readonly dataProtection: boolean;
  readonly peer: PeerConfig;
  /** RDS instance class and days of automated backups. */
  readonly database: { readonly instanceClass: string; readonly backupRetentionDays: number };
  /** The cache engine: Valkey or Redis (Memcached cannot encrypt at rest). */
  readonly cacheEngine: "valkey" | "redis";
  /** The stack the primary replicates to (its StackReference name); absent in the secondary. */
  readonly replicationStack?: string;
  /** Days to keep daily and monthly recovery points. */
  readonly backupRetentionDays: { readonly daily: number; readonly monthly: number };
  /** The Route 53 hosted zone both stacks share, and the application's name in it. */
  readonly dns: { readonly zone: string; readonly appName: string };
  /** Who receives the security alarms (SNS email subscriptions). */
  readonly alertEmails: readonly string[];
  /** Days the log archive keeps every log, write-once. */
  readonly archiveRetentionDays: number;
  /** The principals allowed to assume each IT support persona role (primary stack). */
  readonly personas: Readonly<Record<PersonaName, readonly string[]>>;
  /** The application tier: instance type, group size, and the WAF's per-address rate limit. */
  readonly app: {
    readonly instanceType: string;
    readonly minSize: number;
    readonly maxSize: number;
    readonly wafRateLimit: number;
  };
  /** The optional SSH bastion (Session Manager is the default way in). */
  readonly bastion: {
    readonly enabled: boolean;
    readonly allowedCidrs: readonly string[];
    readonly instanceType: string;
  };
  /** The research enclaves of this stack's region, one per approved study. */
  readonly research: { readonly enclaves: readonly EnclaveConfig[] };
  /** The IAM role or user ARN that runs Pulumi (enclave buckets let it manage them); required with enclaves. */
  readonly deployerArn?: string;
  /**
   * Who provides each account or region singleton: this stack, or the AWS Organization (delegated
   * administrator, Control Tower), in which case the stack creates none of its resources.
   */
  readonly organizationServices: ServiceProviders;
  /** The provider's default tags, on every resource. */
  readonly tags: Readonly<Record<string, string>>;
}

export const ENCLAVE_STATUSES = ["open", "closed"] as const;
export type EnclaveStatus = (typeof ENCLAVE_STATUSES)[number];

/** One research enclave (infra/research), as `ehealth:research.enclaves[]` declares it. */
export interface EnclaveConfig {
  /** The study's project identifier: in every name and tag of the enclave. */
  readonly id: string;
  /** open: everything runs; closed: compute, pipeline and network are gone, data and logs kept. */
  readonly status: EnclaveStatus;
  /** Closed only: the enclave key may be deleted (crypto-shredding what it encrypted). */
  readonly purge: boolean;
  /** The study's approval (IRB protocol number), as a tag. */
  readonly irbProtocol?: string;
  readonly vpcCidr: string;
  readonly workstation: WorkstationSpec;
  /** Who may upload into data-in and collect output (MFA), as IAM principals. */
  readonly stewards: readonly string[];
  /** Who may open sessions on the workstation (MFA), as IAM principals. */
  readonly researchers: readonly string[];
  /** A NAT gateway for package updates: the workstation can then reach the internet. */
  readonly internetAccess: boolean;
  /** Sites SSH may come from through the enclave's bastion; empty: no bastion. */
  readonly bastionCidrs: readonly string[];
  /** Email addresses told about every upload and quarantine. */
  readonly notify: readonly string[];
  /** The upload function's reserved concurrency; absent: unreserved (the default). */
  readonly uploadConcurrency?: number;
}

/** A study's identifier: short, so every enclave name fits AWS's name limits. */
export const ENCLAVE_ID = /^[a-z][a-z0-9]{2,11}$/;
export const DEFAULT_WORKSTATION_TYPE = "m7i.xlarge";
export const DEFAULT_DATA_VOLUME_GB = 100;

/** The widest source a bastion may admit SSH from. */
export const BASTION_MIN_PREFIX = 16;

/** The IT support personas (infra/identity/personas.ts gives each its rights). */
export const PERSONA_NAMES = ["support", "dba", "sysadmin", "breakGlass"] as const;
export type PersonaName = (typeof PERSONA_NAMES)[number];

/** HIPAA's documentation retention (45 CFR 164.316(b)(2)(i)): six years, the archive's floor in prod. */
export const HIPAA_RETENTION_DAYS = 2190;

/**
 * A configuration problem: Pulumi prints a RunError as its message alone, without a stack trace,
 * so the user sees the one line that says what to change.
 */
export class ConfigError extends pulumi.RunError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid stack configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

const CIDR_ALLOWED = `use a /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX} inside ${listOr(RFC1918_RANGES)}`;

function listOr(items: readonly (string | number)[]): string {
  return items.length === 1
    ? String(items[0])
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

const vpcCidr = z.string().superRefine((value, ctx) => {
  const fail = (problem: string) =>
    ctx.addIssue({ code: "custom", message: `${problem}: ${CIDR_ALLOWED}` });
  let prefix: number;
  try {
    prefix = parseCidr(value).prefix;
  } catch {
    return fail("is not an IPv4 CIDR with its host bits zero");
  }
  if (!isRfc1918(value)) return fail("is not a private (RFC 1918) range");
  if (prefix < MIN_VPC_PREFIX) return fail("is too wide");
  if (prefix > MAX_VPC_PREFIX) return fail("is too narrow");
});

const region = z.string().refine(isAllowedRegion, {
  error: `is not an allowed region: use ${listOr(ALLOWED_REGIONS)}`,
});

const boolean = z
  .enum(["true", "false"], { error: "is not a boolean: use true or false" })
  .transform((v) => v === "true");

function integer(min: number, max: number, allowed: string) {
  return z
    .string()
    .regex(/^-?\d+$/, { error: `is not a whole number: ${allowed}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `is out of range: ${allowed}` })
        .max(max, { error: `is out of range: ${allowed}` }),
    );
}

/** A structured value (an array or object), which the engine hands over as JSON. */
function structured<T extends z.ZodType>(schema: T, what: string) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: `is not ${what}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const EMAIL = /^[^@\s"'<>]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const HOSTNAME = /^(?=.{4,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** A bastion source: an IPv4 CIDR no wider than /16, never the whole internet. */
const bastionCidr = z.string().superRefine((value, ctx) => {
  if (value === "0.0.0.0/0" || value === "::/0") {
    ctx.addIssue({
      code: "custom",
      message: `admits SSH from ${value}, the whole internet: list your sites' addresses (a /${BASTION_MIN_PREFIX} or narrower), or leave the bastion off and use Session Manager`,
    });
  } else if (!isCidr(value)) {
    ctx.addIssue({
      code: "custom",
      message: `holds ${JSON.stringify(value)}, which is not an IPv4 CIDR with its host bits zero (such as 203.0.113.0/24)`,
    });
  } else if (parseCidr(value).prefix < BASTION_MIN_PREFIX) {
    ctx.addIssue({
      code: "custom",
      message: `holds ${value}, wider than /${BASTION_MIN_PREFIX}: admit SSH only from your sites' addresses`,
    });
  }
});

/** An IAM user or role of this account (`user/alice`, `role/path/name`) or its full ARN. */
const PRINCIPAL = /^((arn:aws[a-z-]*:iam::\d{12}:)?(user|role)\/[\w+=,.@/-]{1,512})$/;
/** The full ARN of an IAM role or user (the principal Pulumi runs as, not an STS session). */
const IAM_ROLE_OR_USER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
/** The most the upload function may reserve: Lambda refuses more than the account can spare. */
export const MAX_UPLOAD_CONCURRENCY = 1000;

const ENCLAVE_KEYS = [
  "id",
  "status",
  "purge",
  "irbProtocol",
  "vpcCidr",
  "workstation",
  "stewards",
  "researchers",
  "internetAccess",
  "bastion",
  "notify",
  "uploadConcurrency",
] as const;
const WORKSTATION_KEYS = ["instanceType", "tenancy", "dataVolumeGb"] as const;
const TAG_VALUE = /^[\w .:/=+@-]{1,128}$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function unknownKeys(value: Record<string, unknown>, known: readonly string[]): string[] {
  return Object.keys(value).filter((k) => !known.includes(k));
}

/** Why a workstation type is refused, or undefined for a general-purpose m-family type. */
export function workstationTypeProblem(type: string): string | undefined {
  if (!INSTANCE_TYPE.test(type))
    return `is not an EC2 instance type: use one such as ${DEFAULT_WORKSTATION_TYPE}`;
  if (/^t\d/.test(type)) {
    return `is burstable: a T-family workstation runs out of CPU credits in the middle of an analysis and is refused on dedicated tenancy; use an m-family type such as ${DEFAULT_WORKSTATION_TYPE}`;
  }
  if (!/^m\d+[a-z]*\./.test(type)) {
    return `is not a general-purpose m-family type: use one such as ${DEFAULT_WORKSTATION_TYPE} or m7i.2xlarge`;
  }
  return undefined;
}

/**
 * `ehealth:research`, checked enclave by enclave so that a message names the enclave and the field
 * at fault rather than echoing the whole object. Returns the enclaves, or the first problem found.
 */
export function parseResearch(value: unknown): { enclaves: EnclaveConfig[] } | string {
  if (!isObject(value)) return 'is not an object: use {"enclaves": [...]}';
  const extra = unknownKeys(value, ["enclaves"]);
  if (extra.length) return `has ${extra.join(", ")}, which research does not know: use enclaves`;
  const list = value.enclaves ?? [];
  if (!Array.isArray(list)) return "has enclaves that is not a list of enclaves";
  const enclaves: EnclaveConfig[] = [];
  for (const [i, entry] of list.entries()) {
    const parsed = parseEnclave(entry, i);
    if (typeof parsed === "string") return parsed;
    if (enclaves.some((e) => e.id === parsed.id)) {
      return `declares enclave "${parsed.id}" twice: give each study an id of its own`;
    }
    enclaves.push(parsed);
  }
  return { enclaves };
}

function parseEnclave(entry: unknown, index: number): EnclaveConfig | string {
  let where = `enclave ${index + 1}`;
  if (!isObject(entry)) return `${where} is not an object with an id and a vpcCidr`;
  const id = entry.id;
  if (typeof id !== "string" || !ENCLAVE_ID.test(id)) {
    return `${where} has the id ${JSON.stringify(id)}: a project identifier is 3 to 12 lowercase letters and digits, starting with a letter (such as cardio01)`;
  }
  where = `enclave "${id}"`;
  const extra = unknownKeys(entry, ENCLAVE_KEYS);
  if (extra.length)
    return `${where} has ${extra.join(", ")}: known fields are ${ENCLAVE_KEYS.join(", ")}`;

  const status = entry.status ?? "open";
  if (!ENCLAVE_STATUSES.includes(status as EnclaveStatus)) {
    return `${where} has the status ${JSON.stringify(status)}: use open or closed`;
  }
  const purge = entry.purge ?? false;
  if (typeof purge !== "boolean") return `${where} has a purge that is not true or false`;
  if (purge && status !== "closed") {
    return `${where} asks for purge while open: close it first (status closed), then purge`;
  }
  const irb = entry.irbProtocol;
  if (irb !== undefined && (typeof irb !== "string" || !TAG_VALUE.test(irb))) {
    return `${where} has an irbProtocol that is not a tag value (up to 128 letters, digits, spaces and . : / = + @ - _)`;
  }
  if (entry.vpcCidr === undefined) {
    return `${where} has no vpcCidr: give it a range of its own, such as 10.60.0.0/20`;
  }
  const cidr = vpcCidr.safeParse(entry.vpcCidr);
  if (!cidr.success) {
    return `${where} has the vpcCidr ${JSON.stringify(entry.vpcCidr)}, which ${cidr.error.issues[0].message}`;
  }

  const ws = entry.workstation ?? {};
  if (!isObject(ws)) return `${where} has a workstation that is not an object`;
  const wsExtra = unknownKeys(ws, WORKSTATION_KEYS);
  if (wsExtra.length) {
    return `${where} has workstation.${wsExtra.join(", workstation.")}: known fields are ${WORKSTATION_KEYS.join(", ")}`;
  }
  const instanceType = ws.instanceType ?? DEFAULT_WORKSTATION_TYPE;
  if (typeof instanceType !== "string")
    return `${where} has a workstation.instanceType that is not a string`;
  const typeProblem = workstationTypeProblem(instanceType);
  if (typeProblem) return `${where} has the workstation type ${instanceType}, which ${typeProblem}`;
  const tenancy = ws.tenancy ?? "dedicated";
  if (tenancy !== "dedicated" && tenancy !== "default") {
    return `${where} has the workstation tenancy ${JSON.stringify(tenancy)}: use dedicated (the default) or default`;
  }
  const dataVolumeGb = ws.dataVolumeGb ?? DEFAULT_DATA_VOLUME_GB;
  if (
    !Number.isInteger(dataVolumeGb) ||
    (dataVolumeGb as number) < 20 ||
    (dataVolumeGb as number) > 16384
  ) {
    return `${where} has the workstation dataVolumeGb ${JSON.stringify(dataVolumeGb)}: use a whole number of GiB from 20 to 16384`;
  }

  const principals = (field: "stewards" | "researchers"): string[] | string => {
    const given = entry[field] ?? [];
    if (!Array.isArray(given) || given.some((p) => typeof p !== "string" || !PRINCIPAL.test(p))) {
      return `${where} has ${field} that is not a list of IAM users or roles: use user/<name>, role/<name> or an IAM ARN`;
    }
    return given as string[];
  };
  const stewards = principals("stewards");
  if (typeof stewards === "string") return stewards;
  const researchers = principals("researchers");
  if (typeof researchers === "string") return researchers;

  const internetAccess = entry.internetAccess ?? false;
  if (typeof internetAccess !== "boolean") {
    return `${where} has an internetAccess that is not true or false`;
  }
  let bastionCidrs: string[] = [];
  if (entry.bastion !== undefined) {
    const bastion = entry.bastion;
    if (!isObject(bastion) || unknownKeys(bastion, ["allowedCidrs"]).length) {
      return `${where} has a bastion that is not {"allowedCidrs": [...]}`;
    }
    const cidrs = bastion.allowedCidrs;
    if (!Array.isArray(cidrs) || cidrs.length === 0) {
      return `${where} has a bastion with no allowedCidrs: list the sites SSH may come from, or remove the bastion and use Session Manager`;
    }
    for (const c of cidrs) {
      const checked = bastionCidr.safeParse(c);
      if (!checked.success) return `${where} has a bastion that ${checked.error.issues[0].message}`;
    }
    bastionCidrs = cidrs as string[];
  }
  const notify = entry.notify ?? [];
  if (!Array.isArray(notify) || notify.some((e) => typeof e !== "string" || !EMAIL.test(e))) {
    return `${where} has notify that is not a list of email addresses`;
  }
  const concurrency = entry.uploadConcurrency;
  if (
    concurrency !== undefined &&
    (!Number.isInteger(concurrency) ||
      (concurrency as number) < 1 ||
      (concurrency as number) > MAX_UPLOAD_CONCURRENCY)
  ) {
    return `${where} has the uploadConcurrency ${JSON.stringify(concurrency)}: use a whole number from 1 to ${MAX_UPLOAD_CONCURRENCY}, or leave it out (unreserved; Lambda refuses a reservation that leaves the account fewer than 100 unreserved)`;
  }
  return {
    id,
    status: status as EnclaveStatus,
    purge,
    ...(irb !== undefined ? { irbProtocol: irb as string } : {}),
    vpcCidr: entry.vpcCidr as string,
    workstation: { instanceType, tenancy, dataVolumeGb: dataVolumeGb as number },
    stewards,
    researchers,
    internetAccess,
    bastionCidrs,
    notify: notify as string[],
    ...(concurrency !== undefined ? { uploadConcurrency: concurrency as number } : {}),
  };
}

export interface ConfigKey {
  /** The full key, `namespace:name`. */
  readonly key: string;
  /**
   * Pulumi.yaml declares the first four; it cannot type an object (pulumi/pulumi#11321), so object
   * keys are listed in a comment there and validated here alone.
   */
  readonly type: "string" | "boolean" | "integer" | "array" | "object";
  readonly description: string;
  /** What is allowed, in words; used when the key is missing. */
  readonly allowed: string;
  /** The default as Pulumi.yaml declares it; absent for required keys. */
  readonly default?: string;
  /** Leave the value out of error messages (long objects: the message names the part at fault). */
  readonly quiet?: boolean;
  readonly schema: z.ZodType<unknown, string>;
}

/** Every key the program reads. Pulumi.yaml declares the same keys (a test keeps them in step). */
export const CONFIG_KEYS = [
  {
    key: "aws:region",
    type: "string",
    description: "The AWS region of this stack.",
    allowed: `one of ${listOr(ALLOWED_REGIONS)}`,
    schema: region,
  },
  {
    key: "ehealth:environment",
    type: "string",
    description: "The kind of environment: prod, staging or dev.",
    allowed: `one of ${listOr(ENVIRONMENTS)}`,
    schema: z.enum(ENVIRONMENTS, { error: `is not an environment: use ${listOr(ENVIRONMENTS)}` }),
  },
  {
    key: "ehealth:projectTag",
    type: "string",
    description: "Project identifier: the value of the Project tag on every resource.",
    allowed: "2 to 32 lowercase letters, digits and hyphens, starting with a letter",
    schema: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, {
      error:
        "is not a project identifier: use 2 to 32 lowercase letters, digits and hyphens, starting with a letter",
    }),
  },
  {
    key: "ehealth:primary",
    type: "boolean",
    description:
      "true in the one stack that creates the account-wide singletons (trail, password policy, global resource recording, IAM roles).",
    allowed: "true or false",
    schema: boolean,
  },
  {
    key: "ehealth:vpcCidr",
    type: "string",
    description: `This region's VPC CIDR: a /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX} inside an RFC 1918 range.`,
    allowed: `a /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX} inside ${listOr(RFC1918_RANGES)}`,
    schema: vpcCidr,
  },
  {
    key: "ehealth:azCount",
    type: "integer",
    description: `How many availability zones the network spans (${MIN_AZ_COUNT} or ${MAX_AZ_COUNT}).`,
    allowed: `${MIN_AZ_COUNT} or ${MAX_AZ_COUNT}`,
    default: "3",
    schema: integer(MIN_AZ_COUNT, MAX_AZ_COUNT, `use ${MIN_AZ_COUNT} or ${MAX_AZ_COUNT}`),
  },
  {
    key: "ehealth:natGateways",
    type: "string",
    description:
      "auto (a NAT gateway per AZ, except one in dev), perAz (one per AZ: an AZ outage leaves the others online) or single (one, cheaper).",
    allowed: "auto, perAz or single",
    default: "auto",
    schema: z.enum(["auto", ...NAT_MODES], {
      error: "is not a NAT mode: use auto, perAz or single",
    }),
  },
  {
    key: "ehealth:flowLogRetentionDays",
    type: "integer",
    description: `Days to keep VPC flow logs: a CloudWatch retention period of at least ${MIN_LOG_RETENTION_DAYS}.`,
    allowed: `${listOr(LOG_RETENTION_DAYS.filter((d) => d >= MIN_LOG_RETENTION_DAYS))}`,
    default: "365",
    schema: z
      .string()
      .refine(
        (v) => LOG_RETENTION_DAYS.some((d) => d >= MIN_LOG_RETENTION_DAYS && String(d) === v),
        {
          error: `is not a CloudWatch retention period of at least ${MIN_LOG_RETENTION_DAYS} days: use ${listOr(LOG_RETENTION_DAYS.filter((d) => d >= MIN_LOG_RETENTION_DAYS))}`,
        },
      )
      .transform(Number),
  },
  {
    key: "ehealth:dataProtection",
    type: "boolean",
    description:
      "Protect stateful resources (keys, databases, buckets) from deletion and retain them when the stack is destroyed. Cannot be false in prod.",
    allowed: "true or false",
    default: "true",
    schema: boolean,
  },
  {
    key: "ehealth:dbInstanceClass",
    type: "string",
    description: "RDS instance class of the PostgreSQL database (db.*).",
    allowed: "an RDS instance class such as db.m7g.large",
    default: "db.m7g.large",
    schema: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, {
      error: "is not an RDS instance class: use one such as db.m7g.large",
    }),
  },
  {
    key: "ehealth:dbBackupRetentionDays",
    type: "integer",
    description: "Days of RDS automated backups (point-in-time recovery window): 7 to 35.",
    allowed: "7 to 35",
    default: "35",
    schema: integer(7, 35, "use 7 to 35 days (35 in prod)"),
  },
  {
    key: "ehealth:cacheEngine",
    type: "string",
    description:
      "The cache engine: valkey or redis (memcached is refused: it cannot encrypt at rest).",
    allowed: "valkey or redis",
    default: "valkey",
    schema: z.string().superRefine((v, ctx) => {
      if (v === "memcached") {
        ctx.addIssue({
          code: "custom",
          message: "cannot hold PHI: Memcached has no encryption at rest; use valkey or redis",
        });
      } else if (v !== "valkey" && v !== "redis") {
        ctx.addIssue({ code: "custom", message: "is not a cache engine: use valkey or redis" });
      }
    }),
  },
  {
    key: "ehealth:replicationStack",
    type: "string",
    description:
      "The primary's disaster-recovery stack (a stack reference name such as organization/ehealth/oregon): its replica buckets and backup vault receive the primary's copies. Required when ehealth:primary is true.",
    allowed:
      "a stack reference name: <stack>, <project>/<stack> or <organization>/<project>/<stack>",
    default: "",
    schema: z.string().regex(/^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/, {
      error:
        "is not a stack reference name: use <stack>, <project>/<stack> or <organization>/<project>/<stack>",
    }),
  },
  {
    key: "ehealth:backupDailyRetentionDays",
    type: "integer",
    description: "Days to keep the daily AWS Backup recovery points (7 or more).",
    allowed: "a whole number of days, 7 or more (at most 36500)",
    default: "35",
    schema: integer(7, 36500, "use 7 or more days (35 in prod)"),
  },
  {
    key: "ehealth:backupMonthlyRetentionDays",
    type: "integer",
    description:
      "Days to keep the monthly AWS Backup recovery points (no fewer than the daily ones).",
    allowed:
      "a whole number of days, no fewer than ehealth:backupDailyRetentionDays (at most 3653)",
    default: "365",
    schema: integer(7, 3653, "use 7 to 3653 days, no fewer than ehealth:backupDailyRetentionDays"),
  },
  {
    key: "ehealth:peerRegion",
    type: "string",
    description:
      "The other region of the pair (disaster recovery, replication, later VPC peering).",
    allowed: `one of ${listOr(ALLOWED_REGIONS)}, not this stack's own`,
    schema: region,
  },
  {
    key: "ehealth:peerVpcCidr",
    type: "string",
    description: "The other region's VPC CIDR, so that the two never overlap and can be peered.",
    allowed: `a /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX} inside ${listOr(RFC1918_RANGES)}`,
    schema: vpcCidr,
  },
  {
    key: "ehealth:domainName",
    type: "string",
    description:
      "The Route 53 hosted zone (its domain name) that both stacks publish the application in.",
    allowed: "a DNS name such as health.example.org",
    schema: z.string().regex(HOSTNAME, {
      error: "is not a DNS name: use lowercase labels such as health.example.org",
    }),
  },
  {
    key: "ehealth:appSubdomain",
    type: "string",
    description: "The application's name in the hosted zone: https://<appSubdomain>.<domainName>.",
    allowed: "one DNS label (lowercase letters, digits, hyphens)",
    default: "portal",
    schema: z.string().regex(LABEL, {
      error: "is not a DNS label: use lowercase letters, digits and hyphens, such as portal",
    }),
  },
  {
    key: "ehealth:alertEmails",
    type: "array",
    description:
      "Email addresses subscribed to the security alarms (CIS metrics, GuardDuty findings, break-glass use). At least one in prod.",
    allowed: 'a list of email addresses, such as ["security@example.org"]',
    default: "[]",
    schema: structured(
      z.array(z.string().regex(EMAIL, { error: "holds something that is not an email address" }), {
        error: 'is not a list of email addresses: use ["security@example.org"]',
      }),
      'a list of email addresses: use ["security@example.org"]',
    ),
  },
  {
    key: "ehealth:archiveRetentionDays",
    type: "integer",
    description: `Days the log archive keeps every log, write-once (Object Lock). At least ${HIPAA_RETENTION_DAYS} (six years) in prod.`,
    allowed: `a whole number of days, 1 to 36500 (at least ${HIPAA_RETENTION_DAYS} in prod)`,
    default: String(HIPAA_RETENTION_DAYS),
    schema: integer(1, 36500, `use 1 to 36500 days (at least ${HIPAA_RETENTION_DAYS} in prod)`),
  },
  {
    key: "ehealth:personas",
    type: "object",
    description:
      "Who may assume each IT support role (primary stack): an object with support, dba, sysadmin and breakGlass, each a list of IAM users or roles (user/alice, role/oncall or full ARNs). A persona with no one is not created.",
    allowed: `an object with lists of IAM principals under ${listOr(PERSONA_NAMES)}`,
    default: "{}",
    schema: structured(
      z.strictObject(
        Object.fromEntries(
          PERSONA_NAMES.map((p) => [
            p,
            z
              .array(
                z.string().regex(PRINCIPAL, {
                  error: `names something that is not an IAM user or role under ${p}: use user/<name>, role/<name> or an IAM ARN`,
                }),
              )
              .optional(),
          ]),
        ),
        {
          error: (issue) =>
            issue.code === "unrecognized_keys"
              ? `has a persona that does not exist (${issue.keys.join(", ")}): use ${listOr(PERSONA_NAMES)}`
              : `is not an object of principal lists: use {"support": ["user/alice"]}`,
        },
      ),
      `JSON: use {"support": ["user/alice"]}`,
    ),
  },
  {
    key: "ehealth:organizationServices",
    type: "object",
    description: `Who provides each account or region singleton (docs/audit.md): an object with ${listOr(ORGANIZATION_SERVICES)}, each "stack" (this stack creates it) or "organization" (the organization's delegated administrator or Control Tower provides it, and the stack creates none of its resources). A service left out is "stack".`,
    allowed: `an object with ${listOr(ORGANIZATION_SERVICES)}, each "stack" or "organization"`,
    default: "{}",
    schema: structured(
      z.strictObject(
        Object.fromEntries(
          ORGANIZATION_SERVICES.map((service) => [
            service,
            z
              .enum(SERVICE_PROVIDERS, {
                error: (issue) =>
                  `has ${service} ${JSON.stringify(issue.input)}: use "stack" (this stack creates it) or "organization" (the organization provides it)`,
              })
              .optional(),
          ]),
        ),
        {
          error: (issue) =>
            issue.code === "unrecognized_keys"
              ? `has ${issue.keys.join(", ")}, which is not a service it knows: use ${listOr(ORGANIZATION_SERVICES)}`
              : `is not an object: use {"guardDuty": "organization", "trail": "organization"}`,
        },
      ),
      'JSON: use {"guardDuty": "organization", "trail": "organization"}',
    ),
  },
  {
    key: "ehealth:appInstanceType",
    type: "string",
    description:
      "EC2 instance type of the application tier (Graviton types such as m7g.large get the arm64 image).",
    allowed: "an EC2 instance type such as m7i.large",
    default: "m7i.large",
    schema: z.string().regex(INSTANCE_TYPE, {
      error: "is not an EC2 instance type: use one such as m7i.large",
    }),
  },
  {
    key: "ehealth:appMinSize",
    type: "integer",
    description: "Fewest application instances (at least 2 in prod, so one AZ can fail).",
    allowed: "1 to 100 (2 or more in prod)",
    default: "2",
    schema: integer(1, 100, "use 1 to 100 (2 or more in prod)"),
  },
  {
    key: "ehealth:appMaxSize",
    type: "integer",
    description: "Most application instances scaling may reach (no fewer than ehealth:appMinSize).",
    allowed: "1 to 100, no fewer than ehealth:appMinSize",
    default: "6",
    schema: integer(1, 100, "use 1 to 100, no fewer than ehealth:appMinSize"),
  },
  {
    key: "ehealth:wafRateLimit",
    type: "integer",
    description:
      "Requests one client address may make in any 5 minutes before the WAF blocks it (100 to 2000000000).",
    allowed: "100 to 2000000000",
    default: "2000",
    schema: integer(100, 2_000_000_000, "use 100 to 2000000000 requests per 5 minutes"),
  },
  {
    key: "ehealth:bastion",
    type: "object",
    description:
      "The optional SSH bastion: enabled (default false), allowedCidrs (the sites SSH may come from, each /16 or narrower, never 0.0.0.0/0), instanceType (default t3.micro).",
    allowed: '{"enabled": true, "allowedCidrs": ["203.0.113.0/24"]}',
    default: "{}",
    schema: structured(
      z.strictObject(
        {
          enabled: z.boolean({ error: "has an enabled that is not true or false" }).optional(),
          allowedCidrs: z
            .array(bastionCidr, { error: "has allowedCidrs that is not a list of CIDRs" })
            .optional(),
          instanceType: z
            .string()
            .regex(INSTANCE_TYPE, { error: "has an instanceType that is not an EC2 type" })
            .optional(),
        },
        {
          error: (issue) =>
            issue.code === "unrecognized_keys"
              ? `has ${issue.keys.join(", ")}, which the bastion does not know: use enabled, allowedCidrs and instanceType`
              : 'is not an object: use {"enabled": true, "allowedCidrs": ["203.0.113.0/24"]}',
        },
      ),
      'JSON: use {"enabled": true, "allowedCidrs": ["203.0.113.0/24"]}',
    ),
  },
  {
    key: "ehealth:research",
    type: "object",
    description:
      "The research enclaves of this region: enclaves, a list of {id, status (open or closed), purge, irbProtocol, vpcCidr, workstation {instanceType (m family), tenancy, dataVolumeGb}, stewards, researchers, internetAccess, bastion {allowedCidrs}, notify, uploadConcurrency}.",
    allowed: `{"enclaves": [{"id": "cardio01", "vpcCidr": "10.60.0.0/20"}]}`,
    default: "{}",
    quiet: true,
    schema: structured(z.unknown(), 'JSON: use {"enclaves": [{"id": "cardio01", ...}]}').transform(
      (value, ctx) => {
        const result = parseResearch(value);
        if (typeof result === "string") {
          ctx.addIssue({ code: "custom", message: result });
          return z.NEVER;
        }
        return result;
      },
    ),
  },
  {
    key: "ehealth:deployerArn",
    type: "string",
    description:
      "The ARN of the IAM role or user that runs Pulumi. Required when the stack has research enclaves: their bucket policies let it manage and list the buckets, and read no object.",
    allowed: "an IAM role or user ARN such as arn:aws:iam::123456789012:role/pulumi-deploy",
    default: "",
    schema: z.string().regex(IAM_ROLE_OR_USER_ARN, {
      error:
        "is not an IAM role or user ARN: use the role or user Pulumi runs as, such as arn:aws:iam::123456789012:role/pulumi-deploy (not an sts assumed-role session ARN)",
    }),
  },
] as const satisfies readonly ConfigKey[];

type KeyName = (typeof CONFIG_KEYS)[number]["key"];

/** What the engine hands the program: every value as a string (objects as JSON). */
export type RawConfig = Readonly<Record<string, string | undefined>>;

export interface StackContext {
  readonly project: string;
  readonly stack: string;
}

/**
 * Validates a stack's raw configuration. Pure: the tests call it directly, and `loadStackConfig`
 * feeds it what Pulumi has. Throws a ConfigError listing every problem found.
 */
export function parseStackConfig(raw: RawConfig, ctx: StackContext): StackConfig {
  const problems: string[] = [];
  const values = new Map<KeyName, unknown>();

  for (const spec of CONFIG_KEYS as readonly ConfigKey[]) {
    const given = raw[spec.key];
    const text = given ?? ("default" in spec ? spec.default : undefined);
    if (text === "" && spec.default === "") {
      values.set(spec.key as KeyName, undefined);
      continue;
    }
    if (text === undefined || text === "") {
      problems.push(
        `${spec.key} is missing: set it with \`pulumi config set ${spec.key} <value>\` (${spec.allowed})`,
      );
      continue;
    }
    const result = spec.schema.safeParse(text);
    if (result.success) {
      values.set(spec.key as KeyName, result.data);
    } else {
      const shown = spec.quiet
        ? ""
        : spec.type === "array" || spec.type === "object"
          ? `${text} `
          : `${JSON.stringify(text)} `;
      problems.push(`${spec.key} ${shown}${result.error.issues[0].message}`);
    }
  }

  for (const key of Object.keys(raw)) {
    if (key.startsWith(`${PROJECT}:`) && !CONFIG_KEYS.some((k) => k.key === key)) {
      problems.push(`${key} is not a known key${suggest(key)}`);
    }
  }

  if (problems.length === 0) {
    crossCheck(values, problems);
    enclaveNamesFit(values, ctx, problems);
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }

  const get = <T>(key: KeyName) => values.get(key) as T;
  const environment = get<Environment>("ehealth:environment");
  const nat = get<"auto" | NatMode>("ehealth:natGateways");
  const projectTag = get<string>("ehealth:projectTag");
  const bastion = get<{ enabled?: boolean; allowedCidrs?: string[]; instanceType?: string }>(
    "ehealth:bastion",
  );
  return {
    project: ctx.project,
    stack: ctx.stack,
    region: get<RegionName>("aws:region"),
    environment,
    projectTag,
    primary: get<boolean>("ehealth:primary"),
    vpcCidr: get<string>("ehealth:vpcCidr"),
    azCount: get<number>("ehealth:azCount"),
    natGateways: nat === "auto" ? (environment === "dev" ? "single" : "perAz") : nat,
    flowLogRetentionDays: get<number>("ehealth:flowLogRetentionDays"),
    dataProtection: get<boolean>("ehealth:dataProtection"),
    peer: {
      region: get<RegionName>("ehealth:peerRegion"),
      vpcCidr: get<string>("ehealth:peerVpcCidr"),
    },
    database: {
      instanceClass: get<string>("ehealth:dbInstanceClass"),
      backupRetentionDays: get<number>("ehealth:dbBackupRetentionDays"),
    },
    cacheEngine: get<"valkey" | "redis">("ehealth:cacheEngine"),
    replicationStack: get<string | undefined>("ehealth:replicationStack"),
    backupRetentionDays: {
      daily: get<number>("ehealth:backupDailyRetentionDays"),
      monthly: get<number>("ehealth:backupMonthlyRetentionDays"),
    },
    dns: { zone: get<string>("ehealth:domainName"), appName: get<string>("ehealth:appSubdomain") },
    alertEmails: get<string[]>("ehealth:alertEmails"),
    archiveRetentionDays: get<number>("ehealth:archiveRetentionDays"),
    personas: Object.fromEntries(
      PERSONA_NAMES.map((p) => [
        p,
        get<Partial<Record<PersonaName, string[]>>>("ehealth:personas")[p] ?? [],
      ]),
    ) as Record<PersonaName, string[]>,
    app: {
      instanceType: get<string>("ehealth:appInstanceType"),
      minSize: get<number>("ehealth:appMinSize"),
      maxSize: get<number>("ehealth:appMaxSize"),
      wafRateLimit: get<number>("ehealth:wafRateLimit"),
    },
    bastion: {
      enabled: bastion.enabled ?? false,
      allowedCidrs: bastion.allowedCidrs ?? [],
      instanceType: bastion.instanceType ?? "t3.micro",
    },
    research: get<{ enclaves: EnclaveConfig[] }>("ehealth:research"),
    ...(get<string | undefined>("ehealth:deployerArn")
      ? { deployerArn: get<string>("ehealth:deployerArn") }
      : {}),
    organizationServices: {
      ...STACK_PROVIDES_ALL,
      ...get<Partial<ServiceProviders>>("ehealth:organizationServices"),
    },
    tags: {
      Project: projectTag,
      Environment: environment,
      Stack: ctx.stack,
      // Read by the policy pack's stack selectors (primary-only rules: the trail, replication).
      Primary: String(get<boolean>("ehealth:primary")),
      ManagedBy: "pulumi",
    },
  };
}

function crossCheck(values: Map<KeyName, unknown>, problems: string[]): void {
  const regionName = values.get("aws:region") as RegionName;
  const azCount = values.get("ehealth:azCount") as number;
  const available = REGIONS[regionName].azs.length;
  if (azCount > available) {
    problems.push(
      `ehealth:azCount "${azCount}" is more than the ${available} AZs of ${regionName}: use ${MIN_AZ_COUNT}${available > MIN_AZ_COUNT ? ` to ${available}` : ""}`,
    );
  }
  const peerRegion = values.get("ehealth:peerRegion") as RegionName;
  if (peerRegion === regionName) {
    problems.push(
      `ehealth:peerRegion "${peerRegion}" is this stack's own region: name the other region of the pair`,
    );
  }
  const own = values.get("ehealth:vpcCidr") as string;
  const peer = values.get("ehealth:peerVpcCidr") as string;
  if (cidrsOverlap(own, peer)) {
    problems.push(
      `ehealth:vpcCidr "${own}" overlaps ehealth:peerVpcCidr "${peer}": give each region its own range so the VPCs can be peered`,
    );
  }
  if (values.get("ehealth:primary") === true && !values.get("ehealth:replicationStack")) {
    problems.push(
      "ehealth:replicationStack is missing: the primary copies its document buckets and backups to the other region's stack; set it with `pulumi config set ehealth:replicationStack <organization>/ehealth/<stack>`",
    );
  }
  const daily = values.get("ehealth:backupDailyRetentionDays") as number;
  const monthly = values.get("ehealth:backupMonthlyRetentionDays") as number;
  if (monthly < daily) {
    problems.push(
      `ehealth:backupMonthlyRetentionDays "${monthly}" is shorter than ehealth:backupDailyRetentionDays "${daily}": keep monthly recovery points at least as long`,
    );
  }
  const environment = values.get("ehealth:environment") as Environment;
  if (environment === "prod" && values.get("ehealth:dataProtection") === false) {
    problems.push(
      `ehealth:dataProtection "false" is not allowed in prod: remove the key (the default is true)`,
    );
  }
  const archiveDays = values.get("ehealth:archiveRetentionDays") as number;
  if (environment === "prod" && archiveDays < HIPAA_RETENTION_DAYS) {
    problems.push(
      `ehealth:archiveRetentionDays "${archiveDays}" is shorter than the six years HIPAA requires for documentation in prod: use ${HIPAA_RETENTION_DAYS} or more`,
    );
  }
  const minSize = values.get("ehealth:appMinSize") as number;
  const maxSize = values.get("ehealth:appMaxSize") as number;
  if (maxSize < minSize) {
    problems.push(
      `ehealth:appMaxSize "${maxSize}" is below ehealth:appMinSize "${minSize}": raise it to ${minSize} or more`,
    );
  }
  if (environment === "prod" && minSize < 2) {
    problems.push(
      `ehealth:appMinSize "${minSize}" leaves prod with a single instance: use 2 or more so the application survives the loss of an AZ`,
    );
  }
  const bastion = values.get("ehealth:bastion") as { enabled?: boolean; allowedCidrs?: string[] };
  if (bastion.enabled && (bastion.allowedCidrs ?? []).length === 0) {
    problems.push(
      'ehealth:bastion is enabled with no allowedCidrs: list the sites SSH may come from (`pulumi config set --path "ehealth:bastion.allowedCidrs[0]" 203.0.113.0/24`), or leave it off and use Session Manager',
    );
  }
  const research = values.get("ehealth:research") as { enclaves: EnclaveConfig[] };
  const ranges = [
    { name: `ehealth:vpcCidr "${own}"`, cidr: own },
    { name: `ehealth:peerVpcCidr "${peer}"`, cidr: peer },
  ];
  for (const enclave of research.enclaves) {
    const clash = ranges.find((r) => cidrsOverlap(r.cidr, enclave.vpcCidr));
    if (clash) {
      problems.push(
        `ehealth:research enclave "${enclave.id}" has the vpcCidr "${enclave.vpcCidr}", which overlaps ${clash.name}: give each enclave a range of its own`,
      );
    }
    ranges.push({ name: `enclave "${enclave.id}"`, cidr: enclave.vpcCidr });
  }
  if (research.enclaves.length > 0 && !values.get("ehealth:deployerArn")) {
    problems.push(
      "ehealth:deployerArn is missing: research enclaves' buckets refuse bucket reads to all but their endpoint, stewards and backups, so Pulumi could not read them; name the role or user Pulumi runs as (`pulumi config set ehealth:deployerArn arn:aws:iam::<account>:role/<name>`)",
    );
  }
  if (environment === "prod" && (values.get("ehealth:alertEmails") as string[]).length === 0) {
    problems.push(
      'ehealth:alertEmails is empty: in prod the security alarms need someone to reach; set it with `pulumi config set --path "ehealth:alertEmails[0]" security@example.org`',
    );
  }
}

/** Every enclave name carries the stack's: a long stack name leaves a study's id less room. */
function enclaveNamesFit(
  values: Map<KeyName, unknown>,
  ctx: StackContext,
  problems: string[],
): void {
  const research = values.get("ehealth:research") as { enclaves: EnclaveConfig[] };
  for (const { id } of research.enclaves) {
    const name = enclaveName(`${ctx.project}-${ctx.stack}`, id);
    if (name.length > MAX_ENCLAVE_NAME) {
      const room = id.length - (name.length - MAX_ENCLAVE_NAME);
      problems.push(
        `ehealth:research enclave "${id}" makes the name ${name}, ${name.length} characters, more than the ${MAX_ENCLAVE_NAME} its derived names leave room for (a backup vault name has 50 characters): ${room >= 3 ? `use an id of at most ${room} characters` : "use a shorter stack name"}`,
      );
    }
  }
}

function suggest(key: string): string {
  const name = key.slice(PROJECT.length + 1).toLowerCase();
  const match = CONFIG_KEYS.find(
    (k) =>
      k.key.startsWith(`${PROJECT}:`) && k.key.slice(PROJECT.length + 1).toLowerCase() === name,
  );
  return match
    ? `: did you mean ${match.key}?`
    : `: known keys are ${CONFIG_KEYS.map((k) => k.key).join(", ")}`;
}

/** Reads and validates the running stack's configuration. */
export function loadStackConfig(): StackConfig {
  const raw: Record<string, string | undefined> = {};
  for (const spec of CONFIG_KEYS) {
    const [namespace, name] = spec.key.split(":");
    raw[spec.key] = new pulumi.Config(namespace).get(name);
  }
  for (const key of Object.keys(pulumi.runtime.allConfig())) {
    if (key.startsWith(`${PROJECT}:`) && !(key in raw)) {
      raw[key] = new pulumi.Config(PROJECT).get(key.slice(PROJECT.length + 1));
    }
  }
  return parseStackConfig(raw, { project: pulumi.getProject(), stack: pulumi.getStack() });
}
