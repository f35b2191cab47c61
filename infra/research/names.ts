/**
 * How research enclaves are named, in a module with no dependency: the component, the stack
 * configuration (which refuses an identifier too long for its stack) and the offline engine
 * (which answers the primary's stack reference with the secondary's enclave buckets) agree on it.
 */

/** The longest enclave name whose buckets still fit S3's 63 characters (name, suffix, random). */
export const MAX_ENCLAVE_NAME = 47;

/** The buckets of study data, by their name's suffix; the trail records every object access. */
export const ENCLAVE_DATA_BUCKETS = ["data-in", "output"] as const;

/** The enclave of a study in a stack: `<project>-<stack>-research-<id>`. */
export function enclaveName(stackPrefix: string, id: string): string {
  return `${stackPrefix}-research-${id}`;
}
