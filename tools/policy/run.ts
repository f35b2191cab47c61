/**
 * Runs the pack's policies over evaluated resources with the argument shapes the CrossGuard engine
 * gives them (./resources.ts: props behind `unknownCheckingProxy`, a `notApplicable` that throws,
 * stack resources linked to their parents and dependencies), config with the schema's defaults.
 * Policies are indexed by resource type, so each resource meets only the policies that apply to it.
 */
import type { EnforcementLevel, PolicyResource } from "@pulumi/policy";
import type { EhealthPolicy, EhealthResourcePolicy } from "../../policy-pack/policies";
import type { ExemptedFinding } from "../../policy-pack/policies/lib/exemptions";
import type { ResourceRecord } from "../engine";
import {
  EMPTY_TAGS,
  NotApplicable,
  ProviderResource,
  ResourceArgs,
  RunResource,
  PolicyExtras,
  StackResource,
  UnknownValueError,
  holdsUnknown,
  notApplicable,
  propsFor,
} from "./resources";

export { propsFor };

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
  /**
   * What the reports need to know of the pack that ran (an evaluation worker sends it with its
   * answer), so that the process that reports never loads the pack's code itself.
   */
  readonly pack?: readonly PackPolicy[];
}

/**
 * A policy as the plan's reports and its config check read it: its name, levels, citations and
 * the settings its config takes. Plain data, so that a worker can send it.
 */
export interface PackPolicy {
  readonly name: string;
  readonly enforcementLevel?: EnforcementLevel;
  readonly meta: Pick<EhealthPolicy["meta"], "enforcementLevel" | "hipaa">;
  readonly configSchema?: { readonly properties?: Readonly<Record<string, unknown>> };
}

/** The pack as data: names, levels, citations and the names of the settings each config takes. */
export function packSummary(policies: readonly EhealthPolicy[]): PackPolicy[] {
  return policies.map((p) => ({
    name: p.name,
    enforcementLevel: p.enforcementLevel,
    meta: { enforcementLevel: p.meta.enforcementLevel, hipaa: [...p.meta.hipaa] },
    configSchema: {
      properties: Object.fromEntries(
        Object.keys(p.configSchema?.properties ?? {}).map((key) => [key, {}]),
      ),
    },
  }));
}

export interface RunOptions {
  /** The day exemptions are judged against. @default now */
  readonly now?: Date;
  /**
   * Give each stack policy its own array of the stack's resources, as the CrossGuard engine does
   * (it deserializes the stack again for each policy), so that no index a policy memoizes per
   * array (Topology.of, Buckets.of, allIngress, ...) is shared with another policy.
   * @default false: one array a run, and each index built once for all the stack policies
   */
  readonly isolateStackPolicies?: boolean;
}

export type PackConfig = Readonly<Record<string, unknown>>;

/** The level a policy's config entry (or the `all` entry) sets, as a string or in an object. */
function pickLevel(c: unknown): string | undefined {
  return typeof c === "string"
    ? c
    : (c as { enforcementLevel?: string } | undefined)?.enforcementLevel;
}

function levelOf(policy: EhealthPolicy, config: PackConfig): EnforcementLevel {
  return (pickLevel(config[policy.name]) ??
    pickLevel(config.all) ??
    policy.enforcementLevel ??
    "advisory") as EnforcementLevel;
}

/** Each stack policy's types without repeats, for counting the resources it judged. */
const uniqueTypes = new WeakMap<EhealthPolicy, readonly string[]>();

function typesOf(policy: EhealthPolicy): readonly string[] {
  let types = uniqueTypes.get(policy);
  if (!types) {
    types = [...new Set(policy.resourceTypes)];
    uniqueTypes.set(policy, types);
  }
  return types;
}

/** A copy of a JSON value (a schema default), so that no policy can change the next run's. */
function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value))
    out[key] = cloneJson((value as Record<string, unknown>)[key]);
  return out;
}

/** A policy's configuration as the engine hands it over: schema defaults, then the file's values. */
export function policyConfig(policy: EhealthPolicy, config: PackConfig): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
    if (schema && typeof schema === "object" && "default" in schema)
      defaults[key] = cloneJson(schema.default);
  }
  const own = config[policy.name];
  const values = own && typeof own === "object" ? { ...(own as Record<string, unknown>) } : {};
  delete values.enforcementLevel;
  return { ...defaults, ...values };
}

function findingOf(
  policy: EhealthPolicy,
  level: EnforcementLevel,
  urn: string | null,
  message: string,
): Finding {
  return {
    policy: policy.name,
    enforcementLevel: level === "mandatory" || level === "remediate" ? "mandatory" : "advisory",
    severity: policy.severity ?? "medium",
    urn,
    message,
    hipaa: policy.meta.hipaa,
  };
}

/**
 * One policy as a run applies it: its level, its config (built when first read, then the same
 * object for every later read of the run: most policies read it only to exempt a finding) and its
 * extras. A class with methods, and one report function for all its calls: the run creates no
 * closure per policy or per call (tsx's keepNames names each closure it creates with
 * Object.defineProperty, seen in a heap profile of the pack's passes).
 */
class Active implements PolicyExtras {
  private built: Record<string, unknown> | undefined;
  /**
   * The resource the policy is judging, whose findings `report` records: checks are synchronous
   * and report before they return, so the next call may move it.
   */
  urn: string | null = null;
  readonly report: (message: string) => void;

  constructor(
    readonly policy: EhealthPolicy,
    readonly index: number,
    readonly level: EnforcementLevel,
    private readonly config: PackConfig,
    readonly now: Date | undefined,
    private readonly exempted: Exempted[],
    findings: Finding[],
  ) {
    this.report = reporterOf(this, findings);
  }

  getConfig<T>(): T {
    return (this.built ??= policyConfig(this.policy, this.config)) as T;
  }

  reportExempted(f: ExemptedFinding): void {
    this.exempted.push({
      policy: this.policy.name,
      urn: f.urn,
      message: f.message,
      reason: f.exemption.reason ?? "",
      expires: f.exemption.expires ?? null,
    });
  }
}

function reporterOf(p: Active, findings: Finding[]): (message: string) => void {
  return function (message: string) {
    findings.push(findingOf(p.policy, p.level, p.urn, message));
  };
}

/**
 * Resources judged, by policy index; `counted` keeps the order in which policies first judged one.
 * A class rather than closures of the run: tsx names each closure it creates (keepNames) with
 * Object.defineProperty, which a heap profile of the pack's passes showed on every run.
 */
class Tally {
  readonly counts: number[];
  private readonly seen: boolean[];
  readonly counted: number[] = [];

  constructor(policies: number) {
    this.counts = new Array<number>(policies).fill(0);
    this.seen = new Array<boolean>(policies).fill(false);
  }

  count(index: number, judged: number): void {
    if (!this.seen[index]) {
      this.seen[index] = true;
      this.counted.push(index);
    }
    this.counts[index] += judged;
  }
}

/**
 * A policy's call that threw: as the engine does, a value unknown until apply makes the policy
 * advisory for this run (and the resources count as judged); not-applicable is no finding; any
 * other error is the policy's own and ends the run.
 */
function failed(
  findings: Finding[],
  tally: Tally,
  p: Active,
  urn: string | null,
  err: unknown,
  judged: number,
): void {
  if (err instanceof UnknownValueError) {
    const { policy, level } = p;
    findings.push({
      ...findingOf(
        policy,
        level,
        urn,
        `can't run ${policy.name} during preview: ${(err as Error).message}`,
      ),
      enforcementLevel: "advisory",
    });
    tally.count(p.index, judged);
  } else if (!(err instanceof NotApplicable)) {
    throw err;
  }
}

export function runPolicies(
  resources: readonly ResourceRecord[],
  policies: readonly EhealthPolicy[],
  config: PackConfig = {},
  runOptions: RunOptions = {},
): PolicyRun {
  const findings: Finding[] = [];
  const exempted: Exempted[] = [];
  const tally = new Tally(policies.length);
  const active: Active[] = [];
  policies.forEach((policy, index) => {
    const level = levelOf(policy, config);
    if (level === "disabled") return;
    active.push(new Active(policy, index, level, config, runOptions.now, exempted, findings));
  });

  const byType = new Map<string, Active[]>();
  for (const entry of active) {
    if (entry.policy.kind !== "resource") continue;
    for (const type of entry.policy.resourceTypes) {
      const list = byType.get(type) ?? [];
      list.push(entry);
      byType.set(type, list);
    }
  }
  const everyType = byType.get("*") ?? [];
  // The policies of each type, those of every type after them: one list per type and run.
  const applicableByType = new Map<string, Active[]>();

  // Each resource's provider, as the engine passes it: type, props (its inputs), URN and name.
  const providers = new Map<string, ProviderResource>();
  for (const p of resources) {
    if (p.type.startsWith("pulumi:providers:"))
      providers.set(`${p.urn}::${p.id ?? ""}`, {
        type: p.type,
        props: propsFor(p.inputs),
        urn: p.urn,
        name: p.name,
      });
  }

  // What the resource and stack loops share about each custom resource, computed once a run:
  // its provider, whether its inputs hold a value unknown until apply, and its props.
  const custom: RunResource[] = [];
  for (const r of resources) {
    if (!r.custom) continue;
    const provider = r.provider ? providers.get(r.provider) : undefined;
    custom.push(new RunResource(r, provider, holdsUnknown(r.inputs)));
  }

  for (const resource of custom) {
    const r = resource.record;
    let applicable = applicableByType.get(r.type);
    if (applicable === undefined) {
      const own = byType.get(r.type);
      applicable = own ? [...own, ...everyType] : everyType;
      applicableByType.set(r.type, applicable);
    }
    if (applicable.length === 0) continue;
    // Policies only read their arguments, and only during their call: one arguments object a
    // resource, its extras moved to the policy being called.
    const shared = new ResourceArgs(resource, applicable[0]);
    const args = shared as unknown as Parameters<EhealthResourcePolicy["validateResource"]>[0];
    for (const p of applicable) {
      const { policy } = p;
      if (policy.kind !== "resource") continue;
      shared.extras = p;
      p.urn = r.urn;
      try {
        policy.validateResource(args, p.report);
        tally.count(p.index, 1);
      } catch (err) {
        failed(findings, tally, p, r.urn, err, 1);
      }
    }
  }

  const stackPolicies = active.filter((p) => p.policy.kind === "stack");
  if (stackPolicies.length) {
    const linked = new Map<string, PolicyResource>();
    const all: PolicyResource[] = [];
    const customByType = new Map<string, number>();
    for (const resource of custom) {
      const r = resource.record;
      customByType.set(r.type, (customByType.get(r.type) ?? 0) + 1);
      const res = new StackResource(resource, linked) as unknown as PolicyResource;
      // A later resource with the same URN replaces an earlier one, as a map keyed by URN does.
      if (!linked.has(r.urn)) all.push(res);
      else all[all.indexOf(linked.get(r.urn)!)] = res;
      linked.set(r.urn, res);
    }
    for (const p of stackPolicies) {
      const { policy } = p;
      if (policy.kind !== "stack") continue;
      let judged = 0;
      if (policy.resourceTypes.length) {
        for (const type of typesOf(policy)) judged += customByType.get(type) ?? 0;
      } else {
        judged = custom.length;
      }
      try {
        policy.validateStack(
          {
            resources: runOptions.isolateStackPolicies ? [...all] : all,
            // Detached, as the engine's: a stack policy passes them on (lib/policy.ts).
            getConfig: () => p.getConfig(),
            stackTags: EMPTY_TAGS,
            notApplicable,
            now: p.now,
            reportExempted: (f: ExemptedFinding) => p.reportExempted(f),
          } as Parameters<typeof policy.validateStack>[0],
          (message: string, urn?: string) =>
            findings.push(findingOf(policy, p.level, urn ?? null, message)),
        );
        tally.count(p.index, judged);
      } catch (err) {
        failed(findings, tally, p, null, err, judged);
      }
    }
  }
  const checked: Record<string, number> = {};
  for (const index of tally.counted) checked[policies[index].name] = tally.counts[index];
  return { violations: findings, exempted, checked };
}
