import { expect } from "chai";
import * as path from "node:path";
import {
  Evaluation,
  EvaluationRequest,
  PROJECT_DIR,
  evaluateInWorker,
  stackRequest,
} from "../../tools/engine";
import { evaluateOnce, evaluateShared, stack } from "../helpers";

/**
 * A fixture program as crossguard.spec and the preflight's suites evaluate it (the same project
 * and stack): the direct path's evaluation is theirs, shared (evaluateOnce).
 */
const FIXTURES: Readonly<Record<string, { project: string; stack: string }>> = {
  secrets: { project: "foreign", stack: "dev" },
  "insecure-healthcare": { project: "clinic", stack: "prod" },
  "deploy-defects": { project: "clinic", stack: "dev" },
};

const fixture = (name: string): EvaluationRequest => ({
  program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", `${name}.ts`),
  ...FIXTURES[name],
  config: { "aws:region": "eu-west-1" },
});

/** Everything an evaluation produced except how long it took. */
const produced = (e: Evaluation) => ({ ...e, timingsMs: undefined });

/**
 * The engine answers registrations itself, skips the SDK's call-site capture and its promise
 * bookkeeping, and in a worker of its own uses the SDK's global store (recorder.ts, evaluate.ts);
 * the reference runs the same program through the SDK's own mock monitor with call
 * sites captured. Every record (URN, id, parent, provider, dependencies, inputs, outputs, secret
 * inputs, options) and the stack outputs must be the same, in the same order.
 */
describe("tools/engine: the direct path against the SDK's mock monitor", () => {
  for (const name of ["ireland", "oregon"]) {
    it(`records the ${name} stack exactly as the SDK's mock monitor does`, async () => {
      const [direct, reference] = await Promise.all([
        stack(name),
        evaluateShared({ ...stackRequest(name), reference: true }),
      ]);
      expect(direct.resources.length).to.be.greaterThan(250);
      expect(produced(direct)).to.deep.equal(produced(reference));
    });
  }

  it("records ireland in a worker of its own (the plan's, in the SDK's global store) as in a shared one", async () => {
    const [own, shared] = await Promise.all([
      evaluateInWorker(stackRequest("ireland")),
      stack("ireland"),
    ]);
    expect(own.resources.length).to.be.greaterThan(250);
    expect(produced(own)).to.deep.equal(produced(shared));
  });

  for (const name of Object.keys(FIXTURES)) {
    it(`records the ${name} fixture exactly as the SDK's mock monitor does`, async () => {
      const [direct, reference] = await Promise.all([
        evaluateOnce(fixture(name)),
        evaluateShared({ ...fixture(name), reference: true }),
      ]);
      expect(direct.resources.length).to.be.greaterThan(0);
      expect(produced(direct)).to.deep.equal(produced(reference));
    });
  }

  it("keeps secret inputs marked as secret on the direct path", async () => {
    const direct = await evaluateOnce(fixture("secrets"));
    expect(direct.resources.some((r) => r.secretInputs.length > 0)).to.equal(true);
  });
});
