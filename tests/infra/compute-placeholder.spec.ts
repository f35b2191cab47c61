import { expect } from "chai";
import { ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import { PLACEHOLDER_MESSAGE } from "../../infra/compute";
import { PROJECT_DIR } from "../../tools/engine";
import { Evaluation, one, stack } from "../helpers";
import { afterStacks, runEarly } from "../helpers/early";
import { tempDir } from "../helpers/temp";

/** Files the script writes with `cat > <path> <<'<END>'`, by path. */
function writtenFiles(script: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of script.matchAll(/^cat > (\S+) <<'(\w+)'\n([\s\S]*?)\n\2$/gm)) {
    files.set(m[1], m[3]);
  }
  return files;
}

/** The script's commands, here-documents left out and continued lines joined. */
function commands(script: string): string[] {
  const withoutHeredocs = script.replace(/<<'(\w+)'\n[\s\S]*?\n\1$/gm, "");
  return withoutHeredocs
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

/** A systemd unit's settings, by section then key (keys may repeat). */
function unitSettings(text: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let section = "";
  for (const line of text.split("\n").map((l) => l.trim())) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1];
      sections.set(section, []);
    } else if (line && !line.startsWith("#")) {
      const eq = line.indexOf("=");
      sections.get(section)!.push([line.slice(0, eq), line.slice(eq + 1)]);
    }
  }
  return sections;
}

const setting = (unit: Map<string, [string, string][]>, section: string, key: string) =>
  (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);

interface Packages {
  readonly packages: Record<string, { title: string; url: string }>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly protocol: string | null;
}

function get(port: number, requestPath: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // The load balancer does not validate a target's certificate either.
    const req = https.get(
      { host: "127.0.0.1", port, path: requestPath, rejectUnauthorized: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            protocol: (res.socket as import("node:tls").TLSSocket).getProtocol?.() ?? null,
          }),
        );
      },
    );
    req.on("error", reject);
  });
}

/** Asks until the service listens: bounded attempts, no timing asserted. */
async function getWhenListening(port: number, requestPath: string): Promise<Answer> {
  let last: unknown;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      return await get(port, requestPath);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last;
}

/** The user data of the ireland stack's launch template, as the instance receives it. */
async function userData(): Promise<string> {
  const lt = one((await stack("ireland")).resources, "aws:ec2/launchTemplate:LaunchTemplate");
  return Buffer.from(String(lt.inputs.userData), "base64").toString();
}

/**
 * Python's own parser, at Amazon Linux 2023's Python 3.9, run on the program the user data
 * writes: started once the stacks are in, beside the suites before this one (helpers/early.ts).
 */
const parsedAsPython39 = afterStacks(async () => {
  const file = path.join(tempDir("placeholder-py-"), "placeholder.py");
  writeFileSync(file, writtenFiles(await userData()).get("/opt/ehealth/placeholder.py") ?? "");
  return runEarly("python3", [
    "-c",
    "import ast, sys; ast.parse(open(sys.argv[1]).read(), feature_version=(3, 9))",
    file,
  ]);
});

describe("ehealth:compute:Compute's first boot", () => {
  let e: Evaluation;
  let script: string;
  let files: Map<string, string>;
  let lines: string[];
  let targetGroup: { port: number; protocol: string; path: string; matcher: string };
  before(async () => {
    e = await stack("ireland");
    script = await userData();
    files = writtenFiles(script);
    lines = commands(script);
    const tg = one(e.resources, "aws:lb/targetGroup:TargetGroup").inputs;
    const hc = tg.healthCheck as { protocol: string; path: string; matcher: string; port?: string };
    // The check goes to the traffic port unless it names another.
    expect(hc.port ?? "traffic-port").to.equal("traffic-port");
    targetGroup = {
      port: tg.port as number,
      protocol: hc.protocol,
      path: hc.path,
      matcher: hc.matcher,
    };
  });

  it("installs packages from Amazon Linux 2023's own repositories only, adding no other source", () => {
    const known = (
      JSON.parse(
        readFileSync(path.join(PROJECT_DIR, "tests", "fixtures", "al2023-packages.json"), "utf8"),
      ) as Packages
    ).packages;
    const installs = lines.filter((l) => /^(dnf|yum) /.test(l));
    expect(installs).to.not.be.empty;
    for (const line of installs) {
      const [, verb, ...rest] = line.split(/\s+/);
      expect(verb, line).to.equal("install");
      for (const pkg of rest.filter((w) => !w.startsWith("-"))) {
        expect(Object.keys(known), `${pkg} is not a documented AL2023 package`).to.include(pkg);
      }
      expect(line, "no repository of its own").to.not.match(/--repo|--enablerepo|\.rpm\b|https?:/);
    }
    for (const line of lines) {
      expect(line).to.not.match(
        /^(curl|wget|pip3?|rpm|npm) |config-manager|amazon-linux-extras|\/yum\.repos\.d\//,
      );
    }
  });

  it("enables a service whose unit serves the target group's health check path on its port", () => {
    const unitPath = [...files.keys()].find((p) => p.startsWith("/etc/systemd/system/"))!;
    expect(unitPath, "a unit file").to.be.a("string");
    const unit = unitSettings(files.get(unitPath)!);
    const [exec] = setting(unit, "Service", "ExecStart");
    const [interpreter, program, port, healthPath] = exec.split(/\s+/);
    expect(interpreter).to.equal("/usr/bin/python3");
    expect(files.has(program), `the script writes ${program}`).to.equal(true);
    expect(Number(port)).to.equal(targetGroup.port);
    expect(healthPath).to.equal(targetGroup.path);
    expect(setting(unit, "Install", "WantedBy")).to.deep.equal(["multi-user.target"]);
    const unitName = path.basename(unitPath);
    const enable = lines.findIndex((l) => l === `systemctl enable --now ${unitName}`);
    expect(enable, "enabled and started").to.be.greaterThan(-1);
    expect(lines.indexOf("systemctl daemon-reload")).to.be.within(0, enable);
    // It is the last thing the boot does: the instance is healthy only when all of it worked.
    expect(enable).to.equal(lines.length - 1);
    expect(script.split("\n").slice(0, 2)).to.deep.equal(["#!/bin/bash", "set -euo pipefail"]);
  });

  it("hands the service the key and certificate the boot creates, and runs it as no one in particular", () => {
    const unitPath = [...files.keys()].find((p) => p.startsWith("/etc/systemd/system/"))!;
    const unit = unitSettings(files.get(unitPath)!);
    const credentials = Object.fromEntries(
      setting(unit, "Service", "LoadCredential").map((c) => c.split(":") as [string, string]),
    );
    const openssl = lines.find((l) => l.startsWith("openssl req"))!;
    expect(openssl).to.include(`-keyout ${credentials["tls.key"]}`);
    expect(openssl).to.include(`-out ${credentials["tls.crt"]}`);
    expect(setting(unit, "Service", "DynamicUser")).to.deep.equal(["yes"]);
  });

  it("keeps the program to what Amazon Linux 2023's Python 3.9 parses", async () => {
    const parsed = await parsedAsPython39;
    expect(parsed.status, parsed.stderr).to.equal(0);
  });

  describe("the placeholder, run from the user data", () => {
    // The certificate as the boot makes it, a self-signed RSA key, here for localhost: made when
    // the file loads (helpers/early.ts), beside the suites before this one.
    const dir = tempDir("placeholder-");
    const certificate = runEarly("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-keyout",
      path.join(dir, "tls.key"),
      "-out",
      path.join(dir, "tls.crt"),
    ]);
    let child: ChildProcess;
    let port: number;
    before(async () => {
      const unitPath = [...files.keys()].find((p) => p.startsWith("/etc/systemd/system/"))!;
      const [exec] = setting(unitSettings(files.get(unitPath)!), "Service", "ExecStart");
      const [, program, , healthPath] = exec.split(/\s+/);
      writeFileSync(path.join(dir, "placeholder.py"), files.get(program)!);
      const made = await certificate;
      expect(made.status, made.stderr).to.equal(0);
      port = await freePort();
      child = spawn(
        "python3",
        [path.join(dir, "placeholder.py"), String(port), healthPath, "127.0.0.1"],
        { env: { ...process.env, CREDENTIALS_DIRECTORY: dir }, stdio: "ignore" },
      );
    });
    // The folder goes when the test process ends (helpers/temp.ts).
    after(() => child?.kill());

    it("answers the health check over TLS 1.2 or later with the target group's status, saying it is a placeholder", async () => {
      const answer = await getWhenListening(port, targetGroup.path);
      expect(targetGroup.protocol).to.equal("HTTPS");
      expect(String(answer.status)).to.equal(targetGroup.matcher);
      expect(answer.protocol).to.be.oneOf(["TLSv1.2", "TLSv1.3"]);
      expect(answer.body).to.include("placeholder");
    });

    it("tells anyone else that the application is not deployed, with a 503", async () => {
      const answer = await getWhenListening(port, "/patients?name=doe");
      expect(answer.status).to.equal(503);
      expect(answer.body.trim()).to.equal(PLACEHOLDER_MESSAGE);
    });
  });
});
