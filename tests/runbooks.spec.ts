import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PLACEHOLDER_UNIT } from "../infra/compute";
import { LAMBDA_NETWORK_RELEASE_TIMEOUT } from "../infra/research";
import { PROJECT_DIR } from "../tools/engine";

const runbook = (name: string) =>
  readFileSync(path.join(PROJECT_DIR, "docs", "runbooks", name), "utf8").replace(/\s+/g, " ");

/** The text of a "## n. Title" section. */
function section(text: string, heading: RegExp): string {
  const parts = text.split(/ (?=## )/);
  const found = parts.find((p) => heading.test(p));
  if (!found) throw new Error(`no section ${heading}`);
  return found;
}

describe("docs/runbooks", () => {
  it("failover: says a hand-inverted health check survives a plain pulumi up and only a refreshed one undoes it", () => {
    const force = section(runbook("failover.md"), /^## 2\. /);
    expect(force).to.not.match(/next `pulumi up`[^.]*set it back/);
    expect(force).to.include("`pulumi up --refresh`");
    expect(force).to.match(/plain `pulumi up` does not see it/);
    const back = section(runbook("failover.md"), /^## 4\. /);
    expect(back).to.include("`pulumi preview --refresh`");
  });

  it("first deployment: says the placeholder answers the health checks until the application ships", () => {
    const after = section(runbook("first-deployment.md"), /^## After it/);
    // Every instance runs the placeholder from its first boot (infra/compute/placeholder.ts).
    expect(after).to.not.match(/health checks fail/);
    expect(after).to.include(PLACEHOLDER_UNIT);
  });

  it("close-out: gives the deletes the same time the program gives them, for Lambda's network interfaces", () => {
    const minutes = /^(\d+)m$/.exec(LAMBDA_NETWORK_RELEASE_TIMEOUT)![1];
    const close = section(runbook("close-out.md"), /^## 2\. /);
    expect(close).to.include(`given ${minutes} minutes`);
    expect(close).to.include("DependencyViolation");
  });
});
