import { expect } from "chai";
import { evaluationNiceness } from "../../tools/engine/niceness";
import { runEarly } from "./early";

describe("tests/helpers/early (runEarly)", () => {
  // Started when the file loads, as the suites that use it start theirs.
  const nice = runEarly("sh", ["-c", 'sleep 0.1; cut -d " " -f 19 /proc/self/stat; echo said >&2']);
  const killed = runEarly("sleep", ["10"], { timeoutMs: 100 });

  it("runs the command at the evaluations' nice value and gives what it printed and how it ended", async () => {
    const ran = await nice;
    expect(evaluationNiceness(), "the test run's (tests/setup.ts)").to.be.above(0);
    expect(Number(ran.stdout.trim())).to.equal(evaluationNiceness());
    expect(ran.stderr).to.equal("said\n");
    expect(ran.status).to.equal(0);
    expect(ran.signal).to.equal(null);
  });

  it("kills a command still running after its time", async () => {
    const ran = await killed;
    expect(ran.signal).to.equal("SIGKILL");
    expect(ran.status).to.equal(null);
  });

  it("rejects a command that cannot start, naming it", async () => {
    const error = await runEarly("ehealth-no-such-command", []).then(
      () => null,
      (err: Error) => err,
    );
    expect(error?.message).to.include("ehealth-no-such-command");
  });
});
