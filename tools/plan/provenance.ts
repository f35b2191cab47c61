/**
 * Where a report comes from, for an auditor who must reproduce it: the program's commit (and
 * whether its working tree differed), the policy pack and its config (path and content hash),
 * the Pulumi SDK and provider versions the program ran with, and the tool itself.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { PolicyConfigSource } from "./policy-config";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export interface Provenance {
  /** The program's repository commit, or null when it is not in a git repository. */
  readonly commit: string | null;
  /** True when files of that repository differed from the commit. */
  readonly dirty: boolean | null;
  readonly pack: { readonly name: string; readonly version: string };
  readonly policyConfig: { readonly path: string; readonly sha256: string };
  /** Versions of @pulumi/pulumi, @pulumi/aws and @pulumi/policy as the program resolves them. */
  readonly sdk: Readonly<Record<string, string>>;
  readonly node: string;
  /** How the resources were obtained: never a real deployment or preview. */
  readonly runtime: string;
}

/** git's answer, trimmed, or null when git fails (not a repository, no commit, no git). */
function git(dir: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile("git", ["-C", dir, ...args], { encoding: "utf8" }, (err, stdout) =>
      resolve(err ? null : stdout.trim()),
    );
  });
}

function versionFrom(pkg: string, dirs: readonly string[]): string | null {
  try {
    const file = require.resolve(`${pkg}/package.json`, { paths: [...dirs] });
    return String((JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "");
  } catch {
    return null;
  }
}

/**
 * The commit `git status` reports for the program's repository and whether tracked files differ
 * from it, from one git process (`--porcelain=v2 --branch`: a `# branch.oid` header line, then a
 * line per changed entry; https://git-scm.com/docs/git-status#_porcelain_format_version_2). The
 * header says `(initial)` in a repository without a commit; git fails outside a repository.
 */
function parseStatus(porcelain: string | null): {
  commit: string | null;
  dirty: boolean | null;
} {
  if (porcelain === null) return { commit: null, dirty: null };
  const lines = porcelain.split("\n").filter((line) => line !== "");
  const oid = lines.find((line) => line.startsWith("# branch.oid "))?.slice("# branch.oid ".length);
  // Without a commit there is nothing to differ from.
  if (!oid || !/^[0-9a-f]{40,64}$/.test(oid)) return { commit: null, dirty: null };
  return { commit: oid, dirty: lines.some((line) => !line.startsWith("#")) };
}

/**
 * The provenance of a plan of the program in `programDir`. The plan asks for it when it starts: the
 * git process then runs beside the evaluations, not after them. One process, not `rev-parse HEAD`
 * and `status` each in its own: a process started from the plan's, which holds both stacks'
 * records, costs the plan's thread the time to start it (a test run that plans forty times spent
 * about 1.4 s of its main thread starting git, measured with --cpu-prof).
 */
export async function provenanceOf(
  programDir: string,
  policyConfig: PolicyConfigSource,
): Promise<Provenance> {
  const { commit, dirty } = parseStatus(
    await git(programDir, ["status", "--porcelain=v2", "--branch", "--untracked-files=no"]),
  );
  const pack = JSON.parse(
    readFileSync(path.join(PROJECT_DIR, "policy-pack", "package.json"), "utf8"),
  ) as {
    name: string;
    version: string;
  };
  const sdk: Record<string, string> = {};
  for (const name of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/policy"]) {
    // The program's own copy first, as the evaluation resolves it (tools/engine/resolve.ts).
    const version = versionFrom(name, [programDir, PROJECT_DIR]);
    if (version) sdk[name] = version.replace(/^v/, "");
  }
  return {
    commit,
    dirty,
    pack: { name: pack.name, version: pack.version },
    policyConfig: { path: policyConfig.path, sha256: policyConfig.sha256 },
    sdk,
    node: process.version,
    runtime:
      "Pulumi's mock runtime (npm run plan): no AWS account was used and nothing was deployed or previewed",
  };
}
