/**
 * Test helpers: evaluate this project's stacks once per test run (each in its own worker), build
 * single components in-process on the mock runtime, and query what was registered.
 */
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import * as path from "node:path";
import {
  Evaluation,
  EvaluationPool,
  PROJECT_DIR,
  EvaluationRequest,
  PlatformMocks,
  Recorder,
  ResourceRecord,
  StackEvaluationOptions,
  stackRequest,
} from "../../tools/engine";

import { closeChildren } from "../../tools/engine/child";
import { DEFAULT_TIMEOUT_MS } from "../../tools/plan/inputs";
import { descendants } from "../../tools/engine/types";

export type { Evaluation, ResourceRecord };
export { descendants };

/** The value of an output, awaited. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/**
 * Two long-lived workers (this machine has two cores) evaluate the programs that settle, one after
 * another each; programs meant to fail or hang get workers of their own in their suites.
 */
const pool = new EvaluationPool(2);

/**
 * Stops the shared workers and the child processes kept for programs evaluated in their own
 * folders (child.ts); the root hook in tests/setup.ts calls it after every suite.
 */
export function closeShared(): Promise<void> {
  closeChildren();
  return pool.close();
}

/** Evaluates a program that settles on the shared workers. */
export function evaluateShared(request: EvaluationRequest): Promise<Evaluation> {
  return pool.evaluate(request);
}

/** A request's JSON with every object's keys sorted: two suites' same request, one key. */
function requestKey(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const onceCache = new Map<string, Promise<Evaluation>>();

/**
 * A program that settles, evaluated once per distinct request and shared by the suites that read
 * it (several suites check the same stacks and fixture programs: the pack, the preflight, the
 * reference handlers). Tests read evaluations and never change them.
 *
 * A request with a pack `check` shares the evaluation of the same request without one, and the
 * pack runs on it here, as the worker runs it after an evaluation (tools/engine/worker.ts,
 * evaluateAndCheck: the same runPolicies on the same records, the same `checks`): the research
 * example's ireland was evaluated once with the pack for research.spec, once for plan.spec's
 * plan of it and once without for the others, and oregon without the closed enclave's resources
 * once per pack config it was judged under (two), each a whole-stack evaluation of about a second.
 * The worker's own check is the plan's, tested by tests/tools/plan.spec.ts (both stacks, each in
 * a worker of its own) and child.spec.ts.
 */
export async function evaluateOnce(request: EvaluationRequest): Promise<Evaluation> {
  const { check, ...unchecked } = request;
  // A timeout left to the engine is the plan's default, 60 s (evaluate.ts, DEFAULT_TIMEOUT_MS):
  // the plan of a stack and the suites' stackWith of it are one request.
  const key = requestKey({ ...unchecked, timeoutMs: unchecked.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  let evaluation = onceCache.get(key);
  if (!evaluation) {
    evaluation = pool.evaluate(unchecked);
    onceCache.set(key, evaluation);
  }
  return check ? checkedHere(await evaluation, check) : evaluation;
}

/** The evaluation with the pack's findings under `check`, as evaluateAndCheck adds them. */
function checkedHere(
  evaluation: Evaluation,
  check: NonNullable<EvaluationRequest["check"]>,
): Evaluation {
  // Loaded on first use: most single suites never judge a stack.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { packSummary, runPolicies } =
    require("../../tools/policy/run") as typeof import("../../tools/policy/run");
  const { policies } =
    require("../../policy-pack/policies") as typeof import("../../policy-pack/policies");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const now = check.now ? new Date(check.now) : undefined;
  const run = runPolicies(evaluation.resources, policies, check.config, { now });
  return { ...evaluation, checks: { ...run, pack: packSummary(policies) } };
}

/** This project's stack as its stack file configures it, evaluated once and shared by suites. */
export function stack(name: string): Promise<Evaluation> {
  return stackWith(name, {});
}

/**
 * Both stacks, for a suite that compares them: registers a `before` hook that fills the object it
 * returns (read its fields inside tests, not at definition time).
 */
export function bothStacks(): { readonly ireland: Evaluation; readonly oregon: Evaluation } {
  const both = {} as { ireland: Evaluation; oregon: Evaluation };
  before(async () => {
    [both.ireland, both.oregon] = await Promise.all([stack("ireland"), stack("oregon")]);
  });
  return both;
}

/**
 * A stack evaluated with config overrides, evaluated once per distinct request and shared, as
 * `stack` is (suites that ask for the same variant, such as ireland with the research example's
 * config, get one evaluation; with a pack check or without, see evaluateOnce).
 */
export function stackWith(name: string, options: StackEvaluationOptions): Promise<Evaluation> {
  // The stack file is read into `config`; the engine never reads its name (the plan sends none).
  return evaluateOnce({
    ...stackRequest(name, options),
    configFile: undefined,
  } as EvaluationRequest);
}

/**
 * The project's stacks as their stack files configure them, and ireland with the research example's
 * enclaves: the evaluations suites that compare whole stacks check, by label (shared, as `stack`).
 */
export const PROJECT_STACKS: readonly (readonly [string, () => Promise<Evaluation>])[] = [
  ["ireland", () => stack("ireland")],
  ["oregon", () => stack("oregon")],
  [
    "ireland with the research example's enclaves",
    () =>
      stackWith("ireland", {
        configFile: path.join(PROJECT_DIR, "examples", "research", "Pulumi.ireland.yaml"),
      }),
  ],
];

export function ofType(resources: readonly ResourceRecord[], type: string): ResourceRecord[] {
  return resources.filter((r) => r.type === type);
}

export function one(resources: readonly ResourceRecord[], type: string): ResourceRecord {
  const found = ofType(resources, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** A string input, read as JSON (policies). */
export function json<T = Record<string, unknown>>(value: unknown): T {
  if (typeof value !== "string") throw new Error(`expected a JSON string, got ${typeof value}`);
  return JSON.parse(value) as T;
}

let inProcess: Promise<Recorder> | undefined;

/** The in-process mock runtime, set up once for every in-process suite of the run. */
function inProcessRecorder(): Promise<Recorder> {
  inProcess ??= (async () => {
    pulumi.runtime.setAllConfig({});
    await pulumi.runtime.setMocks(new PlatformMocks({ region: "eu-west-1" }), "ehealth", "unit");
    const recorder = new Recorder();
    recorder.install();
    return recorder;
  })();
  return inProcess;
}

/** Builds a component in-process and returns it with every resource registered under it. */
export async function build<T extends pulumi.ComponentResource>(
  make: () => T,
): Promise<{ component: T; resources: ResourceRecord[] }> {
  const recorder = await inProcessRecorder();
  const component = make();
  const urn = await promiseOf(component.urn);
  await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return { component, resources: descendants(recorder.resources, urn) };
}
