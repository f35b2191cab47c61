import { expect } from "chai";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { readYaml } from "../../tools/engine/yaml";
import { tempDir } from "../helpers/temp";

describe("tools/engine/yaml (readYaml)", () => {
  const dir = tempDir("ehealth-yaml-");

  it("reads a file again as it is now, after it changed", () => {
    const file = path.join(dir, "Pulumi.dev.yaml");
    writeFileSync(file, "config:\n  aws:region: eu-west-1\n");
    expect(readYaml(file)).to.deep.equal({ config: { "aws:region": "eu-west-1" } });
    writeFileSync(file, "config:\n  aws:region: us-west-2\n");
    expect(readYaml(file)).to.deep.equal({ config: { "aws:region": "us-west-2" } });
  });

  it("gives each caller a document of its own: a change to one is not the next reader's", () => {
    const file = path.join(dir, "Pulumi.yaml");
    writeFileSync(file, "name: clinic\nconfig:\n  ehealth:azCount: 3\n");
    const first = readYaml(file);
    (first.config as Record<string, unknown>)["ehealth:azCount"] = 1;
    first.name = "changed";
    expect(readYaml(file)).to.deep.equal({ name: "clinic", config: { "ehealth:azCount": 3 } });
  });

  it("gives two files of the same text the same document, each its own copy", () => {
    const a = path.join(dir, "a.yaml");
    const b = path.join(dir, "b.yaml");
    writeFileSync(a, "list: [1, 2]\n");
    writeFileSync(b, "list: [1, 2]\n");
    const [first, second] = [readYaml(a), readYaml(b)];
    expect(first).to.deep.equal({ list: [1, 2] });
    expect(second).to.deep.equal(first);
    expect(second.list).to.not.equal(first.list);
  });
});
