/**
 * How a policy of this pack is declared: its metadata (level, severity, the HIPAA Security Rule
 * citations it serves, the fix), and one check per resource type it understands. The resource
 * types are declared, so a runner can index policies by type and run on each resource only the
 * policies that apply to it; the CrossGuard engine calls every policy, and the cheap type lookup
 * below answers it without the cost of a thrown not-applicable.
 */
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  PolicyConfigSchema,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

import { EXEMPTIONS_SCHEMA, Exemption, RunnerExtras, applyExemptions } from "./exemptions";

/** HIPAA Security Rule citations, 45 CFR 164.3xx. */
export type HipaaCitation = `164.${string}`;

export interface PolicyMeta {
  /** `<service>-<resource>-<verb>-<thing>`, verbs from missing, disallow, enable, enforce, configure. */
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: Extract<EnforcementLevel, "mandatory" | "advisory">;
  readonly severity: Severity;
  readonly hipaa: readonly HipaaCitation[];
  /** What to change, in general; each finding names the resource, property and value. */
  readonly remediationSteps: string;
  /** Why this level: what breaks, or what is lost, if the policy were the other level. */
  readonly levelReason: string;
  /** The policy's configuration, with defaults (`--policy-pack-config`). */
  readonly configSchema?: PolicyConfigSchema;
}

/** The view of a resource a check receives: the engine's arguments, props behind the unknown proxy. */
export type CheckedResource = Pick<
  ResourceValidationArgs,
  "type" | "props" | "urn" | "name" | "opts" | "getConfig"
>;

export type ResourceCheck = (resource: CheckedResource, report: (message: string) => void) => void;

/** The pack's checks are synchronous, so a runner needs no await per resource. */
type SyncResourceValidation = (...args: Parameters<ResourceValidation>) => void;
type SyncStackValidation = (args: StackValidationArgs, reportViolation: ReportViolation) => void;

export type EhealthResourcePolicy = Omit<ResourceValidationPolicy, "validateResource"> & {
  readonly validateResource: SyncResourceValidation;
  readonly meta: PolicyMeta;
  readonly kind: "resource";
  /** The Pulumi type tokens this policy checks. */
  readonly resourceTypes: readonly string[];
};

export type EhealthStackPolicy = Omit<StackValidationPolicy, "validateStack"> & {
  readonly validateStack: SyncStackValidation;
  readonly meta: PolicyMeta;
  readonly kind: "stack";
  /** The Pulumi type tokens this policy reads; empty when it judges the stack as a whole. */
  readonly resourceTypes: readonly string[];
};

export type EhealthPolicy = EhealthResourcePolicy | EhealthStackPolicy;

const HIPAA_FRAMEWORK = {
  name: "HIPAA Security Rule",
  version: "45 CFR Part 164 Subpart C",
  reference: "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C",
  specification: "Security standards for the protection of electronic protected health information",
};

/** Every policy takes `exemptions` in its config, besides what its own schema declares. */
function configSchema(meta: PolicyMeta): PolicyConfigSchema {
  return {
    ...meta.configSchema,
    properties: {
      ...meta.configSchema?.properties,
      exemptions: EXEMPTIONS_SCHEMA,
    },
  };
}

function exemptionsOf(getConfig: <T extends object>() => T): readonly Exemption[] | undefined {
  return getConfig<{ exemptions?: Exemption[] }>().exemptions;
}

/**
 * The policy's config with its schema's defaults under it: the engine hands over `{}` when a pack
 * runs without --policy-pack-config, and a check must still see its defaults.
 */
function defaultsOf(meta: PolicyMeta): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(configSchema(meta).properties ?? {})) {
    if (schema && typeof schema === "object" && "default" in schema) defaults[key] = schema.default;
  }
  return defaults;
}

function withDefaults(
  defaults: Record<string, unknown>,
  getConfig: <T extends object>() => T,
): <T extends object>() => T {
  return <T extends object>() => ({ ...defaults, ...(getConfig<object>() ?? {}) }) as T;
}

function common(meta: PolicyMeta) {
  return {
    name: meta.name,
    description: meta.description,
    enforcementLevel: meta.enforcementLevel,
    severity: meta.severity,
    remediationSteps: meta.remediationSteps,
    framework: HIPAA_FRAMEWORK,
    tags: [...meta.hipaa],
    configSchema: configSchema(meta),
    meta,
  };
}

/** The key of a check that applies to every resource type. */
export const ANY_TYPE = "*";

/**
 * What a check receives of the engine's arguments: the same values, read through from them when a
 * check reads them (a check reads a few; options, for one, seldom), and the config with its
 * schema's defaults under it. One small object a call, with no closure per call.
 */
class Checked implements CheckedResource {
  constructor(
    readonly args: ResourceValidationArgs,
    private readonly defaults: Record<string, unknown>,
    /** Where the call's findings go (see `resourcePolicy`). */
    readonly report: ReportViolation,
  ) {}

  get type(): string {
    return this.args.type;
  }

  get props(): Record<string, unknown> {
    return this.args.props;
  }

  get urn(): string {
    return this.args.urn;
  }

  get name(): string {
    return this.args.name;
  }

  get opts(): ResourceValidationArgs["opts"] {
    return this.args.opts;
  }

  getConfig<T extends object>(): T {
    return { ...this.defaults, ...(this.args.getConfig<object>() ?? {}) } as T;
  }
}

/**
 * The call a resource policy is in: what its check's findings are reported against. Checks are
 * synchronous and report before they return, so one reporter a policy serves every call (the
 * previous call is put back after each, should a check ever run inside another's), where a
 * closure a call was an allocation for each of the pack's ~1,500 calls a pass.
 */
export function resourcePolicy(
  meta: PolicyMeta,
  checks: Readonly<Record<string, ResourceCheck>>,
): EhealthResourcePolicy {
  const defaults = defaultsOf(meta);
  let call: Checked | undefined;
  const reporter = (message: string): void => {
    const checked = call!;
    const { args, report } = checked;
    // Exemptions are read only when there is a finding to exempt: most resources have none.
    const kept = applyExemptions(
      message,
      args.urn,
      args.name,
      exemptionsOf(() => checked.getConfig()),
      args as RunnerExtras,
    );
    if (kept !== undefined) report(kept);
  };
  return {
    ...common(meta),
    kind: "resource",
    resourceTypes: Object.keys(checks),
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      const own = Object.prototype.hasOwnProperty.call(checks, args.type);
      const check = own ? checks[args.type] : checks[ANY_TYPE];
      if (!check) return;
      const checked = new Checked(args, defaults, report);
      const outer = call;
      call = checked;
      try {
        check(checked, reporter);
      } finally {
        call = outer;
      }
    },
  };
}

export type StackCheck = (
  resources: readonly PolicyResource[],
  report: (message: string, urn?: string) => void,
  args: StackValidationArgs,
) => void;

/** Each stack's names by URN, the first resource of a URN winning as `find` would pick it. */
const namesByUrn = new WeakMap<readonly PolicyResource[], Map<string, string>>();

/** The name of the resource with this URN (findings name resources by URN; exemptions by name too). */
function nameOf(resources: readonly PolicyResource[], urn: string): string | undefined {
  let names = namesByUrn.get(resources);
  if (!names) {
    names = new Map();
    for (const r of resources) if (!names.has(r.urn)) names.set(r.urn, r.name);
    namesByUrn.set(resources, names);
  }
  return names.get(urn);
}

export function stackPolicy(
  meta: PolicyMeta,
  resourceTypes: readonly string[],
  check: StackCheck,
): EhealthStackPolicy {
  const defaults = defaultsOf(meta);
  return {
    ...common(meta),
    kind: "stack",
    resourceTypes,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const getConfig = withDefaults(defaults, args.getConfig);
      const extras = args as RunnerExtras;
      check(
        args.resources,
        (message, urn) => {
          const name = urn ? nameOf(args.resources, urn) : undefined;
          const kept = applyExemptions(message, urn ?? null, name, exemptionsOf(getConfig), extras);
          if (kept !== undefined) report(kept, urn);
        },
        { ...args, getConfig },
      );
    },
  };
}
