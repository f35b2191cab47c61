import { expect } from "chai";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";
import { DEFERRED, pulumiRoot } from "../../tools/engine/sdk";
import { evaluateInWorker } from "../../tools/engine/worker";

describe("tools/engine/sdk", () => {
  it("defers every function the SDK's closure modules export, and nothing they do not", () => {
    const root = pulumiRoot();
    for (const [relative, names] of Object.entries(DEFERRED)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const real = require(path.join(root, relative)) as Record<string, unknown>;
      const exported = Object.keys(real).filter((k) => typeof real[k] === "function");
      expect([...names].sort(), relative).to.deep.equal(exported.sort());
    }
  });

  it("loads neither the TypeScript compiler nor arborist in a worker whose program serializes no closure", async () => {
    const evaluation = await evaluateInWorker({
      program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "loaded-modules.ts"),
      project: "fixture",
      stack: "test",
      config: { "aws:region": "eu-west-1" },
    });
    expect(evaluation.resources.map((r) => r.type)).to.include("aws:s3/bucket:Bucket");
    expect(evaluation.outputs).to.deep.equal({ typescriptLoaded: false, arboristLoaded: false });
  });
});
