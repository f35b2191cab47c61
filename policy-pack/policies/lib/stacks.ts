/**
 * What a stack is, from what the program declares: its environment and whether it is the primary
 * (the stack that owns account-wide singletons and replicates to the others). Both are read from
 * the default tags of the stack's AWS provider (this project's stacks set `Environment` and
 * `Primary` there), else from the resource's own tags. Policy config selects stacks by these
 * properties, so a new production stack gets production rules without naming it anywhere.
 */
import type { PolicyConfigSchema, PolicyResource } from "@pulumi/policy";
import { obj, readEvery, tagsOf } from "./props";

export interface StackSelector {
  /** Environments (case-insensitive) the rule applies to; empty: every environment. */
  readonly environments?: string[];
  /** true: primary stacks only; false: secondary only; absent: either. */
  readonly primary?: boolean;
}

export const SELECTOR_SCHEMA: PolicyConfigSchema["properties"][string] = {
  type: "object",
  properties: {
    environments: { type: "array", items: { type: "string" } },
    primary: { type: "boolean" },
  },
  additionalProperties: false,
  default: {},
};

const parsedTags = new Map<string, Record<string, string>>();

function providerTags(r: PolicyResource): Record<string, string> {
  const raw = r.provider?.props.defaultTags;
  if (typeof raw === "string") {
    const known = parsedTags.get(raw);
    if (known) return known;
  }
  const tags = parseTags(raw);
  if (typeof raw === "string" && parsedTags.size < 1_000) parsedTags.set(raw, tags);
  return tags;
}

function parseTags(raw: unknown): Record<string, string> {
  let parsed: unknown = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
  }
  return (obj(obj(parsed)?.tags) as Record<string, string> | undefined) ?? {};
}

function tag(tags: Record<string, string>, key: string): string | undefined {
  const wanted = key.toLowerCase();
  readEvery(tags);
  for (const k in tags) if (k.toLowerCase() === wanted) return String(tags[k]);
  return undefined;
}

export interface StackProperties {
  readonly environment?: string;
  readonly primary?: boolean;
}

/** A resource's stack properties: its provider's default tags, then its own tags. */
export function propertiesOf(r: PolicyResource): StackProperties {
  const own = tagsOf(r.props) as Record<string, string>;
  const fromProvider = providerTags(r);
  const env = tag(fromProvider, "Environment") ?? tag(own, "Environment");
  const primary = tag(fromProvider, "Primary") ?? tag(own, "Primary");
  return {
    environment: env,
    primary: primary === undefined ? undefined : primary.toLowerCase() === "true",
  };
}

const stackMemo = new WeakMap<readonly PolicyResource[], StackProperties>();

/** The stack's properties: the first resource that tells (memoized per run). */
export function stackProperties(resources: readonly PolicyResource[]): StackProperties {
  let p = stackMemo.get(resources);
  if (!p) {
    p = readStackProperties(resources);
    stackMemo.set(resources, p);
  }
  return p;
}

function readStackProperties(resources: readonly PolicyResource[]): StackProperties {
  let environment: string | undefined;
  let primary: boolean | undefined;
  for (const r of resources) {
    const p = propertiesOf(r);
    environment ??= p.environment;
    primary ??= p.primary;
    if (environment !== undefined && primary !== undefined) break;
  }
  return { environment, primary };
}

/**
 * Whether a selector picks a stack (or resource) with these properties. A property the program
 * does not tell never excludes it: an unknown stack is judged by the stricter rule.
 */
export function selects(selector: StackSelector | undefined, p: StackProperties): boolean {
  const envs = selector?.environments ?? [];
  if (envs.length && p.environment !== undefined) {
    if (!envs.some((e) => e.toLowerCase() === p.environment!.toLowerCase())) return false;
  }
  if (envs.length && p.environment === undefined) return false;
  if (selector?.primary !== undefined && p.primary !== undefined && selector.primary !== p.primary)
    return false;
  return true;
}
