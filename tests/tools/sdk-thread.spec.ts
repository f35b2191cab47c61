import { expect } from "chai";
import { loadedAwsNamespaces, packageLoaded } from "../helpers/loaded";

// The SDK as the suites' own thread has it, in npm test's lane: these checks read what this
// process loaded, so they belong where most suites run before them (sdk.spec.ts, which starts
// workers and children of its own, runs in the end-to-end lane, beside five files only).

describe("tools/engine/sdk on the suites' thread", () => {
  it("defers closure serialization on the tests' thread too: the SDK loaded here without arborist", () => {
    // tests/setup.ts loads the helpers, and with them the SDK, before any spec; the suites before
    // this one (most of npm test's) have built components and judged stacks in this process.
    expect(packageLoaded("@pulumi/pulumi")).to.equal(true);
    expect(packageLoaded("@npmcli/arborist")).to.equal(false);
  });

  it("keeps every @pulumi/aws namespace on the tests' thread, as the SDK loads them", () => {
    // The in-process runtime rehydrates resource references through the modules the namespaces
    // register (sdk.ts deferClosureSerialization says why they are not deferred here).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@pulumi/aws");
    expect(loadedAwsNamespaces().length).to.be.greaterThan(200);
  });
});
