import { expect } from "chai";
import * as path from "node:path";
import { Evaluation, EvaluationError, PROJECT_DIR } from "../../tools/engine";
import { locateProgram, workingDirectory } from "../../tools/engine/project";
import { evaluateInWorker } from "../../tools/engine/worker";
import { main } from "../../tools/plan/cli";
import { resolveTargets } from "../../tools/plan/inputs";
import { evaluateOnce, evaluateShared, one } from "../helpers";
import { afterStacks } from "../helpers/early";
import { programDir } from "../helpers/temp";

const fixture = (name: string) =>
  path.join(PROJECT_DIR, "tests", "fixtures", "programs", `${name}.ts`);

const request = (program: string, extra: object = {}) => ({
  program: fixture(program),
  project: "foreign",
  stack: "dev",
  config: { "aws:region": "eu-west-2" },
  timeoutMs: 20_000,
  ...extra,
});

/**
 * A fixture that settles, as crossguard.spec evaluates it: the same request, so the two suites
 * share one evaluation (callback-function's closure serialization loads the TypeScript compiler,
 * about 2 s of a worker's time).
 */
const settling = (program: string) => ({
  program: fixture(program),
  project: "foreign",
  stack: "dev",
  config: { "aws:region": "eu-west-1" },
});

function failureOf(promise: Promise<unknown>): Promise<EvaluationError> {
  return promise.then(
    () => {
      throw new Error("expected the evaluation to fail");
    },
    (err: unknown) => {
      expect(err).to.be.instanceOf(EvaluationError);
      return err as EvaluationError;
    },
  );
}

describe("tools/engine on programs written elsewhere", () => {
  const runs: Record<string, Promise<Evaluation>> = {};
  // Started when the file loads, not when the suite begins: the evaluations run beside the
  // suites before this one (tests/setup.ts), and the tests await theirs.
  runs.references = evaluateOnce(settling("resource-reference"));
  runs.callback = evaluateOnce(settling("callback-function"));
  // A failing program gets a worker of its own (worker.ts).
  runs.rejects = afterStacks(() => evaluateInWorker(request("rejects-early")));
  for (const run of Object.values(runs)) run.catch(() => undefined);

  it("gives a resource passed as an input its id, as the engine does for the AWS provider", async () => {
    const evaluation = await runs.references;
    const role = one(evaluation.resources, "aws:iam/role:Role");
    const attachment = one(
      evaluation.resources,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    );
    expect(role.id).to.be.a("string").and.not.equal("");
    expect(attachment.inputs.role).to.equal(role.id);
    expect(evaluation.outputs.attachedTo).to.equal(evaluation.outputs.roleName);
  });

  it("serializes a magic function's closure inside an evaluation worker", async () => {
    const evaluation = await runs.callback;
    const fn = one(evaluation.resources, "aws:lambda/function:Function");
    expect(fn.name).to.equal("on-upload");
    expect(one(evaluation.resources, "aws:lambda/permission:Permission").inputs.function).to.equal(
      fn.outputs.name,
    );
  });

  it("fails with the first error as it happens, not with a timeout naming what waited on it", async () => {
    const failure = await failureOf(runs.rejects);
    expect(failure.kind).to.equal("program");
    expect(failure.message).to.match(
      /^the offline plan has no outputs for the stack reference "acme\/network\/prod": give them in a YAML file passed with --mocks/,
    );
    expect(failure.message.split("\n")).to.have.length(1);
  });
});

/** A program in a temporary folder outside the repository: no node_modules, no tsconfig. */
function program(files: Record<string, string>): string {
  return programDir("ehealth-foreign-", files);
}

async function plan(argv: string[]): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const code = await main(
    argv,
    () => undefined,
    (s) => err.push(s),
    evaluateShared,
    {},
  );
  return { code, err };
}

describe("npm run plan -- --program on programs written elsewhere", () => {
  it("runs a program in its project's folder, so that it reads its files by relative paths", async () => {
    const dir = program({
      "Pulumi.yaml": "name: site\nruntime: nodejs\n",
      "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-2\n",
      "index.ts": [
        'import * as aws from "@pulumi/aws";',
        'import { readdirSync, readFileSync } from "node:fs";',
        'const site = new aws.s3.Bucket("site");',
        'for (const file of readdirSync("www")) {',
        "  new aws.s3.BucketObject(file, {",
        "    bucket: site.id,",
        '    content: readFileSync(`www/${file}`, "utf8"),',
        "  });",
        "}",
        "",
      ].join("\n"),
      "www/index.html": "<h1>clinic hours</h1>",
    });
    const evaluation = await evaluateShared(resolveTargets({ program: dir }).requests[0]);
    const page = one(evaluation.resources, "aws:s3/bucketObject:BucketObject");
    expect(page.name).to.equal("index.html");
    expect(page.inputs.content).to.equal("<h1>clinic hours</h1>");
  });

  it("chooses the working directory as the Pulumi CLI does: the project, main's folder, or main's file's folder", () => {
    const root = program({
      "Pulumi.yaml": "name: a\nruntime: nodejs\n",
      "index.ts": "",
      "app/Pulumi.yaml": "name: b\nruntime: nodejs\nmain: src/\n",
      "app/src/index.ts": "",
      "file/Pulumi.yaml": "name: c\nruntime: nodejs\nmain: infra/main.ts\n",
      "file/infra/main.ts": "",
      "loose/program.ts": "",
    });
    const cwd = (target: string) => workingDirectory(locateProgram(path.join(root, target)));
    expect(cwd(".")).to.equal(root);
    expect(cwd("app")).to.equal(path.join(root, "app", "src"));
    expect(cwd("file")).to.equal(path.join(root, "file", "infra"));
    expect(cwd("loose/program.ts")).to.equal(path.join(root, "loose"));
  });

  it("gives a stack without a file the config its template gives new stacks, as pulumi new writes it", async () => {
    const dir = program({
      "Pulumi.yaml": [
        "name: steps",
        "runtime: nodejs",
        "template:",
        "  config:",
        "    aws:region:",
        "      description: The AWS region to deploy into",
        "      default: us-east-2",
        "    greeting:",
        "      default: hello",
        "",
      ].join("\n"),
      "index.ts": [
        'import * as aws from "@pulumi/aws";',
        'import * as pulumi from "@pulumi/pulumi";',
        "export const region = aws.config.requireRegion();",
        'export const greeting = new pulumi.Config().require("greeting");',
        "",
      ].join("\n"),
    });
    const [request] = resolveTargets({ program: dir }).requests;
    expect(request.config).to.include({ "aws:region": "us-east-2", "steps:greeting": "hello" });
    const evaluation = await evaluateShared(request);
    expect(evaluation.region).to.equal("us-east-2");
    expect(evaluation.outputs).to.deep.equal({ region: "us-east-2", greeting: "hello" });
  });

  it("plans a program that sets no region in the region the mocks answer in, and says so", async () => {
    const dir = program({
      "index.ts": [
        'import * as aws from "@pulumi/aws";',
        "export const region = aws.config.requireRegion();",
        "export const zone = aws.getAvailabilityZonesOutput().names.apply((n) => n[0]);",
        "",
      ].join("\n"),
    });
    const [request] = resolveTargets({ program: path.join(dir, "index.ts") }).requests;
    const evaluation = await evaluateShared(request);
    expect(evaluation.outputs.region).to.equal(evaluation.region);
    expect(String(evaluation.outputs.zone).startsWith(evaluation.region)).to.equal(true);
    const run = await plan(["--program", path.join(dir, "index.ts")]);
    expect(run.err.join("\n")).to.include(
      `dev: aws:region is not set: planning in ${evaluation.region}`,
    );
  });

  it("names the folder holding the program's package.json as the one to npm install in", async () => {
    const dir = program({
      "Pulumi.yaml": "name: nested\nruntime: nodejs\nmain: src/index.ts\n",
      "package.json": '{ "name": "nested", "dependencies": { "left-pad": "^1.3.0" } }',
      "src/index.ts": 'import "./network";\n',
      "src/network.ts": 'import pad from "left-pad";\nexport const x = pad;\n',
    });
    const run = await plan(["--program", dir]);
    expect(run.code).to.equal(2);
    const last = run.err[run.err.length - 1];
    // Paths as the person running the plan reads them, not as the program's folder sees them.
    expect(last).to.include(`Cannot find module 'left-pad' (imported by ${dir}/src/network.ts)`);
    expect(last).to.include(`(npm install in ${dir})`);
  });
});
