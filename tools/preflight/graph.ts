/**
 * A program's recorded resources as a graph the rules can ask questions of: what a value refers to
 * (ids, ARNs and names resolve to the resource that owns them, the mock engine gives every resource
 * AWS-shaped ones), which region a resource's provider targets, whether one resource waits for
 * another, and the physical name AWS will see.
 */
import { MOCK_ACCOUNT_ID } from "../engine/mocks";
import type { ResourceRecord } from "../engine/recorder";
import type { PreflightInput } from "./types";

/** Output fields that name a resource to others (what other resources' inputs carry). */
const IDENTIFYING = ["id", "arn", "name", "bucket", "keyId", "url", "identifier"] as const;

export type Res = ResourceRecord;

export function isString(v: unknown): v is string {
  return typeof v === "string" && v.length > 0;
}

/** A plain object input (a block such as `metadataOptions`), or an empty one. */
export function block(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) return block(v[0]);
  return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
}

/**
 * A policy document input as IAM receives it: a JSON string, or (where the provider accepts one)
 * a `PolicyDocument` object, which the provider serializes to JSON.
 */
export function policyText(v: unknown): string | undefined {
  if (isString(v)) return v;
  if (v && typeof v === "object" && !Array.isArray(v)) return JSON.stringify(v);
  return undefined;
}

export function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** The short name of a resource for messages: its logical name and type. */
export function label(r: Res): string {
  return `${r.name} (${r.type.split(":").pop()})`;
}

export class ProgramGraph {
  readonly stack: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition = "aws";
  readonly resources: readonly Res[];
  private readonly byUrn = new Map<string, Res>();
  private readonly byValue = new Map<string, Res[]>();
  private readonly byType = new Map<string, Res[]>();
  private readonly providerRegion = new Map<string, string>();
  private readonly providerTags = new Map<string, Record<string, string>>();
  private readonly closure = new Map<string, Set<string>>();
  /** By tag key and value, the provider-managed resources that carry it, built on first use. */
  private tagIndex?: Map<string, Map<string, Res[]>>;
  /** By type and input key, the resources of the type by the resource the input refers to. */
  private readonly referrers = new Map<string, Map<Res | undefined, Res[]>>();
  /** The resources under each component, by its URN, built on the first `dependsOn`. */
  private childrenByParent?: Map<string, Res[]>;

  constructor(input: PreflightInput) {
    this.stack = input.stack;
    this.region = input.region;
    this.accountId = input.accountId ?? programAccount(input.resources) ?? MOCK_ACCOUNT_ID;
    this.resources = input.resources;
    for (const r of input.resources) {
      this.byUrn.set(r.urn, r);
      const same = this.byType.get(r.type) ?? [];
      same.push(r);
      this.byType.set(r.type, same);
      if (r.type.startsWith("pulumi:providers:")) {
        const region = r.inputs.region;
        if (isString(region) && r.id) this.providerRegion.set(`${r.urn}::${r.id}`, region);
        const tags = providerDefaultTags(r.inputs.defaultTags);
        if (r.id && Object.keys(tags).length) this.providerTags.set(`${r.urn}::${r.id}`, tags);
        continue;
      }
      if (!r.custom) continue;
      for (const key of IDENTIFYING) {
        const v = key === "id" ? r.id : r.outputs[key];
        if (isString(v)) this.index(v, r);
      }
      if (r.type === "aws:kms/alias:Alias" && isString(r.inputs.name))
        this.index(String(r.inputs.name), r);
    }
  }

  private index(value: string, r: Res): void {
    const same = this.byValue.get(value) ?? [];
    if (!same.includes(r)) same.push(r);
    this.byValue.set(value, same);
  }

  get(urn: string | null | undefined): Res | undefined {
    return urn ? this.byUrn.get(urn) : undefined;
  }

  ofType(...types: string[]): Res[] {
    return types.flatMap((t) => this.byType.get(t) ?? []);
  }

  /** The resource a value (id, ARN, name; an ARN with a `:*` suffix) refers to, if the program owns it. */
  find(value: unknown, type?: string): Res | undefined {
    if (!isString(value)) return undefined;
    const candidates = this.byValue.get(value) ?? this.byValue.get(value.replace(/:\*$/, "")) ?? [];
    if (type === "aws:kms/key:Key") {
      const alias = candidates.find((c) => c.type === "aws:kms/alias:Alias");
      if (alias && !candidates.some((c) => c.type === type))
        return this.find(alias.inputs.targetKeyId, type);
    }
    // A name can be shared by resources of different types (a role and a function): an ARN or id
    // is unique, a name is resolved by the type the caller expects, else the first registered.
    return type ? candidates.find((c) => c.type === type) : candidates[0];
  }

  /** The KMS key of the program a key id, key ARN, alias name or alias ARN refers to. */
  key(value: unknown): Res | undefined {
    return this.find(value, "aws:kms/key:Key");
  }

  /** An input, or (for what the provider computes) the output. */
  attr(r: Res, key: string): unknown {
    return r.inputs[key] ?? r.outputs[key];
  }

  /** The region of the provider that manages the resource. */
  regionOf(r: Res): string {
    if (isString(r.inputs.region)) return r.inputs.region;
    return (r.provider && this.providerRegion.get(r.provider)) || this.region;
  }

  /**
   * The ARN of a resource; for IAM roles, users and policies with a path, the ARN AWS gives them
   * (`role/<path>/<name>`), which the mock engine leaves out.
   */
  iamArn(r: Res): string {
    const arn = String(r.outputs.arn ?? "");
    const path = r.inputs.path;
    if (!isString(path) || path === "/" || !/^arn:[^:]+:iam::\d*:(role|user|policy)\//.test(arn))
      return arn;
    const [head, kind] = /^(arn:[^:]+:iam::\d*:)(role|user|policy)\//.exec(arn)!.slice(1);
    return `${head}${kind}${path}${arn.split("/").pop()}`;
  }

  arnOf(r: Res): string | undefined {
    const arn = r.outputs.arn;
    return isString(arn) ? arn : undefined;
  }

  /**
   * The name AWS receives: the program's, or Pulumi's autoname (the logical name, a hyphen and
   * seven random characters; lowercased for buckets), which the mock engine also computes.
   */
  physicalName(r: Res, key = "name"): string {
    const given = r.inputs[key];
    if (isString(given)) return given;
    const computed = r.outputs[key];
    if (isString(computed)) return computed;
    return `${key === "bucket" ? r.name.toLowerCase() : r.name}-xxxxxxx`;
  }

  /** Whether the program names the value itself (not Pulumi's autoname). */
  named(r: Res, key = "name"): boolean {
    return isString(r.inputs[key]);
  }

  /** Whether `r` waits for `other` before it is created (its dependencies, transitively). */
  dependsOn(r: Res, other: Res): boolean {
    return this.upstream(r).has(other.urn);
  }

  private upstream(r: Res): Set<string> {
    const cached = this.closure.get(r.urn);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [r.urn];
    while (stack.length) {
      const current = this.byUrn.get(stack.pop()!);
      if (!current) continue;
      const direct = [
        ...current.dependencies,
        ...Object.values(current.propertyDependencies).flat(),
      ];
      for (const d of direct) {
        if (seen.has(d)) continue;
        seen.add(d);
        stack.push(d);
        // Waiting for a component means waiting for everything below it.
        for (const child of this.childrenOf(d)) stack.push(child.urn);
      }
    }
    this.closure.set(r.urn, seen);
    return seen;
  }

  /**
   * The resources whose parent is `urn`, in the program's order: indexed once per graph, where a
   * scan of every resource for each dependency made `dependsOn` grow with the square of the
   * program (the ordering rules ask it for most resources).
   */
  private childrenOf(urn: string): readonly Res[] {
    if (!this.childrenByParent) {
      this.childrenByParent = new Map();
      for (const r of this.resources) {
        if (!r.parent) continue;
        const siblings = this.childrenByParent.get(r.parent);
        if (siblings) siblings.push(r);
        else this.childrenByParent.set(r.parent, [r]);
      }
    }
    return this.childrenByParent.get(urn) ?? [];
  }

  /**
   * Resources of a type whose input `key` refers to `target` (by any of its identifying values),
   * in the program's order; `undefined` gives those whose input refers to no resource of the
   * program. Indexed once per type and key: a scan of every resource of the type for each target
   * made the rules that ask for each bucket or role grow with the square of the program (at 50
   * research enclaves, 158 buckets each scanning 158 settings per question). In a --cpu-prof of
   * that preflight, `find` was the rules' largest own function, 454 ms of self time, 44 ms after.
   */
  referencing(target: Res | undefined, type: string, key: string): Res[] {
    const index = `${type}\n${key}`;
    let byTarget = this.referrers.get(index);
    if (!byTarget) {
      byTarget = new Map();
      for (const r of this.ofType(type)) {
        const found = this.find(r.inputs[key]);
        const same = byTarget.get(found);
        if (same) same.push(r);
        else byTarget.set(found, [r]);
      }
      this.referrers.set(index, byTarget);
    }
    return [...(byTarget.get(target) ?? [])];
  }

  /**
   * The provider-managed resources whose user tags (`tags`) hold `key` with the value `value`, in
   * the program's order. Indexed once per graph: a backup selection by tag scanned every resource
   * of the program, once per selection (an enclave adds one of each).
   */
  taggedWith(key: string, value: string): readonly Res[] {
    if (!this.tagIndex) {
      this.tagIndex = new Map();
      for (const r of this.resources) {
        if (!r.custom) continue;
        for (const [k, v] of Object.entries(this.tags(r))) {
          if (typeof v !== "string") continue;
          let byValue = this.tagIndex.get(k);
          if (!byValue) this.tagIndex.set(k, (byValue = new Map()));
          const same = byValue.get(v);
          if (same) same.push(r);
          else byValue.set(v, [r]);
        }
      }
    }
    return this.tagIndex.get(key)?.get(value) ?? [];
  }

  /**
   * The tags AWS receives: the provider's `defaultTags` merged under the resource's own (a key the
   * resource sets wins), as the provider sends them (`tagsAll`).
   */
  allTags(r: Res): Record<string, string> {
    const defaults = (r.provider && this.providerTags.get(r.provider)) || {};
    return { ...defaults, ...this.tags(r) };
  }

  /** The user tags of a resource (its `tags` map), without the provider's default tags. */
  tags(r: Res): Record<string, string> {
    const t = r.inputs.tags;
    if (Array.isArray(t)) {
      // Auto Scaling groups: a list of { key, value, propagateAtLaunch }.
      return Object.fromEntries(t.map((e) => [String(block(e).key), String(block(e).value ?? "")]));
    }
    return t && typeof t === "object" ? (t as Record<string, string>) : {};
  }
}

/** Condition keys whose value is the account a request comes from or goes to. */
const ACCOUNT_KEYS = new Set([
  "aws:sourceaccount",
  "kms:calleraccount",
  "aws:principalaccount",
  "aws:resourceaccount",
]);

/**
 * The account a program says it deploys into, when it writes its account id in its policies instead
 * of asking for it (`aws.getCallerIdentity`, which the mock engine answers with its own account): the
 * account whose root its KMS key policies name, and the values of its account conditions
 * (aws:SourceAccount, kms:CallerAccount, ...). Undefined when the program names the mock engine's
 * account there, or none, or several: the rules then judge it in the mock engine's account. Without
 * this, a program that hardcodes its account would be judged as if its key and bucket policies named
 * a foreign one.
 */
export function programAccount(resources: readonly Res[]): string | undefined {
  const seen = new Set<string>();
  for (const r of resources) {
    const key = r.type === "aws:kms/key:Key" || r.type === "aws:kms/keyPolicy:KeyPolicy";
    for (const v of Object.values(r.inputs)) {
      const text = policyText(v);
      if (!text || !text.includes("Statement")) continue;
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        continue;
      }
      for (const st of list(block(doc).Statement).map(block)) {
        if (key) {
          for (const p of list(block(st.Principal).AWS).map(String)) {
            const root = /^(?:arn:[^:]+:iam::(\d{12}):root|(\d{12}))$/.exec(p);
            if (root) seen.add(root[1] ?? root[2]);
          }
        }
        for (const entries of Object.values(block(st.Condition))) {
          for (const [k, values] of Object.entries(block(entries))) {
            if (!ACCOUNT_KEYS.has(k.toLowerCase())) continue;
            for (const a of list(values).map(String)) if (/^\d{12}$/.test(a)) seen.add(a);
          }
        }
      }
    }
  }
  if (seen.size !== 1 || seen.has(MOCK_ACCOUNT_ID)) return undefined;
  return [...seen][0];
}

/** A provider's `defaultTags` input: an object, or the JSON string providers record their config as. */
function providerDefaultTags(v: unknown): Record<string, string> {
  let value = v;
  if (isString(value)) {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  const tags = block(value).tags;
  return tags && typeof tags === "object" ? (tags as Record<string, string>) : {};
}

/** Every graph's resource a value refers to, across the programs of an account. */
export function findAcross(
  graphs: readonly ProgramGraph[],
  value: unknown,
  type?: string,
): { graph: ProgramGraph; resource: Res } | undefined {
  for (const graph of graphs) {
    const resource = graph.find(value, type);
    if (resource) return { graph, resource };
  }
  return undefined;
}
