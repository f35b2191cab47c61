import { expect } from "chai";
import * as path from "node:path";
import { Evaluation, PROJECT_DIR } from "../../tools/engine";
import { DEFERRED, pulumiRoot } from "../../tools/engine/sdk";
import {
  evaluateInWorker,
  prestartWorkers,
  typescriptWorker,
  waitingWorkers,
} from "../../tools/engine/worker";
import { afterStacks } from "../helpers/early";

interface SdkLoads {
  readonly realExports: Record<string, string[]>;
  readonly before: { typescript: boolean; arborist: boolean; awsNamespaces: number };
  readonly bucketIsClass: boolean;
  readonly awsNamespacesAfterRead: number;
  readonly serialized?: string;
  readonly serializeFailed?: string;
  readonly after: { typescript: boolean; arborist: boolean };
}

const file = (relative: string) => path.join(pulumiRoot(), relative);

const loadedHere = (pkg: string) =>
  Object.keys(require.cache).some((loaded) => loaded.includes(`/node_modules/${pkg}/`));

describe("tools/engine/sdk", () => {
  it("defers closure serialization on the tests' thread too: the SDK loaded here without arborist", () => {
    // tests/setup.ts loads the helpers, and with them the SDK, before any spec.
    expect(loadedHere("@pulumi/pulumi")).to.equal(true);
    expect(loadedHere("@npmcli/arborist")).to.equal(false);
  });

  describe("a worker that runs a TypeScript file (typescriptWorker)", () => {
    // Started once the stacks are in, beside the suites before this one (helpers/early.ts).
    const reply = afterStacks(
      () =>
        new Promise<SdkLoads>((resolve, reject) => {
          const worker = typescriptWorker(
            path.join(PROJECT_DIR, "tests", "fixtures", "workers", "sdk-loads.ts"),
            { stderr: false, workerData: { deferred: Object.keys(DEFERRED).map(file) } },
          );
          worker.once("message", (message: SdkLoads) => {
            resolve(message);
            void worker.terminate();
          });
          worker.once("error", reject);
        }),
    );

    it("has deferred every function the SDK's closure modules export, and nothing they do not", async () => {
      // Read in the worker: this thread holds the stand-ins (tests/setup.ts).
      const { realExports } = await reply;
      for (const [relative, names] of Object.entries(DEFERRED)) {
        const real = realExports[file(relative)];
        expect(real, relative).to.be.an("array").that.is.not.empty;
        expect([...names].sort(), relative).to.deep.equal([...real].sort());
      }
    });

    it("loads the SDKs without the TypeScript compiler, arborist, or @pulumi/aws's namespaces", async () => {
      const { before } = await reply;
      expect(before).to.deep.equal({ typescript: false, arborist: false, awsNamespaces: 0 });
    });

    it("loads a namespace when the file reads it, and the SDK's own closure serializer when it serializes one", async () => {
      const { bucketIsClass, awsNamespacesAfterRead, serialized, serializeFailed, after } =
        await reply;
      expect(bucketIsClass).to.equal(true);
      expect(awsNamespacesAfterRead).to.be.at.least(1);
      // The SDK's serializer ran and failed as it does in any worker thread, deferred or not:
      // it requires node:trace_events, which workers do not have (the fixture's comment).
      expect(serialized).to.equal(undefined);
      expect(serializeFailed).to.equal("ERR_TRACE_EVENTS_UNAVAILABLE");
      // Serializing loads the compiler; arborist comes only with computeCodePaths.
      expect(after).to.deep.equal({ typescript: true, arborist: false });
    });
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
