/**
 * What a variant family is, and the key spellings the data-protection families share. A family
 * generates programs that mean the same thing: all caught (insecure) or all passing (secure).
 */
import { expect } from "chai";
import fc from "fast-check";
import { policies } from "../../../policy-pack/policies";
import { ResourceRecord } from "../../../tools/engine";
import { PackConfig, runPolicies } from "../../../tools/policy/run";

export interface Family {
  readonly policy: string;
  readonly name: string;
  readonly caught: boolean;
  readonly variants: fc.Arbitrary<ResourceRecord[]>;
  readonly config?: PackConfig;
  /** Advisory policies are judged at their own level; mandatory ones by default. */
  readonly level?: "mandatory" | "advisory";
}

/**
 * One test per family: every generated program of a caught family draws a finding, every one of a
 * secure family none, and no finding's message shows an `undefined`. A failure names the program.
 * The family's policy is looked up once per family, and chai is called only for a program that
 * fails: a chai assertion per generated program cost about as much as the policy itself.
 */
export function checkFamilies(families: readonly Family[], runs = { numRuns: 25 }): void {
  for (const f of families) {
    it(`${f.policy}: ${f.caught ? "catches" : "passes"} ${f.name}`, () => {
      const level = f.level ?? "mandatory";
      const only = policies.filter((p) => p.name === f.policy);
      expect(only, `no policy ${f.policy}`).to.have.length(1);
      fc.assert(
        fc.property(f.variants, (resources) => {
          // What the family's policy, alone, finds at the family's level.
          const messages = runPolicies(resources, only, f.config ?? {})
            .violations.filter((x) => x.policy === f.policy && x.enforcementLevel === level)
            .map((x) => x.message);
          const wrong = f.caught ? messages.length === 0 : messages.length > 0;
          if (!wrong && !messages.some((m) => m.includes("undefined"))) return;
          const program = JSON.stringify(resources.map((r) => [r.type, r.name, r.inputs]));
          if (f.caught) expect(messages.length, program).to.be.greaterThan(0);
          else expect(messages, program).to.deep.equal([]);
          for (const message of messages) expect(message, program).to.not.include("undefined");
        }),
        runs,
      );
    });
  }
}

/** A random spelling of one letter case: "Enabled", "ENABLED", "enabled", ... */
export const anyCase = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(""));

/**
 * A key that is not customer-managed: omitted, blank, or the service's AWS-managed key by alias
 * or alias ARN (any region, any case: KMS alias names are case-sensitive, but "alias/aws/" is
 * reserved whatever follows). AWS: "AWS managed keys",
 * https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key
 */
export const notCustomer = (service: string): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom("", "   "),
    fc.constant(`alias/aws/${service}`),
    fc
      .constantFrom("eu-west-1", "us-west-2")
      .map((region) => `arn:aws:kms:${region}:123456789012:alias/aws/${service}`),
  );

/** A customer-managed key by key id, key ARN, alias or alias ARN. */
export const customerKey: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => `arn:aws:kms:eu-west-1:123456789012:key/${u}`),
  fc.stringMatching(/^[a-z][a-z0-9-]{2,12}$/).map((a) => `alias/${a}`),
  fc
    .stringMatching(/^[a-z][a-z0-9-]{2,12}$/)
    .map((a) => `arn:aws:kms:us-west-2:123456789012:alias/${a}`),
);

/** Order does not change a verdict: the same resources, rotated. */
export const rotated = <T>(items: T[], seed: number): T[] =>
  items.map((_, i) => items[(i + seed) % items.length]);
