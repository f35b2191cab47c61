import { expect } from "chai";
import * as path from "node:path";
import { Evaluation, EvaluationError, PROJECT_DIR } from "../../tools/engine";
import { ChildPool } from "../../tools/engine/child";
import type { EvaluationRequest } from "../../tools/engine/types";
import { afterStacks } from "../helpers/early";
import { programDir } from "../helpers/temp";

/** A program in a temporary folder outside the repository: no node_modules, no tsconfig. */
function program(files: Record<string, string>): string {
  return programDir("ehealth-child-", files);
}

const request = (dir: string, extra: Partial<EvaluationRequest> = {}): EvaluationRequest => ({
  program: path.join(dir, "index.ts"),
  project: "child",
  stack: "dev",
  config: { "aws:region": "eu-west-2" },
  cwd: dir,
  timeoutMs: 20_000,
  ...extra,
});

/** An evaluation without its timings, which differ from run to run. */
function result(evaluation: Evaluation): Evaluation {
  return { ...evaluation, timingsMs: { program: 0 } };
}

const names = (evaluation: Evaluation) =>
  evaluation.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name);

describe("tools/engine/child", () => {
  // A program whose imported module declares resources when it loads and reads a file by a
  // relative path: evaluated again in the same child, it must load that module again, in its
  // own folder.
  const site = program({
    "index.ts": 'import { pages } from "./site";\nexport const count = pages;\n',
    "site.ts": [
      'import * as aws from "@pulumi/aws";',
      'import { readdirSync, readFileSync } from "node:fs";',
      'const bucket = new aws.s3.Bucket("site");',
      'export const pages = readdirSync("www").map((file) =>',
      "  new aws.s3.BucketObject(file, {",
      "    bucket: bucket.id,",
      '    content: readFileSync(`www/${file}`, "utf8"),',
      "  }) && file,",
      ");",
      "",
    ].join("\n"),
    "www/index.html": "<h1>clinic hours</h1>",
  });
  const insecure = path.join(PROJECT_DIR, "tests", "fixtures", "programs");
  const insecureRequest = request(insecure, {
    program: path.join(insecure, "insecure-healthcare.ts"),
    config: { "aws:region": "eu-west-1" },
    check: { config: {}, now: "2026-12-02T00:00:00.000Z" },
  });
  // A program that leaves work behind after it settles: a timer that waits for the next program
  // to start, then declares a resource. It belongs to this program's store, never to the next's.
  const leaves = program({
    "index.ts": [
      'import * as aws from "@pulumi/aws";',
      "const shared = globalThis as { nextRunning?: boolean; lateRan?: boolean };",
      'new aws.s3.Bucket("first");',
      "const poll = () => {",
      "  if (!shared.nextRunning) return void setTimeout(poll, 5);",
      '  new aws.s3.Bucket("late");',
      "  shared.lateRan = true;",
      "};",
      "setTimeout(poll, 5);",
      "",
    ].join("\n"),
  });
  const next = program({
    "index.ts": [
      'import * as aws from "@pulumi/aws";',
      "const shared = globalThis as { nextRunning?: boolean; lateRan?: boolean };",
      "shared.nextRunning = true;",
      'new aws.s3.Bucket("second");',
      "const started = Date.now();",
      "export const late = new Promise<string>((resolve) => {",
      '  const poll = (): unknown => shared.lateRan ? resolve("ran") : Date.now() - started > 10_000 ? resolve("never ran") : setTimeout(poll, 5);',
      "  poll();",
      "});",
      "",
    ].join("\n"),
  });
  const fails = program({
    "index.ts":
      'import * as aws from "@pulumi/aws";\nnew aws.s3.Bucket("doomed");\nthrow new Error("fails on purpose");\n',
  });
  // A program that fails with a timer of its own still pending: it could run again later, in the
  // next program's folder.
  const failsWaiting = program({
    "index.ts":
      'setTimeout(() => undefined, 60_000);\nthrow new Error("fails with a timer pending");\n',
  });

  const reused = new ChildPool(1);
  const fresh = new ChildPool(0);
  const inOne: Record<string, Evaluation> = {};
  const inNew: Record<string, Evaluation> = {};
  let failure: unknown;
  let afterFailure: number;
  let waitingFailure: unknown;
  let afterWaitingFailure: number;

  // Started when the file loads (once the stacks are in), not when the suite begins: the children
  // evaluate beside the suites before this one (helpers/early.ts), and the suite waits for the last.
  const evaluated = afterStacks(async () => {
    // The fresh children start beside the reused one: they are independent processes.
    const alone = Promise.all([fresh.evaluate(request(site)), fresh.evaluate(insecureRequest)]);
    alone.catch(() => undefined);
    inOne.site = await reused.evaluate(request(site));
    inOne.insecure = await reused.evaluate(insecureRequest);
    inOne.siteAgain = await reused.evaluate(request(site));
    inOne.leaves = await reused.evaluate(request(leaves));
    inOne.next = await reused.evaluate(request(next));
    failure = await reused.evaluate(request(fails)).catch((err: unknown) => err);
    inOne.insecureAgain = await reused.evaluate(insecureRequest);
    afterFailure = reused.started;
    waitingFailure = await reused.evaluate(request(failsWaiting)).catch((err: unknown) => err);
    inOne.siteAfterWaiting = await reused.evaluate(request(site));
    afterWaitingFailure = reused.started;
    [inNew.site, inNew.insecure] = await alone;
  });
  before(() => evaluated);

  after(() => {
    reused.close();
    fresh.close();
  });

  it("evaluates programs one after another in one child, as a new child evaluates each", () => {
    // Five programs, a failing one, and one more, in the first child the pool started.
    expect(afterFailure).to.equal(1);
    expect(fresh.started).to.equal(2);
    expect(result(inOne.site)).to.deep.equal(result(inNew.site));
    expect(result(inOne.insecure)).to.deep.equal(result(inNew.insecure));
    expect(inOne.insecure.checks?.violations.length).to.be.greaterThan(0);
  });

  it("loads a program again, modules and all, in its own folder, when a child evaluates it a second time", () => {
    expect(names(inOne.site)).to.deep.equal(["site", "index.html"]);
    expect(inOne.site.outputs.count).to.deep.equal(["index.html"]);
    expect(result(inOne.siteAgain)).to.deep.equal(result(inNew.site));
  });

  it("keeps the work a finished program left behind out of the next program's resources", () => {
    expect(inOne.next.outputs.late, "the earlier program's timer ran during this one").to.equal(
      "ran",
    );
    expect(names(inOne.next)).to.deep.equal(["second"]);
    expect(names(inOne.leaves)).to.include("first");
  });

  it("reports a failed program that left nothing running and keeps its child for the next program", () => {
    expect(failure).to.be.instanceOf(EvaluationError);
    expect((failure as EvaluationError).message).to.equal("fails on purpose");
    expect(afterFailure, "children started by the end of the program after it").to.equal(1);
    expect(result(inOne.insecureAgain)).to.deep.equal(result(inNew.insecure));
  });

  it("reports a failed program that left a timer pending and stops its child: the next program gets a new one", () => {
    expect(waitingFailure).to.be.instanceOf(EvaluationError);
    expect((waitingFailure as EvaluationError).message).to.equal("fails with a timer pending");
    expect(afterWaitingFailure).to.equal(2);
    expect(result(inOne.siteAfterWaiting)).to.deep.equal(result(inNew.site));
  });
});
