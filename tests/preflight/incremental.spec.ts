import { expect } from "chai";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";
import { IncrementalPreflight, PreflightInput, preflight } from "../../tools/preflight";
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
