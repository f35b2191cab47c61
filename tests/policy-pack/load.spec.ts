import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../../policy-pack/policies";
import { PROJECT_DIR } from "../../tools/engine";
import { loadPack, packBundle } from "../../tools/policy/load";
import { packSummary, runPolicies } from "../../tools/policy/run";
import { PROJECT_STACKS } from "../helpers";
import { tempDir } from "../helpers/temp";

const PACK_CONFIG = JSON.parse(
  fs.readFileSync(path.join(PROJECT_DIR, "policy-pack", "config.json"), "utf8"),
) as Record<string, unknown>;

describe("the pack loaded as one module (tools/policy/load.ts)", () => {
  it("is the pack's own policies, in order, apart from the modules' objects", () => {
    const pack = loadPack();
    expect(pack.policies.map((p) => p.name)).to.deep.equal(policies.map((p) => p.name));
    expect(pack.policies[0]).to.not.equal(policies[0]);
    expect(loadPack()).to.equal(pack);
  });

  for (const [label, evaluation] of PROJECT_STACKS) {
    it(`gives the modules' verdicts on ${label}, default config and the pack's`, async () => {
      const { resources } = await evaluation();
      const pack = loadPack();
      const now = new Date("2026-06-01T00:00:00Z");
      for (const config of [{}, PACK_CONFIG]) {
        const bundled = pack.runPolicies(resources, pack.policies, config, { now });
        const modules = runPolicies(resources, policies, config, { now });
        expect(JSON.stringify(bundled)).to.equal(JSON.stringify(modules));
      }
      expect(JSON.stringify(pack.packSummary(pack.policies))).to.equal(
        JSON.stringify(packSummary(policies)),
      );
    });
  }

  it("runs from memory when the cache cannot be written", () => {
    // A file where the cache's folder would be: the folder cannot be made. Under node_modules, so
    // that the bundle's requires resolve from where it would have been.
    const blocked = path.join(PROJECT_DIR, "node_modules", ".cache", `pack-blocked-${process.pid}`);
    fs.mkdirSync(path.dirname(blocked), { recursive: true });
    fs.writeFileSync(blocked, "");
    try {
      const pack = loadPack(path.join(blocked, "cache"));
      expect(pack.policies.map((p) => p.name)).to.deep.equal(policies.map((p) => p.name));
      expect(fs.statSync(blocked).isFile()).to.equal(true);
    } finally {
      fs.rmSync(blocked);
    }
  });

  it("builds once, reuses the bundle, and builds again when an input's hash differs", () => {
    const dir = tempDir("pack-bundle-");
    const first = packBundle(dir);
    const manifestFile = path.join(dir, "pack.json");
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as {
      key: string;
      inputs: string[];
    };
    expect(manifest.inputs).to.include.members([
      "policy-pack/policies/index.ts",
      "policy-pack/policies/lib/props.ts",
      "tools/policy/run.ts",
      "tools/policy/resources.ts",
    ]);
    expect(path.basename(first)).to.equal(`pack-${manifest.key}.js`);
    const built = fs.statSync(first).mtimeMs;
    expect(packBundle(dir)).to.equal(first);
    expect(fs.statSync(first).mtimeMs).to.equal(built);
    // A manifest whose hash no longer matches its inputs (one changed since) means a new build,
    // though the bundle it names is there.
    const stale = "0".repeat(32);
    fs.copyFileSync(first, path.join(dir, `pack-${stale}.js`));
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, key: stale }));
    expect(packBundle(dir)).to.equal(first);
    expect(JSON.parse(fs.readFileSync(manifestFile, "utf8"))).to.deep.equal(manifest);
  });
});
