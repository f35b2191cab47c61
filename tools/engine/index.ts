/**
 * The offline engine shared by the tests and the plan command: evaluates this project's stacks (or
 * any Pulumi TypeScript program) on Pulumi's mock runtime, each in its own worker.
 */
import * as path from "node:path";
import { Evaluation, EvaluationRequest } from "./evaluate";
import { stackReferencesFor } from "./peers";
import { discoverStacks, entryOf, loadProjectFile } from "./project";
import { loadStackConfig } from "./stack-config";
import { evaluateInWorker } from "./worker";

export { Evaluation, EvaluationError, EvaluationRequest, describeError } from "./evaluate";
export { MOCK_ACCOUNT_ID, PlatformMocks } from "./mocks";
export { ResourceRecord } from "./recorder";
export { Recorder } from "./recorder";
export { StackConfigFileError, loadProjectFile, loadStackConfig } from "./stack-config";
export { discoverStacks, entryOf, locateProgram } from "./project";
export { policyDocument } from "./policy-document";
export { replicationOutputs } from "./peers";
export { EvaluationPool, evaluateInWorker } from "./worker";

/** The repository root (where Pulumi.yaml is). */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** This project's stacks, one per Pulumi.<stack>.yaml (discovered, never listed). */
export const STACKS: readonly string[] = discoverStacks(loadProjectFile(PROJECT_DIR)).map(
  (s) => s.stack,
);

export interface StackEvaluationOptions extends Partial<
  Omit<EvaluationRequest, "project" | "stack" | "program" | "config">
> {
  /** Config values to set or override on top of the stack file (tests use it for bad config). */
  readonly overrides?: Readonly<Record<string, string | undefined>>;
  /** A different stack file. @default Pulumi.<stack>.yaml */
  readonly configFile?: string;
}

/** The request that evaluates one of this project's stacks as `pulumi preview` would run it. */
export function stackRequest(
  stack: string,
  options: StackEvaluationOptions = {},
): EvaluationRequest {
  const project = loadProjectFile(PROJECT_DIR);
  const config = loadStackConfig(
    options.configFile ?? path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`),
    project,
  );
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) delete config[key];
    else config[key] = value;
  }
  return {
    ...options,
    mocks: { stackReferences: stackReferencesFor(PROJECT_DIR, config), ...options.mocks },
    program: entryOf(project),
    project: project.name,
    stack,
    config,
  };
}

/** Evaluates one of this project's stacks in its own worker. */
export function evaluateStack(
  stack: string,
  options: StackEvaluationOptions = {},
): Promise<Evaluation> {
  return evaluateInWorker(stackRequest(stack, options));
}
