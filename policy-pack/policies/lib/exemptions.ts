/**
 * Per-resource exemptions, from each policy's config (`--policy-pack-config`):
 *
 *   "s3-bucket-enable-replication": {
 *     "exemptions": [{ "resource": "*scratch*", "reason": "scratch data, no PHI", "expires": "2027-03-31" }]
 *   }
 *
 * `resource` is a URN or a name, with `*` and `?` wildcards. An exemption without a reason is
 * refused (the schema makes the CLI reject it, and the runner reports the finding anyway); an
 * expired one stops exempting, and the finding says since when.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";

type PolicyConfigJSONSchema = PolicyConfigSchema["properties"][string];

export interface Exemption {
  readonly resource: string;
  readonly reason?: string;
  /** Last day the exemption holds, YYYY-MM-DD. */
  readonly expires?: string;
}

/** What a runner learns about a finding that an exemption silenced. */
export interface ExemptedFinding {
  readonly urn: string | null;
  readonly message: string;
  readonly exemption: Exemption;
}

/**
 * Extra, optional members of the engine's arguments that the offline runner passes: a clock and a
 * channel for exempted findings. The CrossGuard engine passes neither; exempted findings are then
 * simply not reported.
 */
export interface RunnerExtras {
  readonly now?: Date;
  readonly reportExempted?: (finding: ExemptedFinding) => void;
}

export const EXEMPTIONS_SCHEMA: PolicyConfigJSONSchema = {
  type: "array",
  default: [],
  items: {
    type: "object",
    properties: {
      resource: { type: "string", minLength: 1 },
      reason: { type: "string", minLength: 1 },
      expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    },
    required: ["resource", "reason"],
  },
};

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

export function matchesExemption(
  exemption: Exemption,
  urn: string | null,
  name: string | undefined,
): boolean {
  const pattern = globToRegExp(exemption.resource);
  return (urn !== null && pattern.test(urn)) || (name !== undefined && pattern.test(name));
}

/** The last instant an exemption holds: the end of its `expires` day, UTC. */
function expiry(exemption: Exemption): number | undefined {
  return exemption.expires ? Date.parse(`${exemption.expires}T23:59:59.999Z`) : undefined;
}

/**
 * Decides a finding: reported as is, reported with why its exemption does not hold, or exempted.
 * Returns the message to report, or undefined when an exemption silences it.
 */
export function applyExemptions(
  message: string,
  urn: string | null,
  name: string | undefined,
  exemptions: readonly Exemption[] | undefined,
  extras: RunnerExtras,
): string | undefined {
  const exemption = (exemptions ?? []).find((e) => matchesExemption(e, urn, name));
  if (!exemption) return message;
  if (!exemption.reason || exemption.reason.trim() === "") {
    return `${message} (the exemption for "${exemption.resource}" is ignored: it gives no reason)`;
  }
  const until = expiry(exemption);
  if (
    until !== undefined &&
    (Number.isNaN(until) || until < (extras.now ?? new Date()).getTime())
  ) {
    return `${message} (the exemption for "${exemption.resource}" expired on ${exemption.expires}: ${exemption.reason})`;
  }
  extras.reportExempted?.({ urn, message, exemption });
  return undefined;
}
