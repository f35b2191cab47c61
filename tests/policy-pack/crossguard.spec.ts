/**
 * The offline runner (tools/policy/run.ts) must find exactly what the pack finds under CrossGuard.
 * Each program below (this project's stacks and their variants, every fixture program that
 * settles) and each policy case (its compliant fixture, every mutation, and each input made
 * unknown) is run through the runner and through @pulumi/policy's own Analyze and AnalyzeStack
 * handlers (./crossguard.ts), and the two lists of findings must be the same, one for one. The
 * runner's shortcuts (plain props where nothing is unknown, policies indexed by type, indexes
 * shared by the stack policies of a run) and the pack's own memos are all on one side only.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { policies } from "../../policy-pack/policies";
import { PROJECT_DIR } from "../../tools/engine";
import type { Evaluation, EvaluationRequest, ResourceRecord } from "../../tools/engine";
import { PackConfig, runPolicies } from "../../tools/policy/run";
import { PROJECT_STACKS, evaluateOnce, stackWith } from "../helpers";
import { CASES } from "./cases";
import { ReferenceFinding, canonical, referenceFindings } from "./crossguard";
import { referenceInWorker } from "./reference-worker";

// The engine's sentinel for a string unknown until apply (the module ships no typings for it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: unknown };

const PROJECT_CONFIG = JSON.parse(
  readFileSync(path.join(PROJECT_DIR, "policy-pack", "config.json"), "utf8"),
) as PackConfig;

const CONFIGS: readonly (readonly [string, PackConfig])[] = [
  ["without a policy config", {}],
  ["with the project's policy config", PROJECT_CONFIG],
];

const fixture = (name: string) =>
  path.join(PROJECT_DIR, "tests", "fixtures", "programs", `${name}.ts`);

const program = (name: string, project: string, stackName: string): EvaluationRequest => ({
  program: fixture(name),
  project,
  stack: stackName,
  config: { "aws:region": "eu-west-1" },
});

/** The fixture programs that settle, as their own suites evaluate them. */
const FIXTURE_PROGRAMS: readonly (readonly [string, EvaluationRequest])[] = [
  ["insecure-healthcare", program("insecure-healthcare", "clinic", "prod")],
  ["deploy-defects", program("deploy-defects", "clinic", "dev")],
  ["secrets", program("secrets", "foreign", "dev")],
  ["resource-reference", program("resource-reference", "foreign", "dev")],
  ["callback-function", program("callback-function", "foreign", "dev")],
  ...[
    "billing-own-account-valid",
    "claims-keys-defects",
    "claims-keys-valid",
    "imaging-storage-defects",
    "imaging-storage-valid",
    "portal-edge-defects",
    "portal-edge-valid",
    "scheduling-services-defects",
    "scheduling-services-valid",
    "security-audit-defects",
    "security-audit-valid",
  ].map((name) => [`foreign/${name}`, program(`foreign/${name}`, "foreign", "dev")] as const),
];

/** The stacks, and the variants other suites evaluate (the same requests, so shared). */
const STACK_VARIANTS: readonly (readonly [string, () => Promise<Evaluation>])[] = [
  ...PROJECT_STACKS,
  [
    "oregon as a two-AZ dev stack without data protection",
    () =>
      stackWith("oregon", {
        overrides: {
          "ehealth:environment": "dev",
          "ehealth:azCount": "2",
          "ehealth:dataProtection": "false",
        },
      }),
  ],
];

async function expectSame(
  resources: readonly ResourceRecord[],
  only: typeof policies,
  config: PackConfig,
  what: string,
  computed: Promise<ReferenceFinding[]> = referenceFindings(resources, only, config),
): Promise<number> {
  const reference = canonical(await computed);
  const run = canonical(runPolicies(resources, only, config).violations);
  expect(run, what).to.deep.equal(reference);
  return reference.length;
}

describe("tools/policy/run against CrossGuard's own handlers", () => {
  const programs = new Map<string, Promise<Evaluation>>();
  /** The reference findings by program and config, computed on a thread of their own. */
  const references = new Map<string, Promise<ReferenceFinding[]>>();
  const refer = (name: string, evaluation: Promise<Evaluation>) => {
    programs.set(name, evaluation);
    for (const [configName, config] of CONFIGS) {
      const found = evaluation.then((e) => referenceInWorker(e.resources, config));
      found.catch(() => undefined);
      references.set(`${name}, ${configName}`, found);
    }
  };
  // The project's two stacks are evaluated from the start of the run (tests/setup.ts): their
  // references are asked for now, and are computed while the suites before this one run.
  for (const [name, evaluate] of PROJECT_STACKS)
    if (name === "ireland" || name === "oregon") refer(name, evaluate());
  // Started when the file loads, not when the suite begins: the evaluations run beside the
  // suites before this one (tests/setup.ts), and the tests await theirs.
  for (const [name, evaluate] of STACK_VARIANTS) if (!programs.has(name)) refer(name, evaluate());
  for (const [name, request] of FIXTURE_PROGRAMS) refer(name, evaluateOnce(request));
  for (const p of programs.values()) p.catch(() => undefined);

  for (const [name] of [...STACK_VARIANTS, ...FIXTURE_PROGRAMS]) {
    for (const [configName, config] of CONFIGS) {
      it(`finds in ${name}, ${configName}, exactly what the engine's handlers find`, async () => {
        const evaluation = await programs.get(name)!;
        const reference = references.get(`${name}, ${configName}`)!;
        await expectSame(evaluation.resources, policies, config, name, reference);
      });
    }
  }

  it("compares lists that hold findings: the engine's handlers find the insecure fixture's weaknesses, resource and stack", async () => {
    const evaluation = await programs.get("insecure-healthcare")!;
    const found = await referenceFindings(evaluation.resources, policies);
    expect(found.filter((f) => f.urn === null).length, "stack-wide").to.be.at.least(2);
    expect(new Set(found.map((f) => f.policy)).size, "policies").to.be.at.least(20);
  });
});

describe("policy cases against CrossGuard's own handlers", () => {
  for (const c of CASES) {
    const only = policies.filter((p) => p.name === c.policy);
    it(`${c.policy}: finds on its fixture, each mutation and each unknown input what the engine's handlers find`, async () => {
      const config = c.config ?? {};
      let found = 0;
      found += await expectSame(c.fixture, only, config, "the compliant fixture");
      for (const [what, mutate] of c.violations)
        found += await expectSame(mutate(c.fixture), only, config, what);
      // A value unknown until apply: the runner hands such props behind the engine's proxy.
      for (const r of c.fixture) {
        for (const key of Object.keys(r.inputs)) {
          const changed = c.fixture.map((x) =>
            x === r
              ? {
                  ...x,
                  inputs: { ...x.inputs, [key]: unknownStringValue },
                  outputs: { ...x.outputs, [key]: unknownStringValue },
                }
              : x,
          );
          await expectSame(changed, only, config, `${r.name}.${key} unknown`);
        }
      }
      expect(found, "the mutations are found").to.be.at.least(c.violations.length);
    });
  }
});
