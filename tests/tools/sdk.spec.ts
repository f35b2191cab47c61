import { expect } from "chai";
import * as path from "node:path";
import { Evaluation, PROJECT_DIR } from "../../tools/engine";
import { DEFERRED, pulumiRoot } from "../../tools/engine/sdk";
import { evaluateInWorker, prestartWorkers, waitingWorkers } from "../../tools/engine/worker";
import { afterStacks } from "../helpers/early";

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

  describe("a worker that evaluates one program", () => {
    // Started when the file loads (once the stacks are in): the worker evaluates beside the suites
    // before this one (helpers/early.ts).
    const evaluation: Promise<Evaluation> = afterStacks(() =>
      evaluateInWorker({
        program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "loaded-modules.ts"),
        project: "fixture",
        stack: "test",
        config: { "aws:region": "eu-west-1" },
      }),
    );

    it("loads neither the TypeScript compiler nor arborist when the program serializes no closure", async () => {
      const { resources, outputs } = await evaluation;
      expect(resources.map((r) => r.type)).to.include("aws:s3/bucket:Bucket");
      expect(outputs.typescriptLoaded).to.equal(false);
      expect(outputs.arboristLoaded).to.equal(false);
    });

    it("loads only the @pulumi/aws namespaces the program reads (sdk.ts deferAwsNamespaces)", async () => {
      // aws.s3, and the few namespaces the bucket's own module requires, of about 240.
      const loaded = (await evaluation).outputs.awsNamespaces as string[];
      expect(loaded).to.include("s3");
      expect(loaded).to.not.include.members(["accessanalyzer", "ec2", "kms", "xray"]);
      expect(loaded.length).to.be.below(10);
    });

    it("runs the program in the SDK's global store, outside any AsyncLocalStorage", async () => {
      expect((await evaluation).outputs.inLocalStorage).to.equal(false);
    });
  });

  describe("a worker started before its program is known (prestartWorkers)", () => {
    it("evaluates the next program evaluateInWorker is given, as a worker started for it does, and then waits no more", async () => {
      prestartWorkers(1);
      expect(waitingWorkers()).to.equal(1);
      const { resources, outputs } = await evaluateInWorker({
        program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "loaded-modules.ts"),
        project: "fixture",
        stack: "test",
        config: { "aws:region": "eu-west-1" },
      });
      expect(waitingWorkers()).to.equal(0);
      expect(resources.map((r) => r.type)).to.include("aws:s3/bucket:Bucket");
      expect(outputs.typescriptLoaded).to.equal(false);
      expect(outputs.arboristLoaded).to.equal(false);
      expect(outputs.inLocalStorage).to.equal(false);
    });

    it("is no longer waiting once it has ended unused, and the next program gets a worker of its own", async () => {
      const [worker] = prestartWorkers(1);
      await worker.terminate();
      expect(waitingWorkers()).to.equal(0);
      const { resources } = await evaluateInWorker({
        program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "loaded-modules.ts"),
        project: "fixture",
        stack: "test",
        config: { "aws:region": "eu-west-1" },
      });
      expect(resources.map((r) => r.type)).to.include("aws:s3/bucket:Bucket");
    });
  });
});
