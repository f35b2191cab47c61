/**
 * What the plan is asked to evaluate, checked before any worker starts: the program and its
 * project, the stacks (every Pulumi.<stack>.yaml of the project, or the one --stack or --config
 * names), their configuration, the --mocks file. Every problem is a PlanInputError with one line.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { MockFile, loadMockFile } from "../engine/mock-file";
import { stackReferencesFor } from "../engine/peers";
import {
  ProjectFile,
  discoverStacks,
  loadProjectFile,
  locateProgram,
  stackOfConfigFile,
  workingDirectory,
} from "../engine/project";
import { loadStackConfig, stackConfig } from "../engine/stack-config";
import type { EvaluationRequest } from "../engine/types";
import { StackConfigFileError, shown } from "../engine/yaml";

export {
  DEFAULT_POLICY_CONFIG,
  PlanInputError,
  checkPolicyConfig,
  loadPolicyConfig,
  readPolicyConfig,
} from "./policy-config";
import { PlanInputError } from "./policy-config";

/** The repository root (where this project's Pulumi.yaml is). */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");
/** This repository's stacks, as discovered from its Pulumi.<stack>.yaml files. */
export const PROJECT_STACKS: readonly string[] = discoverStacks(loadProjectFile(PROJECT_DIR)).map(
  (s) => s.stack,
);
export const DEFAULT_TIMEOUT_MS = 60_000;
/** The stack a program without stack files is evaluated as (Pulumi's `pulumi new` default). */
export const DEFAULT_STACK = "dev";

export interface TargetOptions {
  /** A stack of the project, or all. @default all */
  readonly stack?: string;
  /** A program's entry file or project folder. @default this repository */
  readonly program?: string;
  /** A Pulumi.<stack>.yaml to use instead of the stack's own. */
  readonly config?: string;
  /** A --mocks file. */
  readonly mocks?: string;
  readonly timeoutMs?: number;
}

export interface Targets {
  readonly requests: EvaluationRequest[];
  /** The program's project, when it has a Pulumi.yaml. */
  readonly project?: ProjectFile;
  /** True for this repository's own stacks. */
  readonly ownStacks: boolean;
}

function inputError<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof StackConfigFileError) throw new PlanInputError(err.message);
    throw err;
  }
}

function mustExist(file: string, what: string): string {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) throw new PlanInputError(`${what} ${file} does not exist`);
  return resolved;
}

/** Which stacks to evaluate, each with the file that configures it (if any). */
function chooseStacks(
  options: TargetOptions,
  stacks: readonly { stack: string; file: string }[],
  configFile: string | undefined,
  project: ProjectFile | undefined,
): { stack: string; file?: string }[] {
  const wanted = options.stack && options.stack !== "all" ? options.stack : undefined;
  if (configFile) {
    const named = stackOfConfigFile(configFile);
    if (named && wanted && named !== wanted) {
      throw new PlanInputError(
        `--stack ${wanted} contradicts --config ${options.config}, which configures stack ${named}: drop --stack, or pass Pulumi.${wanted}.yaml`,
      );
    }
    const stack = named ?? wanted;
    if (!stack) {
      throw new PlanInputError(
        `--config ${options.config} is not named Pulumi.<stack>.yaml: rename it, or add --stack <name>`,
      );
    }
    return [{ stack, file: configFile }];
  }
  const where = project ? shown(project.stackConfigDir) : "the program's folder";
  if (wanted) {
    const found = stacks.find((s) => s.stack === wanted);
    if (found) return [found];
    if (stacks.length) {
      throw new PlanInputError(
        `unknown stack "${wanted}": use ${stacks.map((s) => s.stack).join(", ")} or all (one per Pulumi.<stack>.yaml in ${where}), or pass its file with --config`,
      );
    }
    return [{ stack: wanted }];
  }
  return stacks.length ? [...stacks] : [{ stack: DEFAULT_STACK }];
}

/** The evaluations a plan runs: one request per stack, sorted by stack name. */
export function resolveTargets(options: TargetOptions): Targets {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const configFile = options.config ? mustExist(options.config, "config file") : undefined;
  const mocks: MockFile | undefined = options.mocks
    ? inputError(() => loadMockFile(mustExist(options.mocks!, "mocks file")))
    : undefined;
  const located = inputError(() => locateProgram(options.program ?? PROJECT_DIR));
  const { project } = located;
  if (project && project.runtime !== "nodejs") {
    throw new PlanInputError(
      `${shown(path.join(project.dir, "Pulumi.yaml"))} says runtime: ${project.runtime}: the plan evaluates Node.js (TypeScript or JavaScript) programs only`,
    );
  }
  const ownStacks = project !== undefined && path.resolve(project.dir) === PROJECT_DIR;
  // A program runs where the Pulumi CLI would run it; this project's stacks read no file by a
  // relative path, and keep their faster worker threads.
  const cwd = ownStacks ? undefined : workingDirectory(located);
  const stacks = project ? discoverStacks(project) : [];
  const chosen = chooseStacks(options, stacks, configFile, project);
  // Without a Pulumi.yaml, keys without a namespace belong to a project named after the file.
  const view = project ?? {
    name: path.basename(located.entry).replace(/\.[cm]?[jt]s$/, ""),
    defaults: {},
  };
  const requests = chosen.map(({ stack, file }): EvaluationRequest => {
    // A stack without a file gets what `pulumi new` would have written into it.
    const config = inputError(() =>
      file
        ? loadStackConfig(file, view, stack)
        : stackConfig(project?.templateDefaults ?? {}, view, stack),
    );
    return {
      program: located.entry,
      project: view.name,
      stack,
      config,
      cwd,
      timeoutMs,
      mocks: {
        stackReferences: {
          ...(project ? stackReferencesFor(project.dir, config) : {}),
          ...mocks?.stackReferences,
        },
        invokes: mocks?.invokes,
      },
    };
  });
  return {
    requests,
    project,
    ownStacks,
  };
}
