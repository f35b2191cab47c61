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
 * The provenance of a plan of the program in `programDir`. The plan asks for it when it starts: the
 * two git processes then run beside the evaluations, not after them (they took about 0.1 s of the
 * plan's wall time, one after the other, at its end).
 */
export async function provenanceOf(
  programDir: string,
  policyConfig: PolicyConfigSource,
): Promise<Provenance> {
  const [head, porcelain] = await Promise.all([
    git(programDir, ["rev-parse", "HEAD"]),
    git(programDir, ["status", "--porcelain", "--untracked-files=no"]),
  ]);
  const commit = head;
  // Without a commit there is nothing to differ from.
  const status = commit === null ? null : porcelain;
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
    dirty: status === null ? null : status !== "",
    pack: { name: pack.name, version: pack.version },
    policyConfig: { path: policyConfig.path, sha256: policyConfig.sha256 },
    sdk,
    node: process.version,
    runtime:
      "Pulumi's mock runtime (npm run plan): no AWS account was used and nothing was deployed or previewed",
  };
}
