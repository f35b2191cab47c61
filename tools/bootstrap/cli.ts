/**
 * npm run bootstrap -- --bucket <name> [--region eu-west-1] [--key-alias alias/...] [--apply]
 *
 * The one-time setup for teams that keep Pulumi state in their own AWS account instead of Pulumi
 * Cloud: an S3 state bucket (private, owner-enforced, versioned, encrypted with a customer key,
 * TLS only) and that KMS key (rotated yearly) as the stacks' secrets provider. Without --apply it
 * prints the AWS CLI and Pulumi commands; with --apply it runs the AWS ones (with the AWS CLI and
 * credentials of the caller), skipping what already exists, and prints the Pulumi ones to run
 * next. Bad arguments or no credentials: one line, exit 2.
 */
import { Command, CommanderError } from "commander";
import { spawnSync } from "node:child_process";
import { denyInsecureTransport } from "../../infra/data/buckets";
import { policyDocument } from "../../infra/iam";
import { DEPLOY_ORDER } from "../delivery/workflows";

export const DEFAULT_REGION = "eu-west-1";
export const DEFAULT_KEY_ALIAS = "alias/ehealth-pulumi-state";

export class BootstrapError extends Error {}

export interface BootstrapOptions {
  readonly bucket: string;
  readonly region: string;
  readonly keyAlias: string;
}

/** S3's rules for a bucket name, without dots (they break TLS on virtual-hosted names). */
const BUCKET = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ALIAS = /^alias\/(?!aws\/)[A-Za-z0-9/_-]{1,250}$/;

export function checkOptions(o: BootstrapOptions): void {
  if (!BUCKET.test(o.bucket)) {
    throw new BootstrapError(
      `--bucket "${o.bucket}" is not a bucket name this setup accepts: 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit (such as acme-ehealth-pulumi-state)`,
    );
  }
  if (!REGION.test(o.region)) {
    throw new BootstrapError(`--region "${o.region}" is not an AWS region such as eu-west-1`);
  }
  if (!ALIAS.test(o.keyAlias)) {
    throw new BootstrapError(
      `--key-alias "${o.keyAlias}" is not a KMS alias of your own: use alias/<name> (not alias/aws/...)`,
    );
  }
}

/** One AWS CLI call of the setup; `$KEY_ID` stands for the key the setup created or found. */
export interface AwsStep {
  readonly what: string;
  readonly args: readonly string[];
}

const partitionOf = (region: string) => (region.startsWith("us-gov-") ? "aws-us-gov" : "aws");

export function statePolicy(bucket: string, region: string): string {
  return JSON.stringify(
    policyDocument([denyInsecureTransport(`arn:${partitionOf(region)}:s3:::${bucket}`)]),
  );
}

/** The calls after the key exists, in order; each is safe to repeat. */
export function awsSteps(o: BootstrapOptions): AwsStep[] {
  const b = ["--bucket", o.bucket, "--region", o.region];
  return [
    {
      what: "rotate the key yearly",
      args: ["kms", "enable-key-rotation", "--key-id", "$KEY_ID", "--region", o.region],
    },
    {
      what: "block every form of public access",
      args: [
        "s3api",
        "put-public-access-block",
        ...b,
        "--public-access-block-configuration",
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
      ],
    },
    {
      what: "the bucket owns every object (ACLs off)",
      args: [
        "s3api",
        "put-bucket-ownership-controls",
        ...b,
        "--ownership-controls",
        "Rules=[{ObjectOwnership=BucketOwnerEnforced}]",
      ],
    },
    {
      what: "encrypt every object with the key",
      args: [
        "s3api",
        "put-bucket-encryption",
        ...b,
        "--server-side-encryption-configuration",
        JSON.stringify({
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: "aws:kms",
                KMSMasterKeyID: "$KEY_ID",
              },
              BucketKeyEnabled: true,
            },
          ],
        }),
      ],
    },
    {
      what: "keep every version of the state (an overwritten checkpoint can be restored)",
      args: [
        "s3api",
        "put-bucket-versioning",
        ...b,
        "--versioning-configuration",
        "Status=Enabled",
      ],
    },
    {
      what: "refuse requests without TLS",
      args: ["s3api", "put-bucket-policy", ...b, "--policy", statePolicy(o.bucket, o.region)],
    },
  ];
}

function createBucket(o: BootstrapOptions): string[] {
  // us-east-1 is the one region that refuses a location constraint naming itself.
  return [
    "s3api",
    "create-bucket",
    "--bucket",
    o.bucket,
    "--region",
    o.region,
    ...(o.region === "us-east-1"
      ? []
      : ["--create-bucket-configuration", `LocationConstraint=${o.region}`]),
  ];
}

function createKey(o: BootstrapOptions): string[] {
  return [
    "kms",
    "create-key",
    "--region",
    o.region,
    "--description",
    `Pulumi state and secrets of ehealth (bucket ${o.bucket})`,
    "--tags",
    "TagKey=Project,TagValue=ehealth",
    "--query",
    "KeyMetadata.KeyId",
    "--output",
    "text",
  ];
}

/** What to run once the AWS side exists: log in to the bucket, create the stacks on the key. */
export function pulumiCommands(o: BootstrapOptions): string[] {
  return [
    `pulumi login 's3://${o.bucket}?region=${o.region}&awssdk=v2'`,
    ...DEPLOY_ORDER.map(
      (stack) =>
        `pulumi stack init ${stack} --secrets-provider 'awskms://${o.keyAlias}?region=${o.region}'`,
    ),
  ];
}

/** One shell word; `$KEY_ID` stays outside single quotes, so the shell expands it. */
function quote(arg: string): string {
  const plain = (part: string) =>
    part === "" || /^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`;
  return arg.split("$KEY_ID").map(plain).join('"$KEY_ID"');
}

/** The whole setup as a shell script a person can read, review and run. */
export function script(o: BootstrapOptions): string {
  const line = (args: readonly string[]) => ["aws", ...args.map(quote)].join(" ");
  return [
    "# Pulumi state in your own account: run once, with credentials for it.",
    "set -euo pipefail",
    `# the state bucket, in ${o.region}`,
    line(createBucket(o)),
    "# the key that encrypts the state and the stacks' secrets",
    `KEY_ID=$(${line(createKey(o))})`,
    line([
      "kms",
      "create-alias",
      "--alias-name",
      o.keyAlias,
      "--target-key-id",
      "$KEY_ID",
      "--region",
      o.region,
    ]),
    ...awsSteps(o).flatMap((s) => [`# ${s.what}`, line(s.args)]),
    "# then, from this repository:",
    ...pulumiCommands(o),
    "",
  ].join("\n");
}

export interface Runner {
  (args: readonly string[]): { status: number; stdout: string; stderr: string };
}

export function awsRunner(command: string, env: NodeJS.ProcessEnv): Runner {
  return (args) => {
    const r = spawnSync(command, args, { encoding: "utf8", env });
    if (r.error) {
      throw new BootstrapError(
        `cannot run the AWS CLI (${command}): ${r.error.message}; install it, or run without --apply and follow the printed commands`,
      );
    }
    return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
}

/** Runs the AWS side, skipping the bucket and key when they exist. Returns what it did. */
export function apply(o: BootstrapOptions, aws: Runner): string[] {
  const done: string[] = [];
  const must = (args: readonly string[], what: string) => {
    const r = aws(args);
    if (r.status !== 0) {
      throw new BootstrapError(`${what} failed: ${r.stderr.trim().split("\n").pop() ?? ""}`);
    }
    return r.stdout.trim();
  };
  const account = aws(["sts", "get-caller-identity", "--query", "Account", "--output", "text"]);
  if (account.status !== 0) {
    throw new BootstrapError(
      "no AWS credentials: configure them (aws configure sso, or environment variables) for the account that will hold the state, then run again",
    );
  }
  done.push(`account ${account.stdout.trim()}`);
  if (aws(["s3api", "head-bucket", "--bucket", o.bucket, "--region", o.region]).status === 0) {
    done.push(`bucket ${o.bucket} exists`);
  } else {
    must(createBucket(o), `creating the bucket ${o.bucket}`);
    done.push(`created bucket ${o.bucket}`);
  }
  const found = aws([
    "kms",
    "describe-key",
    "--key-id",
    o.keyAlias,
    "--region",
    o.region,
    "--query",
    "KeyMetadata.KeyId",
    "--output",
    "text",
  ]);
  let keyId = found.stdout.trim();
  if (found.status === 0 && keyId) {
    done.push(`key ${o.keyAlias} exists`);
  } else {
    keyId = must(createKey(o), "creating the key");
    must(
      [
        "kms",
        "create-alias",
        "--alias-name",
        o.keyAlias,
        "--target-key-id",
        keyId,
        "--region",
        o.region,
      ],
      `naming the key ${o.keyAlias}`,
    );
    done.push(`created key ${o.keyAlias}`);
  }
  for (const step of awsSteps(o)) {
    must(
      step.args.map((a) => a.replace(/\$KEY_ID/g, keyId)),
      step.what,
    );
    done.push(step.what);
  }
  return done;
}

export function command(): Command {
  return new Command("bootstrap")
    .description(
      "Set up where Pulumi keeps this project's state without Pulumi Cloud: an S3 state bucket (private, owner-enforced, versioned, encrypted with a customer key, TLS only) and that KMS key (rotated yearly) as the stacks' secrets provider.",
    )
    .addHelpText(
      "after",
      [
        "",
        "Without --apply it changes nothing: it prints the AWS CLI commands, then the pulumi",
        "commands to run. With --apply it runs the AWS commands with your AWS CLI and",
        "credentials, skipping the bucket and the key when they exist (safe to run again),",
        "and prints the pulumi commands to run next. It writes no file.",
      ].join("\n"),
    )
    .requiredOption("--bucket <name>", "the state bucket's name (globally unique, lowercase)")
    .option("--region <region>", "the region of the bucket and key", DEFAULT_REGION)
    .option("--key-alias <alias>", "the KMS alias of the secrets key", DEFAULT_KEY_ALIAS)
    .option("--apply", "run the AWS commands instead of printing them")
    .helpOption("-h, --help", "show this help")
    .showHelpAfterError(false);
}

export function main(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void; aws?: Runner } = {
    out: (s) => console.log(s),
    err: (s) => console.error(s),
  },
): number {
  const cli = command()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: () => undefined });
  try {
    let values: { bucket: string; region: string; keyAlias: string; apply?: boolean };
    try {
      values = cli.parse([...argv], { from: "user" }).opts();
    } catch (err) {
      if (err instanceof CommanderError) {
        if (err.exitCode === 0) return 0;
        const message = err.message.replace(/^error: /, "");
        throw new BootstrapError(
          /required option '--bucket/.test(message)
            ? "--bucket is missing: name the state bucket (globally unique)"
            : `${message.split("\n")[0]} (see --help)`,
        );
      }
      throw err;
    }
    const o = { bucket: values.bucket, region: values.region, keyAlias: values.keyAlias };
    checkOptions(o);
    if (!values.apply) {
      io.out(script(o));
      return 0;
    }
    for (const line of apply(o, io.aws ?? awsRunner("aws", process.env)))
      io.out(`bootstrap: ${line}`);
    io.out(["bootstrap: done; now run:", ...pulumiCommands(o)].join("\n"));
    return 0;
  } catch (err) {
    const message =
      err instanceof BootstrapError ? err.message : `unexpected: ${(err as Error).message}`;
    io.err(`bootstrap: ${message}`);
    return 2;
  }
}

if (require.main === module) {
  process.exit(main(process.argv.slice(2)));
}
