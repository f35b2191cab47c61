/**
 * IAM wildcards matched without regular expressions (policy-pack/policies/lib/wildcard.ts) must
 * match exactly what the regular expressions the pack built before matched: globMatch's
 * case-sensitive `^...$` (`.` stops at line terminators) and actionMatchesPattern's `is` flags.
 * The expressions are rebuilt here as the pack built them, and compared on generated patterns.
 */
import { expect } from "chai";
import fc from "fast-check";
import { actionMatchesPattern } from "../../policy-pack/policies/lib/actions";
import { globMatch } from "../../policy-pack/policies/lib/iam";

function globRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
}

function actionRegExp(pattern: string): RegExp {
  const body = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "is");
}

/** Characters that matter: wildcards, both cases, regex specials, ARN separators, non-ASCII, line ends. */
const CHARS = [
  "*",
  "?",
  "a",
  "A",
  "b",
  "s",
  "S",
  "k",
  "K",
  ":",
  "/",
  ".",
  "$",
  "\\",
  "(",
  "[",
  "-",
  "\n",
  "\r",
  "\u2028",
  "ſ",
  "\u212a",
  "é",
  "É",
];
const text = fc.array(fc.constantFrom(...CHARS), { maxLength: 10 }).map((cs) => cs.join(""));

/** A value the pattern may match: its wildcards replaced by generated text. */
const matchingPair = fc
  .tuple(text, fc.array(text, { minLength: 10, maxLength: 10 }))
  .map(([pattern, fills]) => {
    let i = 0;
    const value = pattern.replace(/[*?]/g, (w) =>
      w === "?" ? (fills[i++][0] ?? "x") : fills[i++],
    );
    return [pattern, value] as const;
  });

/** A matching pair with the value's letters in other cases (é and É, k and the Kelvin sign, ...). */
const caseVariant = fc
  .tuple(matchingPair, fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }))
  .map(([[pattern, value], upper]) => {
    const changed = [...value].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase()));
    return [pattern, changed.join("")] as const;
  });

const pairs = fc.oneof(fc.tuple(text, text), matchingPair, caseVariant);

describe("policy-pack/policies/lib/wildcard", () => {
  it("globMatch matches what its regular expression matched, case-sensitively", () => {
    fc.assert(
      fc.property(pairs, ([pattern, value]) => {
        expect(globMatch(pattern, value), JSON.stringify([pattern, value])).to.equal(
          globRegExp(pattern).test(value),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("actionMatchesPattern matches what its regular expression matched, ignoring case", () => {
    fc.assert(
      fc.property(pairs, ([pattern, value]) => {
        expect(actionMatchesPattern(value, pattern), JSON.stringify([pattern, value])).to.equal(
          actionRegExp(pattern).test(value),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("compares on cases that match and cases that do not", () => {
    expect(globMatch("arn:aws:s3:::b*/*", "arn:aws:s3:::bucket/key")).to.equal(true);
    expect(globMatch("arn:aws:s3:::b*/*", "arn:aws:s3:::Bucket/key")).to.equal(false);
    expect(globMatch("a*", "a\nb")).to.equal(false);
    expect(actionMatchesPattern("S3:GetObject", "s3:get*")).to.equal(true);
    expect(actionMatchesPattern("s3:PutObject", "s3:get*")).to.equal(false);
    expect(actionMatchesPattern("s3:Get\nObject", "s3:get*")).to.equal(true);
  });
});
