/**
 * How research enclaves are named, in a module with no dependency: the component, the stack
 * configuration (which refuses an identifier too long for its stack) and the offline engine
 * (which answers the primary's stack reference with the secondary's enclave buckets) agree on it.
 */

/**
 * The longest enclave name whose derived names AWS still accepts, Pulumi's autonaming suffix
 * (`-` and 7 characters) included. The backup vault is named after the enclave alone and AWS allows
 * it 50 characters (`^[a-zA-Z0-9\-\_]{2,50}$`, "CreateBackupVault", AWS Backup API Reference,
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html): 50 - 8 = 42.
 * The others fit then too: the flow-log role `<name>-flow-logs-xxxxxxx` its 64 ("IAM and AWS STS
 * quotas"), the buckets `<name>-data-in-xxxxxxx` S3's 63.
 */
export const MAX_ENCLAVE_NAME = 42;

/** The buckets of study data, by their name's suffix; the trail records every object access. */
export const ENCLAVE_DATA_BUCKETS = ["data-in", "output"] as const;

/** The enclave of a study in a stack: `<project>-<stack>-research-<id>`. */
export function enclaveName(stackPrefix: string, id: string): string {
  return `${stackPrefix}-research-${id}`;
}
