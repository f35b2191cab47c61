import { expect } from "chai";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { awsEntry, deferAwsNamespaces } from "../../tools/engine/sdk";
import { bootstrap } from "../../tools/engine/child";
import { workerBootstrap } from "../../tools/engine/worker";
import { tempDir } from "../helpers/temp";

/** A package shaped as @pulumi/aws: an entry that requires its namespaces' indexes as it loads. */
function fakePackage(): string {
  const root = path.join(tempDir("ehealth-sdk-aws-"), "node_modules", "fake-aws");
  const write = (relative: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  };
  write("package.json", JSON.stringify({ name: "fake-aws", main: "index.js" }));
  const namespace = (name: string) =>
    [
      `globalThis.fakeAwsLoads = [...(globalThis.fakeAwsLoads ?? []), ${JSON.stringify(name)}];`,
      'Object.defineProperty(exports, "__esModule", { value: true });',
      `Object.defineProperty(exports, "Thing", { enumerable: true, get: () => "${name} thing" });`,
      `exports.name = ${JSON.stringify(name)};`,
    ].join("\n");
  write("alpha/index.js", namespace("alpha"));
  write("beta/index.js", namespace("beta"));
  write("util.js", namespace("util"));
  write(
    "index.js",
    [
      "const importStar = (m) => (m && m.__esModule ? m : { default: m });",
      'exports.alpha = importStar(require("./alpha"));',
      'exports.beta = importStar(require("./beta"));',
      'exports.util = require("./util");',
    ].join("\n"),
  );
  return path.join(root, "index.js");
}

const loads = () => (globalThis as { fakeAwsLoads?: string[] }).fakeAwsLoads ?? [];

describe("tools/engine/sdk: @pulumi/aws's namespaces load when first read", () => {
  beforeEach(() => delete (globalThis as { fakeAwsLoads?: string[] }).fakeAwsLoads);

  it("loads the entry without its namespaces' indexes, and each index when a program first reads it", () => {
    const entry = fakePackage();
    const loaded = deferAwsNamespaces(entry);
    const aws = Module.createRequire(entry)(entry) as Record<string, Record<string, unknown>>;
    loaded();
    // A file of the package's own is no namespace: it loads as before.
    expect(loads()).to.deep.equal(["util"]);
    expect(aws.alpha.__esModule, "answered without loading").to.equal(true);
    expect(loads()).to.deep.equal(["util"]);
    expect(aws.alpha.Thing).to.equal("alpha thing");
    expect(loads()).to.deep.equal(["util", "alpha"]);
    expect(Object.keys(aws.beta)).to.deep.equal(["Thing", "name"]);
    expect("Thing" in aws.beta).to.equal(true);
    expect(Object.getOwnPropertyDescriptor(aws.beta, "name")?.value).to.equal("beta");
    expect(loads(), "each index once").to.deep.equal(["util", "alpha", "beta"]);
    // The real module behind the stand-in is the one `require` gives anyone else.
    const real = Module.createRequire(entry)("./beta/index.js") as Record<string, unknown>;
    aws.beta.extra = 1;
    expect(real.extra).to.equal(1);
  });

  it("removes its hook when told the SDK has loaded: a later package loads whole", () => {
    const loaded = deferAwsNamespaces(fakePackage());
    loaded();
    const later = fakePackage();
    const aws = Module.createRequire(later)(later) as Record<string, Record<string, unknown>>;
    expect(loads()).to.deep.equal(["alpha", "beta", "util"]);
    expect(aws.alpha.name).to.equal("alpha");
  });

  it("this project's @pulumi/aws: the entry requires each namespace through __importStar, and an index only defines lazy getters and registers its modules", () => {
    const entry = awsEntry();
    const root = path.dirname(entry);
    const source = readFileSync(entry, "utf8");
    const namespaces = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && source.includes(`require("./${d.name}")`))
      .map((d) => d.name);
    expect(namespaces.length).to.be.greaterThan(200);
    // Statements an index may hold besides the compiler's helpers (its enums are constants): anything
    // else would run when the namespace loads, which a deferred one does later than the entry would.
    const allowed =
      /^(exports\.[\w$]+ = (exports\.[\w$]+ = )*void 0;|exports\.[\w$]+ = [\w$]+;|const [\w$]+ = __importStar\(require\("[^"]+"\)\);|const utilities = __importStar\(require\("\.\.\/utilities"\)\);|utilities\.lazyLoad\(exports, \[[^\]]*\], \(\) => require\("\.\/[\w$]+"\)\);|__exportStar\(require\("(\.\/|\.\.\/types\/enums\/)[\w$]+"\), exports\);|Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);|pulumi\.runtime\.registerResourceModule\("aws", "[\w/]+", _module\);|exports\.[\w$]+ = __importStar\(require\("\.\/[\w$]+"\)\);)$/;
    const unexpected: string[] = [];
    for (const name of namespaces) {
      expect(source, name).to.include(`__importStar(require("./${name}"))`);
      const text = readFileSync(path.join(root, name, "index.js"), "utf8");
      const body = text.slice(text.indexOf('Object.defineProperty(exports, "__esModule"'));
      // The registrations' module object: a version and a constructor, nothing that runs at load.
      const withoutModule = body.replace(/const _module = \{[\s\S]*?\n\};\n/g, "");
      for (const line of withoutModule.split("\n").map((l) => l.trim())) {
        if (line && !line.startsWith("//") && !allowed.test(line))
          unexpected.push(`${name}: ${line}`);
      }
    }
    expect(unexpected).to.deep.equal([]);
  });

  it("workers and children defer them before they load @pulumi/aws, and remove the hook after", () => {
    for (const [who, code] of [
      ["a worker's bootstrap", workerBootstrap()],
      ["a child's bootstrap", bootstrap()],
    ]) {
      const deferred = code.indexOf("deferAwsNamespaces()");
      const aws = Math.max(
        code.indexOf('require("@pulumi/aws")'),
        code.indexOf(`require(${JSON.stringify(require.resolve("@pulumi/aws"))})`),
      );
      expect(deferred, who).to.be.at.least(0);
      expect(aws, who).to.be.greaterThan(deferred);
      expect(code.indexOf("awsLoaded()", aws), who).to.be.greaterThan(aws);
    }
  });
});
