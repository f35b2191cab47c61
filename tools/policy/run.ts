/**
 * Runs the pack's policies over evaluated resources with the argument shapes the CrossGuard engine
 * gives them: props behind `unknownCheckingProxy`, a `notApplicable` that throws, config with the
 * schema's defaults, stack resources linked to their parents and dependencies. Policies are indexed
 * by resource type, so each resource meets only the policies that apply to it.
 */
import {
  EnforcementLevel,
  PolicyResource,
  PolicyResourceOptions,
  UnknownValueError,
  unknownCheckingProxy,
} from "@pulumi/policy";
import type { EhealthPolicy, EhealthResourcePolicy } from "../../policy-pack/policies";
import type { ExemptedFinding, RunnerExtras } from "../../policy-pack/policies/lib/exemptions";
import type { ResourceRecord } from "../engine";

/**
 * The engine's sentinels for values unknown until apply (@pulumi/policy's proxy.js, which exports
 * them but leaves them out of its typings). `unknownCheckingProxy` throws when a policy reads one.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxyModule = require("@pulumi/policy/proxy") as Record<string, unknown>;
const UNKNOWN_SENTINELS: ReadonlySet<unknown> = new Set(
  [
    "unknownBooleanValue",
    "unknownNumberValue",
    "unknownStringValue",
    "unknownArrayValue",
    "unknownAssetValue",
    "unknownArchiveValue",
    "unknownObjectValue",
  ].map((name) => {
    const value = proxyModule[name];
    if (typeof value !== "string") throw new Error(`@pulumi/policy/proxy has no ${name}`);
    return value;
  }),
);

/** True when a sentinel for an unknown value is anywhere in the value. */
function holdsUnknown(value: unknown): boolean {
  if (typeof value === "string") return UNKNOWN_SENTINELS.has(value);
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(holdsUnknown);
  for (const key in value) {
    if (holdsUnknown((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/**
 * The props a policy reads, as the engine hands them over: behind `unknownCheckingProxy`, which
 * throws an UnknownValueError where a policy reads an unknown value and otherwise returns what
 * the object holds. Records of a program that ran to completion hold no unknown value, so for them
 * the proxy can never throw and the plain object reads the same; it is used then, since a proxy
 * on every property read (and a new proxy for every nested object read) was a third of a pass.
 */
export function propsFor(value: Record<string, unknown>): Record<string, unknown> {
  return holdsUnknown(value) ? (unknownCheckingProxy(value) as Record<string, unknown>) : value;
}

export interface Finding {
  readonly policy: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  readonly severity: string;
  /** The resource, or null for a finding about the stack as a whole. */
  readonly urn: string | null;
  readonly message: string;
  readonly hipaa: readonly string[];
}

export interface Exempted {
  readonly policy: string;
  readonly urn: string | null;
  readonly message: string;
  readonly reason: string;
  readonly expires: string | null;
}

export interface PolicyRun {
  readonly violations: Finding[];
  readonly exempted: Exempted[];
  /**
   * By policy that ran, how many resources it judged: those of its types it did not find
   * inapplicable (for a policy that judges the stack as a whole, every resource of the stack).
   */
  readonly checked: Record<string, number>;
}

export interface RunOptions {
  /** The day exemptions are judged against. @default now */
  readonly now?: Date;
}

export type PackConfig = Readonly<Record<string, unknown>>;

class NotApplicable extends Error {}

const EMPTY_TAGS: ReadonlyMap<string, string> = new Map();
const NOT_TYPE = () => false;
const NO_TYPE = () => undefined;

function levelOf(policy: EhealthPolicy, config: PackConfig): EnforcementLevel {
  const own = config[policy.name];
  const all = config.all;
  const pick = (c: unknown) =>
    typeof c === "string" ? c : (c as { enforcementLevel?: string } | undefined)?.enforcementLevel;
  return (pick(own) ?? pick(all) ?? policy.enforcementLevel ?? "advisory") as EnforcementLevel;
}

/** A policy's configuration as the engine hands it over: schema defaults, then the file's values. */
export function policyConfig(policy: EhealthPolicy, config: PackConfig): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
    if (schema && typeof schema === "object" && "default" in schema)
      defaults[key] = structuredClone(schema.default);
  }
  const own = config[policy.name];
  const values = own && typeof own === "object" ? { ...(own as Record<string, unknown>) } : {};
  delete values.enforcementLevel;
  return { ...defaults, ...values };
}

function options(r: ResourceRecord): PolicyResourceOptions {
  return {
    protect: r.protect,
    ignoreChanges: [...r.ignoreChanges],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    parent: r.parent ?? undefined,
  };
}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

export function runPolicies(
  resources: readonly ResourceRecord[],
  policies: readonly EhealthPolicy[],
  config: PackConfig = {},
  runOptions: RunOptions = {},
): PolicyRun {
  const findings: Finding[] = [];
  const exempted: Exempted[] = [];
  const checked: Record<string, number> = {};
  const extras = (policy: EhealthPolicy): RunnerExtras => ({
    now: runOptions.now,
    reportExempted: (f: ExemptedFinding) =>
      exempted.push({
        policy: policy.name,
        urn: f.urn,
        message: f.message,
        reason: f.exemption.reason ?? "",
        expires: f.exemption.expires ?? null,
      }),
  });
  const active = policies
    .map((policy) => ({
      policy,
      level: levelOf(policy, config),
      policyConfig: policyConfig(policy, config),
      // One set of runner extras and one getConfig per policy and run, not per resource.
      extras: extras(policy),
    }))
    .filter((p) => p.level !== "disabled")
    .map((p) => ({ ...p, getConfig: <T>() => p.policyConfig as T }));

  const finding = (
    policy: EhealthPolicy,
    level: EnforcementLevel,
    urn: string | null,
    message: string,
  ): Finding => ({
    policy: policy.name,
    enforcementLevel: level === "mandatory" || level === "remediate" ? "mandatory" : "advisory",
    severity: policy.severity ?? "medium",
    urn,
    message,
    hipaa: policy.meta.hipaa,
  });
  const failed = (
    policy: EhealthPolicy,
    level: EnforcementLevel,
    urn: string | null,
    err: unknown,
    judged = 1,
  ) => {
    if (err instanceof UnknownValueError) {
      // As the engine does: a value unknown until apply makes the policy advisory for this run.
      findings.push({
        ...finding(
          policy,
          level,
          urn,
          `can't run ${policy.name} during preview: ${(err as Error).message}`,
        ),
        enforcementLevel: "advisory",
      });
      checked[policy.name] = (checked[policy.name] ?? 0) + judged;
    } else if (!(err instanceof NotApplicable)) {
      throw err;
    }
  };
  const guard = (
    policy: EhealthPolicy,
    level: EnforcementLevel,
    urn: string | null,
    run: () => void,
    judged = 1,
  ) => {
    try {
      run();
      checked[policy.name] = (checked[policy.name] ?? 0) + judged;
    } catch (err) {
      failed(policy, level, urn, err, judged);
    }
  };

  const byType = new Map<
    string,
    {
      policy: EhealthResourcePolicy;
      level: EnforcementLevel;
      extras: RunnerExtras;
      getConfig: <T>() => T;
    }[]
  >();
  for (const entry of active) {
    if (entry.policy.kind !== "resource") continue;
    for (const type of entry.policy.resourceTypes) {
      const list = byType.get(type) ?? [];
      list.push({ ...entry, policy: entry.policy });
      byType.set(type, list);
    }
  }

  // Each resource's provider, as the engine passes it: type, props (its inputs), URN and name.
  const providers = new Map(
    resources
      .filter((r) => r.type.startsWith("pulumi:providers:"))
      .map((p) => [
        `${p.urn}::${p.id ?? ""}`,
        { type: p.type, props: propsFor(p.inputs), urn: p.urn, name: p.name },
      ]),
  );
  const providerOf = (r: ResourceRecord) => (r.provider ? providers.get(r.provider) : undefined);

  const everyType = byType.get("*") ?? [];
  for (const r of resources) {
    if (!r.custom) continue;
    const applicable = [...(byType.get(r.type) ?? []), ...everyType];
    if (!applicable.length) continue;
    // Policies only read props, so the resource's proxy is shared by every policy that checks it.
    const props = propsFor(r.inputs);
    const opts = options(r);
    const provider = providerOf(r);
    for (const { policy, level, extras: policyExtras, getConfig } of applicable) {
      // The engine's arguments, built without a closure per resource and policy (the hot loop).
      const args = {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts,
        stackTags: EMPTY_TAGS,
        isType: NOT_TYPE,
        asType: NO_TYPE,
        getConfig,
        notApplicable,
        provider,
        ...policyExtras,
      } as unknown as Parameters<EhealthResourcePolicy["validateResource"]>[0];
      try {
        policy.validateResource(args, (message: string) =>
          findings.push(finding(policy, level, r.urn, message)),
        );
        checked[policy.name] = (checked[policy.name] ?? 0) + 1;
      } catch (err) {
        failed(policy, level, r.urn, err);
      }
    }
  }

  const stackPolicies = active.filter((p) => p.policy.kind === "stack");
  if (stackPolicies.length) {
    const custom = resources.filter((r) => r.custom);
    const linked = new Map<string, PolicyResource>();
    for (const r of custom) {
      linked.set(r.urn, {
        type: r.type,
        props: propsFor({ ...r.inputs, ...r.outputs }),
        urn: r.urn,
        name: r.name,
        opts: options(r),
        dependencies: [],
        propertyDependencies: {},
        isType: NOT_TYPE,
        asType: NO_TYPE,
        provider: providerOf(r),
      } as unknown as PolicyResource);
    }
    for (const r of custom) {
      const res = linked.get(r.urn)! as {
        parent?: PolicyResource;
        dependencies: PolicyResource[];
        propertyDependencies: Record<string, PolicyResource[]>;
      };
      if (r.parent && linked.has(r.parent)) res.parent = linked.get(r.parent);
      res.dependencies = r.dependencies
        .map((d) => linked.get(d))
        .filter((d): d is PolicyResource => d !== undefined);
      for (const [k, urns] of Object.entries(r.propertyDependencies)) {
        res.propertyDependencies[k] = urns
          .map((d) => linked.get(d))
          .filter((d): d is PolicyResource => d !== undefined);
      }
    }
    const all = [...linked.values()];
    for (const { policy, level, getConfig, extras: policyExtras } of stackPolicies) {
      if (policy.kind !== "stack") continue;
      const types = policy.resourceTypes;
      const judged = types.length
        ? custom.filter((r) => types.includes(r.type)).length
        : custom.length;
      guard(
        policy,
        level,
        null,
        () =>
          policy.validateStack(
            {
              resources: all,
              getConfig,
              stackTags: EMPTY_TAGS,
              notApplicable,
              ...policyExtras,
            } as Parameters<typeof policy.validateStack>[0],
            (message: string, urn?: string) =>
              findings.push(finding(policy, level, urn ?? null, message)),
          ),
        judged,
      );
    }
  }
  return { violations: findings, exempted, checked };
}
