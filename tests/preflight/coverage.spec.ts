import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { rules } from "../../tools/preflight/rules";
import { NAME_SPECS } from "../../tools/preflight/rules/names";

describe("preflight: rule metadata", () => {
  const sources = readdirSync(__dirname)
    .filter((f) => f.endsWith(".spec.ts") && f !== path.basename(__filename))
    .map((f) => readFileSync(path.join(__dirname, f), "utf8"))
    .join("\n");

  it("names every rule in a test of its own (the name rules through their table)", () => {
    const table = new Set(NAME_SPECS.map((s) => s.id));
    const untested = rules
      .filter((r) => !table.has(r.id) && !sources.includes(`"${r.id}"`))
      .map((r) => r.id);
    expect(untested).to.deep.equal([]);
  });

  it("gives every rule a unique id, a kind, a sentence and an AWS or provider documentation page", () => {
    expect(new Set(rules.map((r) => r.id)).size).to.equal(rules.length);
    for (const r of rules) {
      expect(r.id, r.id).to.match(/^[a-z0-9-]+$/);
      expect(["fails-deploy", "silently-broken"], r.id).to.include(r.kind);
      expect(r.description, r.id).to.match(/\.$/);
      expect(r.reference.url, r.id).to.match(
        /^https:\/\/(docs\.aws\.amazon\.com|www\.pulumi\.com)\//,
      );
      expect(r.reference.title.length, r.id).to.be.greaterThan(10);
    }
  });
});
