/**
 * `npm run docs`: every generated document, from the code it describes. A test compares each
 * with what is committed, so a change that leaves one stale fails.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderAssessment } from "./assessment";
import { renderHipaa } from "./hipaa";
import { renderPolicies } from "./policies";
import { renderPreflight } from "./preflight";

export const DOCS = path.resolve(__dirname, "..", "..", "docs");

export const GENERATED: readonly (readonly [string, () => string])[] = [
  ["policies.md", renderPolicies],
  ["assessment.md", () => renderAssessment()],
  ["hipaa.md", () => renderHipaa()],
  ["preflight.md", renderPreflight],
];

if (require.main === module) {
  for (const [file, render] of GENERATED) {
    writeFileSync(path.join(DOCS, file), render());
    console.log(`wrote docs/${file}`);
  }
}
