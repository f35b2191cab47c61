/**
 * The offline runner hands every stack policy of a run the same array of resources, so the
 * indexes the policies memoize per array (Topology.of, Buckets.of, IamIndex.of, allIngress,
 * internetExposures, GroupReach.of) are built once a run and shared. The CrossGuard engine
 * deserializes the stack again for each policy, so there each policy builds its own. Sharing must
 * change nothing a policy finds: these tests compare the two on the stacks and the fixtures.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { policies } from "../../policy-pack/policies";
import { PROJECT_DIR } from "../../tools/engine";
import type { Evaluation } from "../../tools/engine";
import { PackConfig, PolicyRun, runPolicies } from "../../tools/policy/run";
import { bothStacks, evaluateOnce } from "../helpers";

const NOW = new Date("2026-12-02T00:00:00Z");
const PROJECT_CONFIG = JSON.parse(
  readFileSync(path.join(PROJECT_DIR, "policy-pack", "config.json"), "utf8"),
) as PackConfig;

/** A run's findings in a canonical order, for comparing runs that order policies differently. */
function sorted(run: PolicyRun) {
  const key = (f: { policy: string; urn: string | null; message: string }) =>
    `${f.policy}\u0000${f.urn ?? ""}\u0000${f.message}`;
  return {
    violations: [...run.violations].sort((a, b) => key(a).localeCompare(key(b))),
    exempted: [...run.exempted].sort((a, b) => key(a).localeCompare(key(b))),
    checked: Object.entries(run.checked).sort(([a], [b]) => a.localeCompare(b)),
  };
}

describe("tools/policy/run: indexes shared by the stack policies of a run", () => {
  const stacks = bothStacks();
  let insecure: Evaluation;
  before(async () => {
    insecure = await evaluateOnce({
      program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "insecure-healthcare.ts"),
      project: "clinic",
      stack: "prod",
      config: { "aws:region": "eu-west-1" },
    });
  });

  const programs = () =>
    [
      ["ireland", stacks.ireland],
      ["oregon", stacks.oregon],
      ["the insecure fixture", insecure],
    ] as const;

  for (const [configName, config] of [
    ["without a policy config", {}],
    ["with the project's policy config", PROJECT_CONFIG],
  ] as const) {
    it(`finds ${configName} what each policy finds with its own copy of the stack, as under the engine`, () => {
      for (const [name, evaluation] of programs()) {
        const shared = runPolicies(evaluation.resources, policies, config, { now: NOW });
        const isolated = runPolicies(evaluation.resources, policies, config, {
          now: NOW,
          isolateStackPolicies: true,
        });
        expect(shared, name).to.deep.equal(isolated);
      }
    });
  }

  it("finds the same whichever policy builds a shared index first (the pack in reverse order)", () => {
    const reversed = [...policies].reverse();
    for (const [name, evaluation] of programs()) {
      const forward = runPolicies(evaluation.resources, policies, {}, { now: NOW });
      const backward = runPolicies(evaluation.resources, reversed, {}, { now: NOW });
      expect(sorted(backward), name).to.deep.equal(sorted(forward));
    }
  });

  it("compares runs that find something: the fixture's weaknesses are found by stack policies", () => {
    const stackPolicies = new Set(policies.filter((p) => p.kind === "stack").map((p) => p.name));
    const run = runPolicies(insecure.resources, policies, {}, { now: NOW });
    const byStackPolicies = run.violations.filter((f) => stackPolicies.has(f.policy));
    expect(new Set(byStackPolicies.map((f) => f.policy)).size).to.be.at.least(10);
  });
});
