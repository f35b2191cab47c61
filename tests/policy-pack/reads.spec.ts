/**
 * The runner and the pack read a resource without the arrays and closures they once built on
 * every call: one arguments object a resource whose extras move to each policy, one reporter a
 * policy, tags and variables read in place. These tests hold what that must not change: each
 * policy sees its own config and exemptions on a shared resource, and a value unknown until apply
 * read after a matching tag still makes the check advisory, and the literal-credentials scan passes
 * over such a value and judges the known ones beside it, exactly as the engine's handlers find.
 */
import { expect } from "chai";
import { policies } from "../../policy-pack/policies";
import { EhealthPolicy, resourcePolicy } from "../../policy-pack/policies/lib/policy";
import type { ResourceRecord } from "../../tools/engine";
import { PackConfig, runPolicies } from "../../tools/policy/run";
import { canonical, referenceFindings } from "./crossguard";
import { res } from "./fixtures";

// The engine's sentinel for a string unknown until apply (the module ships no typings for it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: unknown };

const NOW = new Date("2026-12-02T00:00:00Z");

/** A policy on queues that reports the label its own config gives it. */
function labelling(name: string): EhealthPolicy {
  return resourcePolicy(
    {
      name,
      description: "Reports its configured label on every queue.",
      enforcementLevel: "mandatory",
      severity: "low",
      hipaa: ["164.312(b)"],
      remediationSteps: "None: a test policy.",
      levelReason: "A test policy.",
      configSchema: { properties: { label: { type: "string", default: `${name}-default` } } },
    },
    {
      "aws:sqs/queue:Queue": (r, report) =>
        report(`${r.name}: ${r.getConfig<{ label: string }>().label}`),
    },
  );
}

describe("tools/policy/run: policies sharing one resource's arguments", () => {
  const queues = [res("aws:sqs/queue:Queue", "q1", {}), res("aws:sqs/queue:Queue", "q2", {})];
  const pack = [labelling("test-first"), labelling("test-second"), labelling("test-third")];

  it("gives each policy its own config when several judge the same resource", () => {
    const config: PackConfig = {
      "test-first": { label: "one" },
      "test-third": { label: "three" },
    };
    const run = runPolicies(queues, pack, config, { now: NOW });
    expect(run.violations.map((f) => `${f.policy} ${f.message}`)).to.deep.equal([
      "test-first q1: one",
      "test-second q1: test-second-default",
      "test-third q1: three",
      "test-first q2: one",
      "test-second q2: test-second-default",
      "test-third q2: three",
    ]);
  });

  it("applies each policy's own exemptions when several judge the same resource", () => {
    const config: PackConfig = {
      "test-second": { exemptions: [{ resource: "q1", reason: "a test exemption" }] },
    };
    const run = runPolicies(queues, pack, config, { now: NOW });
    expect(run.exempted.map((e) => `${e.policy} ${e.message} (${e.reason})`)).to.deep.equal([
      "test-second q1: test-second-default (a test exemption)",
    ]);
    expect(run.violations.map((f) => `${f.policy} ${f.message}`)).to.not.include(
      "test-second q1: test-second-default",
    );
    expect(run.violations).to.have.length(5);
  });
});

/** What the runner finds, next to what @pulumi/policy's own handlers find, for these resources. */
async function bothFind(resources: readonly ResourceRecord[], names: readonly string[]) {
  const only = policies.filter((p) => names.includes(p.name));
  expect(only.map((p) => p.name)).to.have.members([...names]);
  return {
    run: canonical(runPolicies(resources, only, {}).violations),
    reference: canonical(await referenceFindings(resources, only, {})),
  };
}

describe("the pack's tag and variable reads next to a value unknown until apply", () => {
  it("tagging-resource-enforce-phi-eligible-service: can't judge a PHI tag read before an unknown tag value, as the engine's handlers can't", async () => {
    const thing = res("aws:iot/thing:Thing", "device", {
      tags: { DataClassification: "PHI", Owner: unknownStringValue },
    });
    const { run, reference } = await bothFind(
      [thing],
      ["tagging-resource-enforce-phi-eligible-service"],
    );
    expect(run).to.deep.equal(reference);
    expect(run.join("\n")).to.include("during preview");
  });

  it("secrets-input-disallow-literal-credentials: reports a named secret beside a variable unknown until apply, as the engine's handlers do", async () => {
    const fn = res("aws:lambda/function:Function", "worker", {
      environment: {
        variables: { LATER: unknownStringValue, DB_PASSWORD: "correct-horse-battery" },
      },
    });
    const { run, reference } = await bothFind([fn], ["secrets-input-disallow-literal-credentials"]);
    expect(run).to.deep.equal(reference);
    expect(run.join("\n")).to.include("environment.variables.DB_PASSWORD");
    expect(run.join("\n")).to.not.include("during preview");
  });

  it("secrets-input-disallow-literal-credentials: judges the variables when the tags or the user data are unknown until apply", async () => {
    const fn = res("aws:lambda/function:Function", "worker", {
      tags: unknownStringValue,
      environment: { variables: { API_TOKEN: "correct-horse-battery" } },
    });
    const instance = res("aws:ec2/instance:Instance", "box", {
      tags: { Owner: unknownStringValue, Service: "api" },
      userData: "#!/bin/sh\nexport DB_PASSWORD=correct-horse-battery\n",
      userDataBase64: unknownStringValue,
    });
    const { run, reference } = await bothFind(
      [fn, instance],
      ["secrets-input-disallow-literal-credentials"],
    );
    expect(run).to.deep.equal(reference);
    expect(run.join("\n")).to.include("environment.variables.API_TOKEN");
    expect(run.join("\n")).to.include("userData: DB_PASSWORD");
  });

  it("secrets-input-disallow-literal-credentials: reports a named secret in plain text when every variable is known", async () => {
    const fn = res("aws:lambda/function:Function", "worker", {
      environment: { variables: { DB_PASSWORD: "correct-horse-battery", LATER: "known" } },
    });
    const { run, reference } = await bothFind([fn], ["secrets-input-disallow-literal-credentials"]);
    expect(run).to.deep.equal(reference);
    expect(run.join("\n")).to.include("environment.variables.DB_PASSWORD");
  });
});
