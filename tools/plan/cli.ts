/**
 * `npm run plan`: evaluates both stacks (or any Pulumi TypeScript program) on Pulumi's mock
 * runtime, each in its own worker, runs the policy pack on every resource and the preflight (AWS's
 * own rules) on all stacks together, and reports.
 * Exit codes: 0 no mandatory violation and no fails-deploy finding, 1 either, 2 bad input (one
 * line, no trace).
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { evaluateInWorker } from "../engine/worker";
import { Evaluation, EvaluationError, EvaluationRequest, STACK_TYPE } from "../engine/types";
import type { DrawnStack } from "./diagram";
import {
  DEFAULT_POLICY_CONFIG,
  DEFAULT_TIMEOUT_MS,
  PlanInputError,
  checkPolicyConfig,
  readPolicyConfig,
  resolveTargets,
} from "./inputs";
import type { PlanReport } from "./report";

/*
 * The reports load after the workers have started: the main process does as little as it can
 * before the evaluations, which are the long part (npm run bench -- --only floor,plan).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const reports = () => ({
  ...(require("./report") as typeof import("./report")),
  ...(require("./terminal") as typeof import("./terminal")),
});
const markdown = () => require("./markdown") as typeof import("./markdown");
const diagram = () => require("./diagram") as typeof import("./diagram");
const preflight = () => require("../preflight") as typeof import("../preflight");
/* eslint-enable @typescript-eslint/no-require-imports */

export interface PlanCliOptions {
  readonly stack: string;
  readonly program?: string;
  readonly config?: string;
  readonly policyConfig: string;
  readonly json?: string;
  readonly markdown?: string;
  readonly diagram?: string;
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
      "Evaluate the stacks (or another Pulumi TypeScript program) offline on Pulumi's mock runtime, check every resource with the HIPAA policy pack, and report.",
    )
    .option("--stack <name>", "ireland, oregon or all", "all")
    .option(
      "--program <file>",
      "a Pulumi TypeScript entry file to evaluate instead of this project's stacks",
    )
    .option(
      "--config <file>",
      "a Pulumi.<stack>.yaml to evaluate with (one stack, or the --program's)",
    )
    .option(
      "--policy-config <file>",
      "the policy pack config",
      path.relative(process.cwd(), DEFAULT_POLICY_CONFIG),
    )
    .option("--json <file>", "write the versioned JSON report (docs/plan-report.md)")
    .option("--markdown <file>", "write the Markdown report: HIPAA safeguard matrix and findings")
    .option("--diagram <dir>", "write an SVG architecture diagram per stack into this folder")
    .option("--quiet", "print only mandatory violations and the verdict")
    .option(
      "--timeout <ms>",
      "give up on a program that has not settled after this long",
      positiveInteger,
      DEFAULT_TIMEOUT_MS,
    )
    .helpOption("-h, --help", "show this help")
    .showHelpAfterError(false);
}

function write(file: string, content: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, content);
}

/** How a stack is evaluated: by default a worker of its own per stack (the runtime is process-global). */
export type Evaluator = (request: EvaluationRequest) => Promise<Evaluation>;

export async function plan(
  options: PlanCliOptions,
  log: (line: string) => void,
  evaluate: Evaluator = evaluateInWorker,
): Promise<{ report: PlanReport; drawn: DrawnStack[] }> {
  const targets = resolveTargets({
    stack: options.stack,
    program: options.program,
    config: options.config,
    timeoutMs: options.timeout,
  });
  const policyConfig = readPolicyConfig(options.policyConfig);
  const now = new Date();
  const running = Promise.all(
    targets.map(async (target) => {
      log(
        `${target.stack}: evaluating ${path.relative(process.cwd(), target.program)} in a worker`,
      );
      try {
        const evaluation = await evaluate({
          ...target,
          check: { config: policyConfig, now: now.toISOString() },
        });
        log(
          `${target.stack}: ${evaluation.resources.filter((r) => r.type !== STACK_TYPE).length} resources, ${evaluation.checks?.violations.length ?? 0} findings`,
        );
        return evaluation;
      } catch (err) {
        if (err instanceof EvaluationError)
          throw new PlanInputError(`${target.stack}: ${err.message}`);
        throw err;
      }
    }),
  );
  // Judged while the workers run; a bad config still stops the plan before any report.
  running.catch(() => undefined);
  checkPolicyConfig(policyConfig, options.policyConfig);
  const evaluations = await running;
  const { stackReport, planReport } = reports();
  // AWS's own rules after the pack, on all stacks at once (they share one account).
  const checked = await preflight().preflight(
    evaluations.map((e) => ({ stack: e.stack, region: e.region, resources: e.resources })),
  );
  const stacks = evaluations.map((e, i) => ({
    ...stackReport(e, path.relative(process.cwd(), targets[i].program)),
    deploy: checked.stacks[i].deploy,
  }));
  return { report: planReport(stacks, now, checked.timingMs), drawn: evaluations };
}

export async function main(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  evaluate?: Evaluator,
): Promise<number> {
  const cli = command()
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: () => undefined });
  let options: PlanCliOptions;
  try {
    options = cli.parse([...argv], { from: "user" }).opts<PlanCliOptions>();
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
    );
    if (options.json) write(options.json, JSON.stringify(report, null, 2) + "\n");
    if (options.markdown) write(options.markdown, markdown().renderMarkdown(report));
    if (options.diagram) {
      const { renderSvg, toDot } = diagram();
      for (const stack of drawn)
        write(path.join(options.diagram, `${stack.stack}.svg`), await renderSvg(toDot(stack)));
    }
    out(reports().renderTerminal(report, options.quiet ?? false));
    return report.summary.mandatory > 0 || (report.summary.failsDeploy ?? 0) > 0 ? 1 : 0;
  } catch (e) {
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
