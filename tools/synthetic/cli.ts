/**
 * npm run synthetic -- --patients 100 --visits 10000 --seed 31415 --out <dir>
 * Writes <dir>/patients.csv and <dir>/timeseries.csv. Bad arguments: one line, exit 2.
 */
import { Command, InvalidArgumentError } from "commander";
import { createWriteStream, mkdirSync } from "node:fs";
import { finished } from "node:stream/promises";
import * as path from "node:path";
import { CONSOLE, parseOptions } from "../cli";
import { PATIENT_COLUMNS, VISIT_COLUMNS, generate } from "./generate";

function wholeNumber(name: string, min: number, max: number) {
  return (text: string): number => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new InvalidArgumentError(
        `--${name} "${text}" is not a whole number from ${min} to ${max}`,
      );
    }
    return Number(text);
  };
}

export function command(): Command {
  return (
    new Command("synthetic")
      .description(
        "Write a synthetic (fake, seeded) patient cohort for a first research study: no real person's data.",
      )
      .addHelpText(
        "after",
        [
          "",
          "Files written into --out:",
          `  patients.csv    one row per patient: ${PATIENT_COLUMNS.join(", ")}`,
          `  timeseries.csv  one row per visit: ${VISIT_COLUMNS.join(", ")}`,
          "The same seed always writes the same files.",
        ].join("\n"),
      )
      .requiredOption(
        "--out <dir>",
        "the folder to write patients.csv and timeseries.csv into (created if missing)",
      )
      // Patients are held in memory (visits are streamed): a million is ample for a cohort.
      .option(
        "--patients <n>",
        "patients, 1 to 1000000",
        wholeNumber("patients", 1, 1_000_000),
        100,
      )
      .option(
        "--visits <n>",
        "visits over all patients, 0 to 1000000000",
        wholeNumber("visits", 0, 1_000_000_000),
        10_000,
      )
      .option(
        "--seed <n>",
        "the seed, 0 to 4294967295",
        wholeNumber("seed", 0, 4_294_967_295),
        31415,
      )
      .helpOption("-h, --help", "show this help")
      .showHelpAfterError(false)
  );
}

interface Options {
  readonly out: string;
  readonly patients: number;
  readonly visits: number;
  readonly seed: number;
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseOptions<Options>(command(), argv, "synthetic", CONSOLE, (message) =>
    message
      .replace(
        /^option '--out <dir>' argument missing|^required option '--out <dir>' not specified/,
        "--out <dir> is missing: name the folder to write into",
      )
      .replace(/^option '[^']+' argument '[^']*' is invalid\. /, ""),
  );
  if ("code" in parsed) return parsed.code;
  const options = parsed.options;
  try {
    mkdirSync(options.out, { recursive: true });
    const patientsFile = createWriteStream(path.join(options.out, "patients.csv"));
    const visitsFile = createWriteStream(path.join(options.out, "timeseries.csv"));
    const written = await generate(options, patientsFile, visitsFile);
    patientsFile.end();
    visitsFile.end();
    await Promise.all([finished(patientsFile), finished(visitsFile)]);
    console.log(
      `wrote ${written.patients} patients and ${written.visits} visits (seed ${options.seed}) to ${options.out}`,
    );
    return 0;
  } catch (err) {
    console.error(`synthetic: cannot write the data: ${(err as Error).message.split("\n")[0]}`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
