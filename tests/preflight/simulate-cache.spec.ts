/**
 * The simulator's caches (tools/preflight/iam/simulate.ts, compare.ts, resource-types.ts): policies
 * validated once per content, equal requests answered once, the library's case-insensitive
 * comparisons and resource-type lookup memoized; and arnFits' answers (rules/iam.ts).
 * Each must answer as the library does afresh.
 */
import { expect } from "chai";
import { iamPolicyUtils, memoized, original } from "../../tools/preflight/iam/compare";
import {
  memoizedResourceTypes,
  ownResourceTypes,
  resourceTypesModule,
} from "../../tools/preflight/iam/resource-types";
import { allowedContextKeysForRequest } from "@cloud-copilot/iam-simulate";
import {
  AccessRequest,
  SimulationError,
  allowedContextKeys,
  simulate,
  simulateAfresh,
} from "../../tools/preflight/iam/simulate";
import { arnFits, arnFitsAfresh } from "../../tools/preflight/rules/iam";

const ROLE = "arn:aws:iam::123456789012:role/reader";
const BUCKET = "arn:aws:s3:::ehealth-records/scan.pdf";

/** A policy that allows or denies reading the one object the requests ask for. */
const reading = (Effect: "Allow" | "Deny") => ({
  Version: "2012-10-17",
  Statement: [{ Effect, Action: "s3:GetObject", Resource: BUCKET }],
});
const allow = reading("Allow");
const deny = reading("Deny");

describe("simulate (validation reused across requests)", () => {
  it("validates a policy again when the same document changed between two requests", async () => {
    const statement: Record<string, unknown> = {
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: BUCKET,
    };
    const policy = { Version: "2012-10-17", Statement: [statement] };
    const request = { principal: ROLE, action: "s3:GetObject", resource: BUCKET };
    const first = await simulate({ ...request, identityPolicies: [policy] });
    expect(first.decision).to.equal("Allowed");
    // The same object, now invalid: an Effect IAM does not have.
    statement.Effect = "Perhaps";
    let refused: unknown;
    await simulate({ ...request, identityPolicies: [policy] }).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(SimulationError);
    expect(String((refused as Error).message)).to.include("identityPolicyErrors");
  });

  it("judges each request on the document it gives, not on an equal one seen before", async () => {
    const request = { principal: ROLE, action: "s3:GetObject", resource: BUCKET };
    expect((await simulate({ ...request, identityPolicies: [allow] })).decision).to.equal(
      "Allowed",
    );
    expect((await simulate({ ...request, identityPolicies: [allow, deny] })).decision).to.equal(
      "ExplicitlyDenied",
    );
    expect((await simulate({ ...request, identityPolicies: [allow] })).decision).to.equal(
      "Allowed",
    );
  });
});

/** Operator names as policies write them, other cases, accents and the empty string. */
const WORDS = [
  "IfExists",
  "ifexists",
  "IFEXISTS",
  "StringEqualsIfExists",
  "StringEqualsifexists",
  "StringEquals",
  "ForAllValues",
  "forallvalues",
  "ForAnyValue",
  "ÏfExists",
  "ifexísts",
  "",
  "s",
];

describe("simulate (the library's comparisons memoized, equal requests answered once)", () => {
  it("answers every pair of strings through the library's comparisons as the library itself does", () => {
    const utils = iamPolicyUtils();
    for (const name of ["caseInsensitiveEquals", "caseInsensitiveEndsWith"] as const) {
      const current = utils[name];
      const own = original(current);
      // Loading the simulator put the memoized comparison in the library's own module.
      expect(own, name).to.not.equal(current);
      for (const first of WORDS)
        for (const second of WORDS)
          for (let ask = 0; ask < 2; ask++)
            expect(current(first, second), `${name}(${first}, ${second})`).to.equal(
              own(first, second),
            );
    }
  });

  it("hands anything but two strings to the library, which refuses it as before", () => {
    const compare = memoized((a, b) => a.localeCompare(b) === 0);
    expect(() => compare(undefined as unknown as string, "IfExists")).to.throw(TypeError);
    expect(compare("a", "a")).to.equal(true);
  });

  it("gives an equal request the answer a fresh simulation gives, and a copy each time", async () => {
    const conditional = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: BUCKET,
          Condition: { StringEqualsIfExists: { "aws:PrincipalTag/team": "records" } },
        },
      ],
    };
    const base = { principal: ROLE, action: "s3:GetObject", resource: BUCKET };
    const requests: AccessRequest[] = [
      { ...base, identityPolicies: [allow] },
      { ...base, identityPolicies: [allow, deny] },
      { ...base, identityPolicies: [] },
      { ...base, identityPolicies: [conditional], context: { "aws:PrincipalTag/team": "billing" } },
      { ...base, identityPolicies: [conditional], context: { "aws:PrincipalTag/team": "records" } },
      { ...base, identityPolicies: [allow], context: { "kms:ViaService": "s3.amazonaws.com" } },
    ];
    const fresh = await Promise.all(requests.map((r) => simulateAfresh(r)));
    // Different answers among them, so that equal answers prove something.
    expect(new Set(fresh.map((f) => f.decision)).size).to.equal(3);
    expect(fresh.some((f) => f.ignoredContextKeys.length > 0)).to.equal(true);
    for (let round = 0; round < 2; round++) {
      const kept = await Promise.all(requests.map((r) => simulate(structuredClone(r))));
      expect(kept).to.deep.equal(fresh);
      // A caller that changes its answer changes no other caller's.
      for (const answer of kept) (answer.ignoredContextKeys as string[]).push("changed");
    }
  });
});

/** Actions on resources the IAM library is asked about (its lookups compared with ours). */
const QUESTIONS: [string, string, string][] = [
  ["s3", "GetObject", BUCKET],
  ["s3", "ListBucket", "arn:aws:s3:::ehealth-records"],
  ["kms", "Decrypt", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
  ["logs", "PutLogEvents", "arn:aws:logs:eu-west-1:123456789012:log-group:/app:log-stream:a"],
  ["s3", "GetObject", "arn:aws:s3:::ehealth-records"],
];

describe("simulate (the library's resource-type lookup memoized)", () => {
  it("answers every action and resource in the library's own module as the library itself does", async () => {
    const module = resourceTypesModule();
    const current = module.getResourceTypesForAction;
    const own = ownResourceTypes(current);
    // Loading the simulator put the memoized lookup in the library's own module.
    expect(own).to.not.equal(current);
    const answers = await Promise.all(QUESTIONS.map((q) => own(...q)));
    // Different answers among them (one matches nothing), so that equal answers prove something.
    expect(answers.map((a) => a.length)).to.include(0);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).to.be.greaterThan(3);
    for (let round = 0; round < 2; round++)
      expect(await Promise.all(QUESTIONS.map((q) => current(...q)))).to.deep.equal(answers);
  });

  it("asks the library once per service, action and resource, and again after a refusal", async () => {
    const asked: string[] = [];
    const lookup = memoizedResourceTypes(async (service, action, resource) => {
      asked.push(`${service}:${action} ${resource}`);
      if (action === "Nothing") throw new Error(`${service}:${action} does not exist`);
      return [resource];
    });
    expect(await lookup("s3", "GetObject", BUCKET)).to.deep.equal([BUCKET]);
    expect(await lookup("s3", "GetObject", BUCKET)).to.deep.equal([BUCKET]);
    expect(await lookup("s3", "GetObject", "arn:aws:s3:::other/x")).to.deep.equal([
      "arn:aws:s3:::other/x",
    ]);
    for (let i = 0; i < 2; i++)
      await lookup("s3", "Nothing", BUCKET).then(
        () => expect.fail("a refusal is refused again"),
        (err: Error) => expect(err.message).to.include("does not exist"),
      );
    expect(asked).to.deep.equal([
      `s3:GetObject ${BUCKET}`,
      "s3:GetObject arn:aws:s3:::other/x",
      `s3:Nothing ${BUCKET}`,
      `s3:Nothing ${BUCKET}`,
    ]);
  });
});

describe("arnFits (answers kept by pattern and resource)", () => {
  it("answers each pattern and resource as a fresh match does, asked twice", () => {
    const patterns = [
      "arn:${Partition}:s3:::${BucketName}",
      "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
      "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
      "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}",
    ];
    const resources = [
      "arn:aws:s3:::b",
      "arn:aws:s3:::b/*",
      "arn:aws:s3:::*",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/app",
      "arn:aws:logs:*:*:*",
      "arn:aws:kms:eu-west-1:123456789012:key/*",
      "*",
    ];
    const fresh = patterns.flatMap((p) => resources.map((r) => arnFitsAfresh(p, r)));
    // Both answers among them, so that equal answers prove something.
    expect(new Set(fresh)).to.deep.equal(new Set([true, false]));
    for (let round = 0; round < 2; round++)
      expect(patterns.flatMap((p) => resources.map((r) => arnFits(p, r)))).to.deep.equal(fresh);
  });
});

describe("simulate (the context keys of each action and resource kept)", () => {
  it("lists the keys the library lists for each action and resource, the same list when asked again", async () => {
    // Three whose lists of keys differ from one another.
    const questions = QUESTIONS.slice(0, 3);
    const lists = [];
    for (const [service, name, resource] of questions) {
      const own = new Set(
        await allowedContextKeysForRequest(service, name, resource, false, undefined),
      );
      const kept = await allowedContextKeys(service, name, resource);
      expect(kept).to.deep.equal(own);
      // Asked again: the list kept, not a new one.
      expect(await allowedContextKeys(service, name, resource)).to.equal(kept);
      lists.push(kept);
    }
    // Different lists among them, so that equal lists prove something.
    expect(new Set(lists.map((l) => [...l].sort().join())).size).to.equal(questions.length);
  });
});
