/**
 * What the plan is asked to evaluate, checked before any worker starts: stacks or a program, their
 * configuration, the policy config. Every problem is a PlanInputError with one line to show.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { stackReferencesFor } from "../engine/peers";
import { StackConfigFileError, loadProjectFile, loadStackConfig } from "../engine/stack-config";
import type { EvaluationRequest } from "../engine/types";

export class PlanInputError extends Error {}

/** The repository root (where this project's Pulumi.yaml is). */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");
export const PROJECT_STACKS = ["ireland", "oregon"] as const;
export const DEFAULT_POLICY_CONFIG = path.join(PROJECT_DIR, "policy-pack", "config.json");
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface TargetOptions {
  /** ireland, oregon or all. @default all */
  readonly stack?: string;
  /** Another Pulumi TypeScript program's entry file. */
  readonly program?: string;
  /** A Pulumi.<stack>.yaml to use instead of the stack's own. */
  readonly config?: string;
  readonly timeoutMs?: number;
}

function mustExist(file: string, what: string): string {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) throw new PlanInputError(`${what} ${file} does not exist`);
  return resolved;
}

/** The stack name a Pulumi.<stack>.yaml file is for. */
function stackOfConfigFile(file: string): string | undefined {
  return /^Pulumi\.([^.]+)\.ya?ml$/.exec(path.basename(file))?.[1];
}

function configOf(file: string, projectDir: string | undefined): Record<string, string> {
  try {
    const project = projectDir
      ? loadProjectFile(projectDir)
      : { name: "program", dir: "", defaults: {} };
    return loadStackConfig(file, project);
  } catch (err) {
    if (err instanceof StackConfigFileError) throw new PlanInputError(err.message);
    throw err;
  }
}

/** The evaluations a plan runs: one request per stack, in the order given. */
export function resolveTargets(options: TargetOptions): EvaluationRequest[] {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const config = options.config ? mustExist(options.config, "config file") : undefined;

  if (options.program) {
    const program = mustExist(options.program, "program");
    const dir = path.dirname(program);
    const projectDir = existsSync(path.join(dir, "Pulumi.yaml")) ? dir : undefined;
    const project = projectDir
      ? loadProjectFile(projectDir).name
      : path.basename(program).replace(/\.[jt]s$/, "");
    const stack = (config && stackOfConfigFile(config)) ?? options.stack ?? "dev";
    const values = config ? configOf(config, projectDir) : { "aws:region": "us-east-1" };
    return [
      { program, project, stack: stack === "all" ? "dev" : stack, config: values, timeoutMs },
    ];
  }

  const wanted = options.stack ?? "all";
  if (wanted !== "all" && !(PROJECT_STACKS as readonly string[]).includes(wanted)) {
    throw new PlanInputError(`unknown stack "${wanted}": use ${PROJECT_STACKS.join(", ")} or all`);
  }
  const stacks = wanted === "all" ? [...PROJECT_STACKS] : [wanted];
  if (config && stacks.length > 1) {
    throw new PlanInputError(
      `--config ${options.config} names one stack's config: add --stack ireland or --stack oregon`,
    );
  }
  const project = loadProjectFile(PROJECT_DIR);
  return stacks.map((stack) => {
    const values = configOf(config ?? path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), PROJECT_DIR);
    return {
      program: path.join(PROJECT_DIR, project.main ?? "index.ts"),
      project: project.name,
      stack,
      config: values,
      timeoutMs,
      mocks: { stackReferences: stackReferencesFor(PROJECT_DIR, values) },
    };
  });
}

const LEVELS = ["mandatory", "advisory", "remediate", "disabled"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reads a policy config (the file `--policy-pack-config` takes); checkPolicyConfig judges it. */
export function readPolicyConfig(file: string): Record<string, unknown> {
  const resolved = mustExist(file, "policy config");
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(resolved, "utf8"));
  } catch (err) {
    throw new PlanInputError(`policy config ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!config || typeof config !== "object" || Array.isArray(config)) {
    throw new PlanInputError(`policy config ${file} must be a JSON object keyed by policy name`);
  }
  return config as Record<string, unknown>;
}

/**
 * Checks a policy config as the CLI would, and more: unknown policies and properties, and
 * exemptions without a reason, are refused. It needs the pack's metadata, loaded only here, so the
 * plan can start its workers first.
 */
export function checkPolicyConfig(config: Record<string, unknown>, file: string): void {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports */
  const pack = require("../../policy-pack/policies") as typeof import("../../policy-pack/policies");
  const { policies } = pack;
  const byName = new Map(policies.map((p) => [p.name, p]));
  for (const [name, value] of Object.entries(config)) {
    const where = `policy config ${file}: "${name}"`;
    const policy = byName.get(name);
    if (!policy && name !== "all")
      throw new PlanInputError(`${where} is not a policy of the pack (see docs/policies.md)`);
    if (typeof value === "string") {
      if (!LEVELS.includes(value))
        throw new PlanInputError(`${where} level "${value}" is not one of ${LEVELS.join(", ")}`);
      continue;
    }
    if (!value || typeof value !== "object")
      throw new PlanInputError(`${where} must be a level or an object`);
    const settings = value as Record<string, unknown>;
    if (
      settings.enforcementLevel !== undefined &&
      !LEVELS.includes(String(settings.enforcementLevel))
    ) {
      throw new PlanInputError(
        `${where} enforcementLevel "${String(settings.enforcementLevel)}" is not one of ${LEVELS.join(", ")}`,
      );
    }
    const known = new Set([
      "enforcementLevel",
      ...Object.keys(policy?.configSchema?.properties ?? {}),
    ]);
    for (const key of Object.keys(settings)) {
      if (!known.has(key))
        throw new PlanInputError(
          `${where} has no setting "${key}" (it takes ${[...known].join(", ")})`,
        );
    }
    const exemptions = settings.exemptions;
    if (exemptions === undefined) continue;
    if (!Array.isArray(exemptions)) throw new PlanInputError(`${where} exemptions must be a list`);
    exemptions.forEach((e: Record<string, unknown>, i) => {
      const at = `${where} exemptions[${i}]`;
      if (typeof e?.resource !== "string" || e.resource.trim() === "")
        throw new PlanInputError(`${at} names no resource`);
      if (typeof e.reason !== "string" || e.reason.trim() === "") {
        throw new PlanInputError(
          `${at} (${e.resource}) gives no reason: every exemption must say why`,
        );
      }
      if (
        e.expires !== undefined &&
        (typeof e.expires !== "string" ||
          !DATE.test(e.expires) ||
          Number.isNaN(Date.parse(e.expires)))
      ) {
        throw new PlanInputError(
          `${at} (${e.resource}) expires "${String(e.expires)}" is not a date YYYY-MM-DD`,
        );
      }
    });
  }
}

/** Reads and checks a policy config. */
export function loadPolicyConfig(file: string): Record<string, unknown> {
  const config = readPolicyConfig(file);
  checkPolicyConfig(config, file);
  return config;
}
