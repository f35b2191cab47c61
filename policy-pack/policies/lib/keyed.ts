/**
 * The common shape of "encrypted with a customer-managed key": each resource type lists the
 * properties that must name one (and whether encryption itself is on), and every one of them is
 * judged by keyProblem.
 */
import { keyProblem } from "./keys";
import { ENCRYPTION_AT_REST, ENCRYPTION_REASON } from "./levels";
import { EhealthResourcePolicy, HipaaCitation, ResourceCheck, resourcePolicy } from "./policy";
import { Props } from "./props";

/** What one resource must name: a key property and its value, or a plain problem. */
export type KeyRequirement =
  { readonly property: string; readonly value: unknown } | { readonly problem: string };

export interface KeyedStore {
  readonly name: string;
  readonly description: string;
  /** Resource type token to the key properties (or plain problems) of one resource. */
  readonly types: Readonly<Record<string, (props: Props, name: string) => KeyRequirement[]>>;
  readonly remediationSteps: string;
  readonly severity?: "medium" | "high";
  readonly extraCitations?: readonly HipaaCitation[];
  /** Why mandatory, when the store's case is more specific than encryption at rest in general. */
  readonly levelReason?: string;
}

/** One key property, read as is. */
export const keyAt =
  (property: string) =>
  (props: Props): KeyRequirement[] => [{ property, value: props[property] }];

export function keyedStorePolicy(store: KeyedStore): EhealthResourcePolicy {
  const checks: Record<string, ResourceCheck> = {};
  for (const [type, requirements] of Object.entries(store.types)) {
    checks[type] = (r, report) => {
      for (const req of requirements(r.props, r.name)) {
        const problem =
          "problem" in req ? req.problem : keyProblem(r.name, req.property, req.value);
        if (problem) report(problem);
      }
    };
  }
  return resourcePolicy(
    {
      name: store.name,
      description: store.description,
      enforcementLevel: "mandatory",
      severity: store.severity ?? "high",
      hipaa: [...ENCRYPTION_AT_REST, ...(store.extraCitations ?? [])],
      remediationSteps: store.remediationSteps,
      levelReason: store.levelReason ?? ENCRYPTION_REASON,
    },
    checks,
  );
}
