/**
 * `npm run plan`: evaluates this project's stacks (or any Pulumi TypeScript program) on Pulumi's
 * mock runtime, each stack in its own worker, runs the policy pack on every resource and the
 * preflight (AWS's own rules) on all stacks together, and reports.
 * Exit codes: 0 no mandatory violation and no fails-deploy finding, 1 either, 2 bad input (one
 * line, no trace).
 */
// First: V8's tiering for a short run (tiering.ts), set before any worker starts; then, as a
// command, the plan's workers start loading the SDK before the rest loads (prestart.ts).
import "../engine/tiering";
import "../engine/native-deps";
import "./prestart";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { evaluateInWorker, typecheckInWorker } from "../engine/worker";
import {
  DEFAULT_REGION,
  Evaluation,
  EvaluationError,
  EvaluationRequest,
  STACK_TYPE,
} from "../engine/types";
import type { TypecheckResult } from "../engine/typecheck";
import type { DrawnStack } from "./diagram";
import { DEFAULT_TIMEOUT_MS, PROJECT_DIR, resolveTargets } from "./inputs";
import {
  DEFAULT_POLICY_CONFIG,
  PlanInputError,
  checkPolicyConfig,
  levelChanges,
  readPolicyConfigSource,
  wellFormedPolicyConfig,
} from "./policy-config";
import type { PlanReport } from "./report";

/*
 * The reports load after the workers have started: the main process does as little as it can
 * before the evaluations, which are the long part (npm run bench -- --only floor,plan).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const reports = () => ({
  ...(require("./report") as typeof import("./report")),
  ...(require("./terminal") as typeof import("./terminal")),
  ...(require("./inventory") as typeof import("./inventory")),
});
const markdown = () => require("./markdown") as typeof import("./markdown");
const diagram = () => require("./diagram") as typeof import("./diagram");
const overview = () => require("./overview") as typeof import("./overview");
const provenance = () => require("./provenance") as typeof import("./provenance");
const preflight = () => require("../preflight") as typeof import("../preflight");
const typecheck = () => require("../engine/typecheck") as typeof import("../engine/typecheck");
/* eslint-enable @typescript-eslint/no-require-imports */

export interface PlanCliOptions {
  readonly stack: string;
  readonly program?: string;
  readonly config?: string;
  readonly mocks?: string;
  readonly policyConfig: string;
  readonly json?: string;
  readonly markdown?: string;
  readonly diagram?: string;
  readonly detailedDiagrams?: boolean;
  /** Undefined: on for this repository's stacks, off for other programs. */
  readonly typecheck?: boolean;
  readonly quiet?: boolean;
  readonly timeout: number;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError("must be a whole number of milliseconds");
  return n;
}

export function command(): Command {
  return new Command("plan")
    .description(
      "Evaluate this project's stacks (or another Pulumi TypeScript program) offline on Pulumi's mock runtime, check every resource with the HIPAA policy pack, and report. Writes nothing unless asked: --json, --markdown and --diagram name the files.",
    )
    .option(
      "--stack <name>",
      "one stack of the project (one per Pulumi.<stack>.yaml), or all",
      "all",
    )
    .option(
      "--program <path>",
      "another Pulumi program: its entry file, or its project folder (Pulumi.yaml's main); its own node_modules come first, this project's @pulumi/* fill in",
    )
    .option(
      "--config <file>",
      "a Pulumi.<stack>.yaml to evaluate with; it names the stack (--stack may only agree)",
    )
    .option(
      "--mocks <file>",
      "a YAML file of invoke answers and stack-reference outputs the program needs (README: Answers for other programs)",
    )
    .option(
      "--policy-config <file>",
      "the policy pack config",
      path.relative(process.cwd(), DEFAULT_POLICY_CONFIG) || DEFAULT_POLICY_CONFIG,
    )
    .option("--json <file>", "write the versioned JSON report (docs/plan-report.md)")
    .option(
      "--markdown <file>",
      "write the auditor's Markdown report: provenance, HIPAA matrix, PHI inventory, findings",
    )
    .option(
      "--diagram <dir>",
      "write <stack>.svg into this folder: an overview of each stack (request path, keys, logs, copies, findings)",
    )
    .option(
      "--detailed-diagrams",
      "with --diagram, also write <stack>-detailed.svg: every resource",
    )
    .option(
      "--typecheck",
      "type-check the program with the TypeScript compiler first (default for this project's stacks)",
    )
    .option("--no-typecheck", "skip the type check")
    .option("--quiet", "print only mandatory violations and the verdict")
    .option(
      "--timeout <ms>",
      "give up on a program that has not settled after this long",
      positiveInteger,
      DEFAULT_TIMEOUT_MS,
    )
    .helpOption("-h, --help", "show this help")
    .allowExcessArguments(true)
    .showHelpAfterError(false);
}

function write(file: string, content: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, content);
}

/**
 * How a stack is evaluated: by default a worker of its own per stack (the runtime is process-global).
 * An evaluator may hand over the evaluation before the pack has judged it (`onEvaluated`,
 * evaluateInWorker); the promise resolves with its checks.
 */
export type Evaluator = (
  request: EvaluationRequest,
  onEvaluated?: (evaluation: Evaluation) => void,
) => Promise<Evaluation>;
/** Type-checks a program (its entry file, within its project folder): a worker of its own by default. */
export type Typechecker = (entry: string, projectDir: string) => Promise<TypecheckResult>;

/** The type check's diagnostics, each on a line of its own, before the one-line verdict. */
export class TypeErrors extends PlanInputError {
  constructor(
    readonly diagnostics: TypecheckResult["diagnostics"],
    program: string,
  ) {
    super(
      `${diagnostics.length} type error${diagnostics.length > 1 ? "s" : ""} in ${program}: fix ${diagnostics.length > 1 ? "them" : "it"}, or plan without type checking (--no-typecheck)`,
    );
  }
}

export async function plan(
  options: PlanCliOptions,
  log: (line: string) => void,
  evaluate: Evaluator = evaluateInWorker,
  typecheckWith: Typechecker = typecheckInWorker,
): Promise<{ report: PlanReport; drawn: DrawnStack[] }> {
  const targets = resolveTargets({
    stack: options.stack,
    program: options.program,
    config: options.config,
    mocks: options.mocks,
    timeoutMs: options.timeout,
  });
  const source = readPolicyConfigSource(options.policyConfig);
  const now = new Date();
  const [first] = targets.requests;
  const shownProgram = path.relative(process.cwd(), first.program) || first.program;
  // Each stack's records, as soon as its evaluator has them: its preflight rules need no checks.
  const recorded: Promise<Evaluation>[] = [];
  const answers = targets.requests.map(async (target) => {
    let evaluated!: (evaluation: Evaluation) => void;
    recorded.push(new Promise((resolve) => (evaluated = resolve)));
    if (!target.config["aws:region"])
      log(
        `${target.stack}: aws:region is not set: planning in ${DEFAULT_REGION} (set aws:region under config: in Pulumi.${target.stack}.yaml and pass it with --config to choose)`,
      );
    log(`${target.stack}: evaluating ${shownProgram} in a worker`);
    try {
      const evaluation = await evaluate(
        { ...target, check: { config: source.config, now: now.toISOString() } },
        evaluated,
      );
      evaluated(evaluation);
      log(
        `${target.stack}: ${evaluation.resources.filter((r) => r.type !== STACK_TYPE).length} resources, ${evaluation.checks?.violations.length ?? 0} findings`,
      );
      return evaluation;
    } catch (err) {
      if (err instanceof EvaluationError)
        throw new PlanInputError(`${target.stack}: ${err.message}`);
      throw err;
    }
  });
  const running = Promise.all(answers);
  running.catch(() => undefined);
  const projectDir = targets.project?.dir ?? path.dirname(first.program);
  // Its git processes run beside the evaluations (provenance.ts).
  const provenanceFacts = provenance().provenanceOf(projectDir, source);
  provenanceFacts.catch(() => undefined);
  const typecheckOn = options.typecheck ?? targets.ownStacks;
  // A program found clean before, and unchanged since, is not checked again (typecheck.ts).
  const checking: Promise<TypecheckResult | undefined> =
    typecheckOn && !typecheck().knownClean(first.program, projectDir)
      ? typecheckWith(first.program, projectDir)
      : Promise.resolve(undefined);
  checking.catch(() => undefined);
  if (typecheckOn) log(`type-checking ${shownProgram}`);
  // Judged while the workers run; a bad config still stops the plan before any report. The pack's
  // names and settings come with the first worker's answer (the workers load the pack anyway):
  // this process loads the pack's code only to find the first fault of a config that has one
  // (the same fault, in the same order, as when it always loaded it).
  const policyConfig = source.config as Record<string, unknown>;
  if (!wellFormedPolicyConfig(policyConfig, options.policyConfig))
    checkPolicyConfig(policyConfig, options.policyConfig);
  const pack = Promise.any(answers).then(
    (e) => e.checks?.pack,
    () => undefined,
  );
  const judged = pack.then((policies) =>
    checkPolicyConfig(policyConfig, options.policyConfig, policies ?? undefined),
  );
  judged.catch(() => undefined);
  // A fault in the config is said as soon as it is found, not after the type check (seconds on a
  // program not checked before): the type check's verdict waits for the config's, not the reverse.
  const checked = await Promise.race([checking, judged.then(() => checking)]);
  if (checked && checked.diagnostics.length) {
    await judged;
    throw new TypeErrors(checked.diagnostics, shownProgram);
  }
  // While the workers evaluate, the main thread (idle until they answer) loads what runs after
  // them, the reports and the preflight with its IAM simulator: work that was on the plan's
  // critical path (npm run bench -- --only floor,plan).
  const { stackReport, planReport, replicaSources } = reports();
  // AWS's own rules: each stack's own as soon as its worker has evaluated it, while the worker runs
  // the pack on it and the others still evaluate; those over the account once all are in (they
  // share one account).
  const deployChecks = new (preflight().IncrementalPreflight)();
  const added = Promise.all(
    recorded.map((records) =>
      records.then((e) =>
        deployChecks.add({ stack: e.stack, region: e.region, resources: e.resources }),
      ),
    ),
  );
  added.catch(() => undefined);
  await judged;
  const evaluations = await running;
  const policies = (await pack) ?? undefined;
  const changes = levelChanges(source.config, policies);
  await added;
  const deploy = await deployChecks.finish(evaluations.map((e) => e.stack));
  // A replica bucket in one stack is the destination of another stack's replication.
  const replicas = replicaSources(evaluations as Parameters<typeof replicaSources>[0]);
  const stacks = evaluations.map((e, i) =>
    stackReport({ ...e, deploy: deploy.stacks[i].deploy }, shownProgram, {
      changes,
      replicas,
      policies,
    }),
  );
  const report = planReport(stacks, {
    generatedAt: now,
    provenance: await provenanceFacts,
    levelChanges: changes,
    preflightMs: deploy.timingMs,
  });
  return { report, drawn: evaluations };
}

/** npm options the plan defines: `npm run plan --stack x` gives them to npm, not to the plan. */
const OPTION_NAMES = [
  "stack",
  "program",
  "config",
  "mocks",
  "policy_config",
  "markdown",
  "diagram",
  "detailed_diagrams",
  "typecheck",
  "timeout",
];

const npmHint = (example: string) =>
  `npm kept the options for itself: put -- before them, as in npm run plan -- ${example}`;

function npmTookOptions(env: NodeJS.ProcessEnv): string | undefined {
  if (env.npm_lifecycle_event !== "plan") return undefined;
  return OPTION_NAMES.find((name) => env[`npm_config_${name}`] !== undefined);
}

export async function main(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  evaluate?: Evaluator,
  env: NodeJS.ProcessEnv = process.env,
  typecheckWith?: Typechecker,
): Promise<number> {
  const cli = command()
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: () => undefined });
  let options: PlanCliOptions;
  try {
    const parsed = cli.parse([...argv], { from: "user" });
    const taken = npmTookOptions(env);
    if (taken) {
      const flag = `--${taken.replace(/_/g, "-")}`;
      const value = env[`npm_config_${taken}`];
      // `npm run plan --stack ireland` leaves npm_config_stack=true and "ireland" as an argument.
      const given = value && value !== "true" ? value : parsed.args[0];
      const example = given ? `${flag} ${given}` : flag;
      err(`plan: ${flag} never reached the plan: ${npmHint(example)}`);
      return 2;
    }
    if (parsed.args.length) {
      err(
        `plan: unexpected argument "${parsed.args[0]}": the plan takes options only; with npm, ${npmHint("--stack ireland").replace(/^npm kept the options for itself: /, "")}`,
      );
      return 2;
    }
    options = parsed.opts<PlanCliOptions>();
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // --help
      err(`plan: ${e.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ")} (see --help)`);
      return 2;
    }
    throw e;
  }
  try {
    const { report, drawn } = await plan(
      options,
      options.quiet ? () => undefined : (line) => err(line),
      evaluate,
      typecheckWith,
    );
    if (options.json) write(options.json, JSON.stringify(report, null, 2) + "\n");
    if (options.markdown) write(options.markdown, markdown().renderMarkdown(report));
    if (options.diagram) {
      const { renderSvg } = diagram();
      const { overviewDot } = overview();
      for (const stack of drawn) {
        const stackReport = report.stacks.find((s) => s.stack === stack.stack)!;
        write(
          path.join(options.diagram, `${stack.stack}.svg`),
          await renderSvg(overviewDot(stack, stackReport)),
        );
        if (options.detailedDiagrams) {
          write(
            path.join(options.diagram, `${stack.stack}-detailed.svg`),
            await renderSvg(diagram().toDot(stack)),
          );
        }
      }
    }
    out(reports().renderTerminal(report, options.quiet ?? false));
    return report.summary.mandatory > 0 || (report.summary.failsDeploy ?? 0) > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof TypeErrors) {
      for (const d of e.diagnostics) err(`${d.at}: error TS${d.code}: ${d.message}`);
    }
    if (e instanceof PlanInputError) {
      err(`plan: ${e.message}`);
      return 2;
    }
    err(`plan: ${(e as Error).message?.split("\n")[0] ?? String(e)}`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}

export { PROJECT_DIR };
