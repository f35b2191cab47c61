import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_KEY_ALIAS, Runner, main, script } from "../../tools/bootstrap/cli";
import { tempDir } from "../helpers/temp";

/** An AWS CLI stand-in: remembers each call, answers from a table, fails what it is told to. */
function fakeAws(answers: Record<string, { status?: number; stdout?: string }> = {}) {
  const calls: string[][] = [];
  const runner: Runner = (args) => {
    calls.push([...args]);
    const answer = answers[`${args[0]} ${args[1]}`] ?? {};
    return { status: answer.status ?? 0, stdout: answer.stdout ?? "", stderr: "An error occurred" };
  };
  return { runner, calls, ops: () => calls.map((c) => `${c[0]} ${c[1]}`) };
}

function run(argv: string[], aws?: Runner) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), aws });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const bucket = "acme-ehealth-state";
const NEW = {
  "sts get-caller-identity": { stdout: "123456789012\n" },
  "s3api head-bucket": { status: 254 },
  "kms describe-key": { status: 254 },
  "kms create-key": { stdout: "1234abcd-12ab-34cd-56ef-1234567890ab\n" },
};

describe("npm run bootstrap", () => {
  it("prints a script whose commands, run by a shell, make the calls the setup needs", () => {
    const dir = tempDir("ehealth-bootstrap-");
    const log = path.join(dir, "calls.log");
    // Stand-ins for the aws and pulumi commands, recording the arguments the shell gives them:
    // shell scripts (a Node.js stand-in cost a Node.js start per call), each argument ended by a
    // NUL and each call by a newline, so that any argument (JSON policies) is recorded as given.
    for (const tool of ["aws", "pulumi"]) {
      const file = path.join(dir, tool);
      writeFileSync(
        file,
        `#!/bin/sh
{ printf '%s\\0' ${tool} "$@"; printf '\\n'; } >> '${log}'
if [ "$2" = create-key ]; then echo 1234abcd-12ab-34cd-56ef-1234567890ab; fi
`,
      );
      chmodSync(file, 0o755);
    }
    const printed = run(["--bucket", bucket, "--region", "eu-west-1"]);
    expect(printed.code).to.equal(0);
    // The shell finds the stand-ins and the system's own tools only: never an aws or pulumi
    // installed on the machine, which would act on whatever account its credentials reach. Its
    // standard input is not a pipe: Node's pipes are sockets, and bash reading from a socket takes
    // itself for a remote shell and runs ~/.bashrc (bash(1), INVOCATION), which may put the
    // machine's own aws first on PATH (seen here: pyenv's shims).
    const shell = spawnSync("bash", ["-c", printed.out], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PATH: `${dir}:/usr/bin:/bin` },
      encoding: "utf8",
    });
    expect(shell.status, shell.stderr).to.equal(0);
    const calls = readFileSync(log, "utf8")
      .split("\0\n")
      .filter(Boolean)
      .map((call) => call.split("\0"));
    const ops = calls.map((c) => c.slice(0, 3).join(" "));
    expect(ops).to.deep.equal([
      "aws s3api create-bucket",
      "aws kms create-key",
      "aws kms create-alias",
      "aws kms enable-key-rotation",
      "aws s3api put-public-access-block",
      "aws s3api put-bucket-ownership-controls",
      "aws s3api put-bucket-encryption",
      "aws s3api put-bucket-versioning",
      "aws s3api put-bucket-policy",
      "pulumi login s3://acme-ehealth-state?region=eu-west-1&awssdk=v2",
      "pulumi stack init",
      "pulumi stack init",
    ]);
    const arg = (op: string, flag: string) => {
      const call = calls.find((c) => c.slice(0, 3).join(" ") === op)!;
      return call[call.indexOf(flag) + 1];
    };
    // The key the setup created is the one every later call names.
    expect(arg("aws kms enable-key-rotation", "--key-id")).to.equal(
      "1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    const encryption = JSON.parse(
      arg("aws s3api put-bucket-encryption", "--server-side-encryption-configuration"),
    ) as { Rules: { ApplyServerSideEncryptionByDefault: Record<string, string> }[] };
    expect(encryption.Rules[0].ApplyServerSideEncryptionByDefault).to.deep.equal({
      SSEAlgorithm: "aws:kms",
      KMSMasterKeyID: "1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    const policy = JSON.parse(arg("aws s3api put-bucket-policy", "--policy")) as {
      Statement: { Effect: string; Condition: unknown }[];
    };
    expect(policy.Statement).to.deep.include.members([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect(arg("aws s3api put-bucket-versioning", "--versioning-configuration")).to.equal(
      "Status=Enabled",
    );
    const inits = calls.filter((c) => c[1] === "stack");
    expect(inits.map((c) => c[3])).to.deep.equal(["oregon", "ireland"]);
    for (const c of inits) {
      expect(c[c.indexOf("--secrets-provider") + 1]).to.equal(
        `awskms://${DEFAULT_KEY_ALIAS}?region=eu-west-1`,
      );
    }
  });

  it("leaves out the location constraint in us-east-1, which refuses it", () => {
    expect(script({ bucket, region: "us-east-1", keyAlias: DEFAULT_KEY_ALIAS })).to.not.include(
      "LocationConstraint",
    );
    expect(script({ bucket, region: "eu-west-1", keyAlias: DEFAULT_KEY_ALIAS })).to.include(
      "LocationConstraint=eu-west-1",
    );
  });

  it("with --apply, creates the bucket and the key, then secures both", () => {
    const aws = fakeAws(NEW);
    const r = run(["--bucket", bucket, "--apply"], aws.runner);
    expect(r.code, r.err).to.equal(0);
    expect(aws.ops()).to.deep.equal([
      "sts get-caller-identity",
      "s3api head-bucket",
      "s3api create-bucket",
      "kms describe-key",
      "kms create-key",
      "kms create-alias",
      "kms enable-key-rotation",
      "s3api put-public-access-block",
      "s3api put-bucket-ownership-controls",
      "s3api put-bucket-encryption",
      "s3api put-bucket-versioning",
      "s3api put-bucket-policy",
    ]);
    expect(aws.calls.flat().join(" ")).to.not.include("$KEY_ID");
    expect(r.out).to.include("pulumi login 's3://acme-ehealth-state?region=eu-west-1&awssdk=v2'");
  });

  it("with --apply, reuses a bucket and a key that exist, so it can run again", () => {
    const aws = fakeAws({
      ...NEW,
      "s3api head-bucket": { status: 0 },
      "kms describe-key": { stdout: "existing-key-id\n" },
    });
    const r = run(["--bucket", bucket, "--apply"], aws.runner);
    expect(r.code, r.err).to.equal(0);
    expect(aws.ops()).to.not.include.members(["s3api create-bucket", "kms create-key"]);
    const rotation = aws.calls.find((c) => c[1] === "enable-key-rotation")!;
    expect(rotation[rotation.indexOf("--key-id") + 1]).to.equal("existing-key-id");
  });

  it("fails with exit 2 and one line without credentials, before creating anything", () => {
    const aws = fakeAws({ ...NEW, "sts get-caller-identity": { status: 255 } });
    const r = run(["--bucket", bucket, "--apply"], aws.runner);
    expect(r.code).to.equal(2);
    expect(r.err.split("\n")[0]).to.match(/^bootstrap: no AWS credentials/);
    expect(aws.ops()).to.deep.equal(["sts get-caller-identity"]);
  });

  it("fails with exit 2 naming the call when AWS refuses one", () => {
    const aws = fakeAws({ ...NEW, "s3api put-bucket-policy": { status: 254 } });
    const r = run(["--bucket", bucket, "--apply"], aws.runner);
    expect(r.code).to.equal(2);
    expect(r.err.split("\n")[0]).to.include("refuse requests without TLS failed");
  });

  for (const [argv, fragment] of [
    [[], "--bucket is missing"],
    [["--bucket", "Acme_State"], '--bucket "Acme_State"'],
    [["--bucket", "acme.state.bucket"], "is not a bucket name"],
    [["--bucket", bucket, "--region", "europe"], '--region "europe"'],
    [["--bucket", bucket, "--key-alias", "alias/aws/s3"], "not alias/aws/"],
    [["--bucket", bucket, "--force"], "--force"],
  ] as const) {
    it(`fails with exit 2 and one line given ${argv.join(" ") || "nothing"}`, () => {
      const r = run([...argv]);
      expect(r.code).to.equal(2);
      expect(r.err.split("\n")[0])
        .to.match(/^bootstrap: /)
        .and.include(fragment);
    });
  }
});
