/**
 * The resources of a stack by type, in the stack's order. The stack is grouped once per resources
 * array, and the groups are shared by every policy of a run that reads it (the offline runner hands
 * them one array; under the engine each policy has its own): before, each stack policy filtered
 * every resource of the stack for each type it reads.
 */
import type { PolicyResource } from "@pulumi/policy";

interface Groups {
  readonly byType: Map<string, PolicyResource[]>;
  /** Each resource's position in the stack, to merge groups back into its order (built if asked). */
  positions?: Map<PolicyResource, number>;
}

const grouped = new WeakMap<readonly PolicyResource[], Groups>();

function groupsOf(resources: readonly PolicyResource[]): Groups {
  let groups = grouped.get(resources);
  if (!groups) {
    const byType = new Map<string, PolicyResource[]>();
    for (const r of resources) {
      const list = byType.get(r.type);
      if (list) list.push(r);
      else byType.set(r.type, [r]);
    }
    groups = { byType };
    grouped.set(resources, groups);
  }
  return groups;
}

/**
 * The resources of one type, in the stack's order: the group itself, shared by every caller of the
 * run, which must not change it (indexes hand it out as their own per-type lists did).
 */
export function groupOf(resources: readonly PolicyResource[], type: string): PolicyResource[] {
  return groupsOf(resources).byType.get(type) ?? [];
}

/**
 * The resources of these types, in the stack's order: what `resources.filter((r) =>
 * types.includes(r.type))` returns, as a new array.
 */
export function ofType(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
  const groups = groupsOf(resources);
  const present: PolicyResource[][] = [];
  for (const t of new Set(types)) {
    const list = groups.byType.get(t);
    if (list) present.push(list);
  }
  if (present.length === 0) return [];
  if (present.length === 1) return present[0].slice();
  if (!groups.positions) {
    groups.positions = new Map();
    for (let i = 0; i < resources.length; i++) groups.positions.set(resources[i], i);
  }
  const at = groups.positions;
  return present.flat().sort((a, b) => at.get(a)! - at.get(b)!);
}
