/**
 * policy-pack/policies/lib/types.ts: the stack's resources by type, grouped once per stack and read
 * by every stack policy instead of filtering the stack. Answers must be what the filter gave.
 */
import type { PolicyResource } from "@pulumi/policy";
import { expect } from "chai";
import { groupOf, ofType } from "../../policy-pack/policies/lib/types";

const A = "aws:s3/bucket:Bucket";
const B = "aws:lb/loadBalancer:LoadBalancer";
const C = "aws:alb/loadBalancer:LoadBalancer";

/** A stack whose types interleave, so that grouping by type and merging back can be told apart. */
function stack(): PolicyResource[] {
  return [A, B, C, A, C, B, A].map(
    (type, i) => ({ type, name: `r${i}`, urn: `urn:${i}`, props: {} }) as unknown as PolicyResource,
  );
}

describe("policy-pack/policies/lib/types", () => {
  it("returns the resources of several types in the stack's order, as filtering the stack does", () => {
    const resources = stack();
    for (const types of [[A], [B, C], [C, B], [A, B, C], [C, A, C], ["aws:none:None"], []]) {
      expect(
        ofType(resources, ...types).map((r) => r.name),
        types.join(","),
      ).to.deep.equal(resources.filter((r) => types.includes(r.type)).map((r) => r.name));
    }
  });

  it("gives each caller its own array: changing one answer changes no later answer", () => {
    const resources = stack();
    ofType(resources, A).pop();
    ofType(resources, B, C).length = 0;
    expect(ofType(resources, A).map((r) => r.name)).to.deep.equal(["r0", "r3", "r6"]);
    expect(ofType(resources, B, C).map((r) => r.name)).to.deep.equal(["r1", "r2", "r4", "r5"]);
  });

  it("groups each stack apart: another array of the same resources has groups of its own", () => {
    const resources = stack();
    expect(groupOf(resources, B).map((r) => r.name)).to.deep.equal(["r1", "r5"]);
    const fewer = resources.slice(0, 3);
    expect(groupOf(fewer, B).map((r) => r.name)).to.deep.equal(["r1"]);
    expect(groupOf(resources, "aws:none:None")).to.deep.equal([]);
  });
});
