/**
 * The common shape of "encrypted with a customer-managed key": one property must name a KMS key.
 * Policies of single-property services are declared through this, one per service.
 */
import { ENCRYPTION_AT_REST, ENCRYPTION_REASON } from "./levels";
import { EhealthResourcePolicy, HipaaCitation, resourcePolicy } from "./policy";
import { nonEmpty } from "./props";

export interface KeyedStore {
  readonly name: string;
  readonly description: string;
  /** Resource type token to the property that must name the key. */
  readonly types: Readonly<Record<string, string>>;
  /** What happens without it, after "<name> ". */
  readonly without: string;
  readonly severity?: "medium" | "high";
  readonly extraCitations?: readonly HipaaCitation[];
  /** Why mandatory, when the store's case is more specific than encryption at rest in general. */
  readonly levelReason?: string;
}

export function keyedStorePolicy(store: KeyedStore): EhealthResourcePolicy {
  const checks = Object.fromEntries(
    Object.entries(store.types).map(([type, property]) => [
      type,
      (r: { name: string; props: Record<string, unknown> }, report: (m: string) => void) => {
        if (!nonEmpty(r.props[property])) {
          report(
            `${r.name} ${store.without}: set ${property} to the ARN of a customer-managed KMS key`,
          );
        }
      },
    ]),
  );
  return resourcePolicy(
    {
      name: store.name,
      description: store.description,
      enforcementLevel: "mandatory",
      severity: store.severity ?? "high",
      hipaa: [...ENCRYPTION_AT_REST, ...(store.extraCitations ?? [])],
      remediationSteps: `Set ${[...new Set(Object.values(store.types))].join(" / ")} to a customer-managed KMS key (the PHI, logs or backups key of the platform).`,
      levelReason: store.levelReason ?? ENCRYPTION_REASON,
    },
    checks,
  );
}
