/**
 * npm run synthetic -- --patients 100 --visits 10000 --seed 31415 --out <dir>
 * Writes <dir>/patients.csv and <dir>/timeseries.csv. Bad arguments: one line, exit 2.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { finished } from "node:stream/promises";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { generate } from "./generate";

const USAGE =
  "usage: npm run synthetic -- [--patients 100] [--visits 10000] [--seed 31415] --out <dir>";

class UsageError extends Error {}

function wholeNumber(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} "${text}" is not a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

export async function main(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        patients: { type: "string", default: "100" },
        visits: { type: "string", default: "10000" },
        seed: { type: "string", default: "31415" },
        out: { type: "string" },
        help: { type: "boolean", default: false },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.out) throw new UsageError("--out <dir> is missing: name the folder to write into");
    const options = {
      // Patients are held in memory (visits are streamed): a million is ample for a cohort.
      patients: wholeNumber("patients", values.patients, 1, 1_000_000),
      visits: wholeNumber("visits", values.visits, 0, 1_000_000_000),
      seed: wholeNumber("seed", values.seed, 0, 4_294_967_295),
    };
    mkdirSync(values.out, { recursive: true });
    const patientsFile = createWriteStream(path.join(values.out, "patients.csv"));
    const visitsFile = createWriteStream(path.join(values.out, "timeseries.csv"));
    const written = await generate(options, patientsFile, visitsFile);
    patientsFile.end();
    visitsFile.end();
    await Promise.all([finished(patientsFile), finished(visitsFile)]);
    console.log(
      `wrote ${written.patients} patients and ${written.visits} visits (seed ${options.seed}) to ${values.out}`,
    );
    return 0;
  } catch (err) {
    const message =
      err instanceof UsageError
        ? err.message
        : (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
          ? (err as Error).message
          : `cannot write the data: ${(err as Error).message}`;
    console.error(`synthetic: ${message}\n${USAGE}`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
