import { expect } from "chai";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";
import { IncrementalPreflight, PreflightInput, preflight } from "../../tools/preflight";
import type { AccountRule } from "../../tools/preflight/types";
import { evaluateOnce, stack } from "../helpers";

const inputOf = (e: {
  stack: string;
  region: string;
  resources: PreflightInput["resources"];
}): PreflightInput => ({ stack: e.stack, region: e.region, resources: e.resources });

/** The findings of the plan's incremental run, its programs added in the order given. */
async function incremental(inputs: readonly PreflightInput[], order: readonly number[]) {
  const run = new IncrementalPreflight();
  for (const i of order) await run.add(inputs[i]);
  return (await run.finish(inputs.map((i) => i.stack))).stacks;
}

describe("IncrementalPreflight", () => {
  let defects: PreflightInput;
  before(async () => {
    defects = inputOf(
      await evaluateOnce({
        program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "deploy-defects.ts"),
        project: "clinic",
        stack: "dev",
        config: { "aws:region": "eu-west-1" },
      }),
    );
  });

  it("gives the findings preflight gives, in its order, for programs added in any order", async () => {
    // The fixture's defects in one account with ireland: stack rules and account rules both find.
    const inputs = [inputOf(await stack("ireland")), defects, inputOf(await stack("oregon"))];
    const expected = (await preflight(inputs)).stacks;
    expect(expected.flatMap((s) => s.deploy)).to.have.length.greaterThan(10);
    expect(expected.flatMap((s) => s.deploy).map((f) => f.rule)).to.include(
      "singleton-per-account-region",
    );
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
    ]) {
      expect(await incremental(inputs, order), `added in order ${order.join(",")}`).to.deep.equal(
        expected,
      );
    }
  });

  it("fails when a stack is added twice, or finish names one never added", async () => {
    const run = new IncrementalPreflight();
    await run.add(defects);
    let twice: unknown;
    await run.add(defects).catch((err: unknown) => (twice = err));
    expect(String(twice)).to.include("dev was added twice");
    let missing: unknown;
    await run.finish(["dev", "prod"]).catch((err: unknown) => (missing = err));
    expect(String(missing)).to.include("prod was never added");
  });
});

describe("IncrementalPreflight (account rules warmed up while programs arrive)", () => {
  /** An account rule that notes the stacks of every run and finds something on a partial account. */
  const probe = (seen: string[][], expected: number): AccountRule => ({
    id: "probe",
    family: "singletons",
    kind: "fails-deploy",
    scope: "account",
    description: "Notes the programs it is run on.",
    reference: { title: "none", url: "https://example.org" },
    check(graphs) {
      seen.push(graphs.map((g) => g.stack));
      if (graphs.length < expected) {
        if (graphs.length === 1) throw new Error("a partial account refused");
        return [{ urn: null, message: "found on a partial account" }];
      }
      return [];
    },
  });
  const program = (name: string): PreflightInput => ({
    stack: name,
    region: "eu-west-1",
    resources: [],
  });
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it("runs the account rules on the programs added so far, and reports only those of the whole account", async () => {
    const seen: string[][] = [];
    const run = new IncrementalPreflight([probe(seen, 3)]);
    await run.add(program("a"));
    await nextTurn();
    await run.add(program("b"));
    await nextTurn();
    // The warm-ups ran on what had arrived: one refused, one found something.
    expect(seen).to.deep.equal([["a"], ["a", "b"]]);
    await run.add(program("c"));
    const result = await run.finish(["a", "b", "c"]);
    // finish, called right after the last add, runs before any warm-up of the whole account.
    expect(seen).to.deep.equal([["a"], ["a", "b"], ["a", "b", "c"]]);
    expect(result.stacks.flatMap((s) => s.deploy)).to.deep.equal([]);
    await nextTurn();
    expect(seen).to.have.length(3);
  });
});
