/**
 * What the primary stack reads from its disaster-recovery stack through a StackReference, offline:
 * the outputs the secondary's evaluation produces, computed with the same mocks (ids and ARNs are
 * deterministic), so the two stacks can be evaluated in parallel. A test compares this with the
 * secondary stack's real outputs, so the two cannot drift apart.
 */
import * as path from "node:path";
import { ENCLAVE_DATA_BUCKETS, enclaveName } from "../../infra/research/names";
import { PlatformMocks } from "./mocks";
import { loadProjectFile, loadStackConfig } from "./stack-config";

/** The document buckets the secondary replicates into (infra/data DOCUMENT_BUCKETS). */
const REPLICATED = ["uploads", "images", "results"] as const;

function arnOf(mocks: PlatformMocks, type: string, name: string): string {
  return String(mocks.newResource({ type, name, inputs: {} }).state.arn);
}

/** The research enclaves a stack config declares (infra/research names their buckets). */
function enclaveIds(config: Readonly<Record<string, string>>): string[] {
  try {
    const research = JSON.parse(config["ehealth:research"] ?? "{}") as {
      enclaves?: { id?: unknown }[];
    };
    return (research.enclaves ?? []).map((e) => String(e.id));
  } catch {
    return [];
  }
}

/**
 * The `replication` output of a secondary stack of this project, as its evaluation gives it;
 * `overrides` change its stack file's values, as a test's evaluation of it would.
 */
export function replicationOutputs(
  projectDir: string,
  reference: string,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  const stack = reference.split("/").pop()!;
  const project = loadProjectFile(projectDir);
  const config = {
    ...loadStackConfig(path.join(projectDir, `Pulumi.${stack}.yaml`), project),
    ...overrides,
  };
  const mocks = new PlatformMocks({ region: config["aws:region"] });
  const prefix = `${project.name}-${stack}`;
  const bucket = (name: string) => arnOf(mocks, "aws:s3/bucket:Bucket", name);
  const replicas = REPLICATED.map((kind) => bucket(`${prefix}-replica-${kind}`));
  const research = enclaveIds(config).flatMap((id) =>
    ENCLAVE_DATA_BUCKETS.map((kind) => bucket(`${enclaveName(prefix, id)}-${kind}`)),
  );
  return {
    replication: {
      buckets: Object.fromEntries(REPLICATED.map((kind, i) => [kind, replicas[i]])),
      keyArn: arnOf(mocks, "aws:kms/key:Key", `${prefix}-phi`),
      backupVaultArn: arnOf(mocks, "aws:backup/vault:Vault", prefix),
      phiBucketArns: [
        ...REPLICATED.map((kind) => bucket(`${prefix}-${kind}`)),
        ...replicas,
        ...research,
      ],
    },
  };
}

/** The stack references a stack config asks for, answered from this project's stacks. */
export function stackReferencesFor(
  projectDir: string,
  config: Readonly<Record<string, string>>,
): Record<string, Record<string, unknown>> {
  const reference = config["ehealth:replicationStack"];
  if (!reference || config["ehealth:primary"] !== "true") return {};
  try {
    return { [reference]: replicationOutputs(projectDir, reference) };
  } catch {
    // No such stack file here: the program's own config check names the problem.
    return {};
  }
}
