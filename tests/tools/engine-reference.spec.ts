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
import { afterStacks, started } from "../helpers/early";
import { programDir } from "../helpers/temp";

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

/** A program of the given source in a temporary folder, as a request for the tests below. */
function programRequest(source: string): EvaluationRequest {
  const dir = programDir("ehealth-outputs-", { "index.ts": source });
  return {
    program: path.join(dir, "index.ts"),
    project: "outputs",
    stack: "dev",
    config: { "aws:region": "eu-west-1" },
    cwd: dir,
  };
}

/** How a request ends on the direct path and on the SDK's: "settled", or its error's message. */
function endings(request: EvaluationRequest): Promise<string[]> {
  return Promise.all(
    [request, { ...request, reference: true }].map((r) =>
      evaluateShared(r).then(
        () => "settled",
        (err: unknown) => (err as Error).message,
      ),
    ),
  );
}

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
  // The reference evaluations start when the file loads: the shared workers run them beside the
  // suites before this one (tests/setup.ts, helpers/early.ts), and the tests await theirs.
  const references = new Map(
    ["ireland", "oregon"].map((name) => [
      name,
      started(evaluateShared({ ...stackRequest(name), reference: true })),
    ]),
  );
  const ownWorker = afterStacks(() => evaluateInWorker(stackRequest("ireland")));
  const fixtureReferences = new Map(
    Object.keys(FIXTURES).map((name) => [
      name,
      started(evaluateShared({ ...fixture(name), reference: true })),
    ]),
  );

  for (const name of ["ireland", "oregon"]) {
    it(`records the ${name} stack exactly as the SDK's mock monitor does`, async () => {
      const [direct, reference] = await Promise.all([stack(name), references.get(name)!]);
      expect(direct.resources.length).to.be.greaterThan(250);
      expect(produced(direct)).to.deep.equal(produced(reference));
    });
  }

  it("records ireland in a worker of its own (the plan's, in the SDK's global store) as in a shared one", async () => {
    const [own, shared] = await Promise.all([ownWorker, stack("ireland")]);
    expect(own.resources.length).to.be.greaterThan(250);
    expect(produced(own)).to.deep.equal(produced(shared));
  });

  for (const name of Object.keys(FIXTURES)) {
    it(`records the ${name} fixture exactly as the SDK's mock monitor does`, async () => {
      const [direct, reference] = await Promise.all([
        evaluateOnce(fixture(name)),
        fixtureReferences.get(name)!,
      ]);
      expect(direct.resources.length).to.be.greaterThan(0);
      expect(produced(direct)).to.deep.equal(produced(reference));
    });
  }

  it("keeps secret inputs marked as secret on the direct path", async () => {
    const direct = await evaluateOnce(fixture("secrets"));
    expect(direct.resources.some((r) => r.secretInputs.length > 0)).to.equal(true);
  });

  describe("resources' output properties, made when first read (evaluate.ts deferOutputs)", () => {
    // Reads before the registration answers and after it, a write, the property list, a resource
    // exported whole; `unreadIsGetter` says whether the engine left the unread property unmade.
    const reads = programRequest(
      [
        'import * as aws from "@pulumi/aws";',
        'const bucket = new aws.s3.Bucket("records", { tags: { Team: "records" } });',
        'const unread = Object.getOwnPropertyDescriptor(bucket, "arn");',
        'export const unreadIsGetter = typeof unread?.get === "function";',
        "export const early = bucket.bucket;",
        'const late = new aws.s3.Bucket("late", { forceDestroy: false });',
        "export const afterAnswer = late.id.apply(() => late.arn);",
        "export const afterAnswerTwice = late.id.apply(() => late.arn.apply((arn) => `${arn}/x`));",
        'export const listed = Object.keys(late).filter((k) => !k.startsWith("__")).sort();',
        'const written = new aws.s3.Bucket("written");',
        '(written as unknown as { region: string }).region = "written-here";',
        "export const region = (written as unknown as { region: string }).region;",
        "export const whole = late;",
        'new aws.s3.BucketPolicy("policy", { bucket: late.id, policy: late.arn.apply((arn) => JSON.stringify({ Statement: [{ Resource: arn }] })) });',
        "",
      ].join("\n"),
    );
    // A registration that fails (a stack reference the mocks have no outputs for), its outputs
    // read, and not read.
    const failed = (read: boolean) =>
      programRequest(
        [
          'import * as pulumi from "@pulumi/pulumi";',
          'const ref = new pulumi.StackReference("org/records/prod");',
          read ? 'export const vpc = ref.getOutput("vpcId");' : "",
          "",
        ].join("\n"),
      );

    it("records and exports what the SDK's own properties give, read before the answer or after", async () => {
      const [direct, reference] = await readsBoth;
      expect(direct.outputs.unreadIsGetter, "an unread output property was made").to.equal(true);
      expect(reference.outputs.unreadIsGetter).to.equal(false);
      const besides = (outputs: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(outputs).filter(([k]) => k !== "unreadIsGetter"));
      expect(besides(direct.outputs)).to.deep.equal(besides(reference.outputs));
      expect(direct.resources).to.deep.equal(reference.resources);
      // What was read is what the mocks answered, not undefined or an Output's message.
      const late = direct.resources.find((r) => r.name === "late")!;
      expect(direct.outputs.afterAnswer)
        .to.equal(late.outputs.arn)
        .and.match(/^arn:aws:s3:::/);
      expect(direct.outputs.afterAnswerTwice).to.equal(`${String(late.outputs.arn)}/x`);
      expect(direct.outputs.region).to.equal("written-here");
      expect(direct.outputs.listed).to.include.members(["arn", "bucket", "tags", "region"]);
      expect((direct.outputs.whole as Record<string, unknown>).arn).to.equal(late.outputs.arn);
    });

    // Programs that treat a resource as an ordinary object: freeze it, read a property through
    // its descriptor twice, write through an object that inherits from it, or give it a class
    // whose accessor has an output's name.
    const objects = programRequest(
      [
        'import * as aws from "@pulumi/aws";',
        'import * as pulumi from "@pulumi/pulumi";',
        'const frozen = new aws.s3.Bucket("frozen");',
        "Object.freeze(frozen);",
        "export const frozenArn = frozen.arn;",
        "export const frozenTwice = pulumi.all([frozen.bucket, frozen.bucket]);",
        'const described = new aws.s3.Bucket("described");',
        'const descriptor = Object.getOwnPropertyDescriptor(described, "arn")!;',
        "const viaDescriptor = () => (descriptor.get ? descriptor.get.call(described) : descriptor.value) as pulumi.Output<string>;",
        "export const readTwice = pulumi.all([viaDescriptor(), viaDescriptor()]);",
        'const parent = new aws.s3.Bucket("parent");',
        "const heir = Object.create(parent) as { region: unknown };",
        'heir.region = "written on the heir";',
        'export const heirOwnsIt = Object.prototype.hasOwnProperty.call(heir, "region");',
        "export const parentRegion = parent.region;",
        "",
      ].join("\n"),
    );
    const accessor = programRequest(
      [
        'import * as aws from "@pulumi/aws";',
        "class Named extends aws.s3.Bucket {",
        '  get region(): string { return "from the accessor"; }',
        "}",
        'export const region = new Named("named").region;',
        "",
      ].join("\n"),
    );

    // Each program on both paths, started when the file loads as the evaluations above are.
    const both = (request: EvaluationRequest) =>
      started(
        Promise.all([evaluateShared(request), evaluateShared({ ...request, reference: true })]),
      );
    const readsBoth = both(reads);
    // Waiting for an Output that never settles would take the engine's default minute.
    const objectsBoth = both({ ...objects, timeoutMs: 15_000 });
    const accessorEnds = started(endings(accessor));
    const failedEnds = new Map([true, false].map((read) => [read, started(endings(failed(read)))]));

    it("gives a frozen resource, a property read twice through its descriptor and a write through an heir what the SDK gives", async () => {
      const [direct, reference] = await objectsBoth;
      expect(direct.outputs).to.deep.equal(reference.outputs);
      expect(direct.resources).to.deep.equal(reference.resources);
      const arnOf = (name: string) => reference.resources.find((r) => r.name === name)!.outputs.arn;
      expect(direct.outputs.frozenArn)
        .to.equal(arnOf("frozen"))
        .and.match(/^arn:aws:s3:::/);
      expect(direct.outputs.readTwice).to.deep.equal([arnOf("described"), arnOf("described")]);
      expect(direct.outputs.heirOwnsIt).to.equal(true);
      expect(direct.outputs.parentRegion).to.equal("eu-west-1");
    });

    it("fails a class whose getter has an output's name as the SDK does", async () => {
      const [direct, reference] = await accessorEnds;
      expect(reference).to.include("Cannot set property region");
      expect(direct).to.equal(reference);
    });

    for (const read of [true, false]) {
      it(`fails a program whose registration failed as the SDK does, its outputs ${read ? "read" : "unread"}`, async () => {
        const [direct, reference] = await failedEnds.get(read)!;
        expect(direct).to.include('no outputs for the stack reference "org/records/prod"');
        expect(direct).to.equal(reference);
      });
    }
  });
});
