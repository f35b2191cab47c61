/**
 * secrets-input-disallow-literal-credentials looks for AWS secret access keys by probing every
 * 40th character of a value instead of reading every character. These properties hold it to the
 * plain definition, read character by character: a maximal run of exactly 40 key characters
 * (letters, digits, / and +), delimited, with / or +, both cases and a digit, and random-looking.
 */
import { expect } from "chai";
import fc from "fast-check";
import { entropy, findCredential } from "../../policy-pack/policies/governance/literalCredentials";

const KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
const DELIMITERS = ` \t\n\r"'=:,;`;

/** The definition, one character at a time. */
function hasSecretKey(value: string): boolean {
  const isKey = (c: string | undefined) => c !== undefined && KEY_CHARS.includes(c);
  const delimits = (c: string | undefined) => c === undefined || DELIMITERS.includes(c);
  for (let start = 0; start < value.length; start++) {
    if (!isKey(value[start]) || isKey(value[start - 1])) continue;
    let end = start;
    while (isKey(value[end])) end++;
    const run = value.slice(start, end);
    if (
      run.length === 40 &&
      delimits(value[start - 1]) &&
      delimits(value[end]) &&
      /[/+]/.test(run) &&
      /[a-z]/.test(run) &&
      /[A-Z]/.test(run) &&
      /\d/.test(run) &&
      entropy(run) >= 4.5
    )
      return true;
  }
  return false;
}

const keyRun = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(...KEY_CHARS), { minLength: min, maxLength: max })
    .map((c) => c.join(""));
const separator = fc
  .array(fc.constantFrom(...DELIMITERS, "-", "_", ".", "é"), { minLength: 1, maxLength: 3 })
  .map((c) => c.join(""));
/** Values made of runs near 40 long (and some far from it) between delimiters and other characters. */
const value = fc
  .array(fc.tuple(fc.oneof(keyRun(38, 42), keyRun(0, 90)), separator), { maxLength: 6 })
  .chain((parts) =>
    fc.boolean().map((lead) => (lead ? "k=" : "") + parts.map(([r, s]) => r + s).join("")),
  );

const isSecretKeyFinding = (v: string) =>
  findCredential(v, "")?.includes("an AWS secret access key") ?? false;

describe("secrets-input-disallow-literal-credentials: the secret access key scan", () => {
  it("finds a secret access key exactly where the character-by-character definition does", () => {
    fc.assert(
      fc.property(value, (v) => {
        if (hasSecretKey(v)) expect(isSecretKeyFinding(v), JSON.stringify(v)).to.equal(true);
        else expect(isSecretKeyFinding(v), JSON.stringify(v)).to.equal(false);
      }),
      { numRuns: 3000 },
    );
  });

  it("finds a key at every offset of a long value, and none in a run one character too long", () => {
    const key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    for (let offset = 0; offset < 90; offset++) {
      const filler = "a-".repeat(offset).slice(0, offset);
      const v = `${filler} ${key} ${"b-".repeat(40)}`;
      expect(isSecretKeyFinding(v), `offset ${offset}`).to.equal(true);
      expect(
        isSecretKeyFinding(`${filler} ${key}Q ${"b-".repeat(40)}`),
        `offset ${offset}`,
      ).to.equal(false);
    }
  });
});
