/**
 * The resources of a stack by type, in the stack's order. The stack is grouped once per resources
 * array, and the groups are shared by every policy of a run that reads it (the offline runner hands
 * them one array; under the engine each policy has its own): before, each stack policy filtered
 * every resource of the stack for each type it reads.
 */
import type { PolicyResource } from "@pulumi/policy";

interface Groups {
  readonly resources: Map<string, PolicyResource[]>;
  /** Each group's positions in the stack, to merge groups back into the stack's order. */
  readonly positions: Map<string, number[]>;
}

const grouped = new WeakMap<readonly PolicyResource[], Groups>();

function groupsOf(resources: readonly PolicyResource[]): Groups {
  let groups = grouped.get(resources);
  if (!groups) {
    groups = { resources: new Map(), positions: new Map() };
    for (let i = 0; i < resources.length; i++) {
      const r = resources[i];
      const list = groups.resources.get(r.type);
      if (list) {
        list.push(r);
        groups.positions.get(r.type)!.push(i);
      } else {
        groups.resources.set(r.type, [r]);
        groups.positions.set(r.type, [i]);
      }
    }
    grouped.set(resources, groups);
  }
  return groups;
}

/**
 * The resources of these types, in the stack's order: what `resources.filter((r) =>
 * types.includes(r.type))` returns, as a new array.
 */
export function ofType(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
  const groups = groupsOf(resources);
  const present = [...new Set(types)].filter((t) => groups.resources.has(t));
  if (present.length === 0) return [];
  if (present.length === 1) return groups.resources.get(present[0])!.slice();
  const at: [number, PolicyResource][] = [];
  for (const t of present) {
    const list = groups.resources.get(t)!;
    const positions = groups.positions.get(t)!;
    for (let i = 0; i < list.length; i++) at.push([positions[i], list[i]]);
  }
  return at.sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}
