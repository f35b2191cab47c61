/**
 * The plan's first import: when the plan runs as a command, its evaluation workers start loading
 * the Pulumi SDK at once, while this process loads the rest of the plan (commander, YAML, the
 * engine's inputs) and reads the project: before, the workers started only after that, with one
 * of the machine's cores idle meanwhile. As many workers as the plan will likely evaluate stacks:
 * one with --stack or --config, else one per Pulumi.<stack>.yaml beside Pulumi.yaml; none for
 * another --program (it may need a process of its own, child.ts). A worker more than needed waits
 * unused and never keeps the process alive; a worker fewer is started when needed, as before.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { prestartWorkers } from "../engine/worker";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** How many stacks the command line will likely evaluate, or 0 to prestart nothing. */
export function likelyStacks(argv: readonly string[], projectDir: string = PROJECT_DIR): number {
  const has = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  if (has("--program") || has("--help") || has("-h")) return 0;
  const stack = argv.indexOf("--stack");
  const named = stack >= 0 ? argv[stack + 1] : argv.find((a) => a.startsWith("--stack="))?.slice(8);
  if (has("--config") || (named !== undefined && named !== "all")) return 1;
  try {
    return readdirSync(projectDir).filter((f) => /^Pulumi\.[^.]+\.ya?ml$/.test(f)).length;
  } catch {
    return 0;
  }
}

if (require.main?.filename === path.join(__dirname, "cli.ts")) {
  prestartWorkers(likelyStacks(process.argv.slice(2)));
}
