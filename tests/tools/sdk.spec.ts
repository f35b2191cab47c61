import { tsxEmbedsSources } from "../../tools/engine/compile-cache";
import { expect } from "chai";
import Module from "node:module";
import * as path from "node:path";
import { Evaluation, EvaluationRequest, PROJECT_DIR } from "../../tools/engine";
import { DEFERRED, pulumiRoot } from "../../tools/engine/sdk";
import {
  evaluateInWorker,
  prestartWorkers,
  typescriptWorker,
  waitingWorkers,
} from "../../tools/engine/worker";
import { evaluateOnce } from "../helpers";
import { afterStacks } from "../helpers/early";

interface SdkLoads {
  readonly fromCompileCache: boolean;
  readonly realExports: Record<string, string[]>;
  readonly before: { typescript: boolean; arborist: boolean; awsNamespaces: number };
  readonly bucketIsClass: boolean;
  readonly serialized?: string;
  readonly serializeFailed?: string;
  readonly after: { typescript: boolean; arborist: boolean };
}

/** A fixture program evaluated as the suites' fixtures are, by name. */
const fixtureRequest = (name: string): EvaluationRequest => ({
  program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", `${name}.ts`),
  project: "fixture",
  stack: "test",
  config: { "aws:region": "eu-west-1" },
});

const file = (relative: string) => path.join(pulumiRoot(), relative);

describe("tools/engine/sdk", () => {
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

    it("loads the SDKs without the TypeScript compiler or arborist, and every @pulumi/aws namespace with them", async () => {
      const { before } = await reply;
      expect(before.typescript).to.equal(false);
      expect(before.arborist).to.equal(false);
      // Such a thread may serialize closures or rehydrate resource references: it keeps the
      // namespaces the SDK registers as it loads (sdk.ts deferClosureSerialization). About 240.
      expect(before.awsNamespaces).to.be.greaterThan(200);
    });

    it("loads the SDK's own closure serializer when the file serializes a closure", async () => {
      const { bucketIsClass, serialized, serializeFailed, after } = await reply;
      expect(bucketIsClass).to.equal(true);
      // The SDK's serializer ran and failed as it does in any worker thread, deferred or not:
      // it requires node:trace_events, which workers do not have (the fixture's comment).
      expect(serialized).to.equal(undefined);
      expect(serializeFailed).to.equal("ERR_TRACE_EVENTS_UNAVAILABLE");
      // Serializing loads the compiler; arborist comes only with computeCodePaths.
      expect(after).to.deep.equal({ typescript: true, arborist: false });
    });

    it("loads the file it runs from the compile cache (tools/engine/compile-cache.ts)", async () => {
      // Unless tsx embeds the sources in its maps (coverage, a debugger): the cache steps aside.
      expect((await reply).fromCompileCache).to.equal(!tsxEmbedsSources());
    });
  });

  describe("a worker that evaluates one program", () => {
    // Started when the file loads (once the stacks are in): the worker evaluates beside the suites
    // before this one (helpers/early.ts).
    const evaluation: Promise<Evaluation> = afterStacks(() =>
      evaluateInWorker(fixtureRequest("loaded-modules")),
    );

    const serializing: Promise<Evaluation> = afterStacks(() =>
      evaluateOnce(fixtureRequest("serialize-namespace")),
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

    it("serializes a closure that holds a deferred namespace as the SDK does without deferring: a require of its module, which runs", async () => {
      const { outputs } = await serializing;
      const text = String(outputs.text);
      expect(text).to.include("@pulumi/aws/kms/index.js");
      expect(text).to.not.include('require("./key")');
      expect(outputs.sameObject).to.equal(true);
      // Run as Lambda would load it, from the project (where @pulumi/aws resolves).
      const file = path.join(PROJECT_DIR, "serialized-closure.js");
      const compiled = new Module(file) as Module & {
        _compile(text: string, file: string): void;
      };
      compiled.filename = file;
      compiled.paths = (
        Module as unknown as { _nodeModulePaths(dir: string): string[] }
      )._nodeModulePaths(PROJECT_DIR);
      compiled._compile(text, file);
      expect((compiled.exports as { handler(): unknown }).handler()).to.equal("function");
    });

    it("runs the program in the SDK's global store, outside any AsyncLocalStorage", async () => {
      expect((await evaluation).outputs.inLocalStorage).to.equal(false);
    });
  });

  describe("a worker started before its program is known (prestartWorkers)", () => {
    it("evaluates the next program evaluateInWorker is given, as a worker started for it does, and then waits no more", async () => {
      prestartWorkers(1);
      expect(waitingWorkers()).to.equal(1);
      const { resources, outputs } = await evaluateInWorker(fixtureRequest("loaded-modules"));
      expect(waitingWorkers()).to.equal(0);
      expect(resources.map((r) => r.type)).to.include("aws:s3/bucket:Bucket");
      expect(outputs.typescriptLoaded).to.equal(false);
      expect(outputs.arboristLoaded).to.equal(false);
      expect(outputs.inLocalStorage).to.equal(false);
      // The engine's own files came from the compile cache (tools/engine/compile-cache.ts).
      expect(outputs.engineFromCompileCache).to.equal(!tsxEmbedsSources());
    });

    it("is no longer waiting once it has ended unused, and the next program gets a worker of its own", async () => {
      const [worker] = prestartWorkers(1);
      await worker.terminate();
      expect(waitingWorkers()).to.equal(0);
      const { resources } = await evaluateInWorker(fixtureRequest("loaded-modules"));
      expect(resources.map((r) => r.type)).to.include("aws:s3/bucket:Bucket");
    });
  });
});
