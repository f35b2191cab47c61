/**
 * How every command of the project reads its arguments: commander, its help on standard output,
 * and any mistake as one line on standard error, prefixed by the command's name, with exit 2.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export const CONSOLE: Io = { out: (s) => console.log(s), err: (s) => console.error(s) };

/**
 * The command's options, or the exit code when there is nothing to run: 0 after printing help,
 * 2 after a one-line error (`rewrite` may put commander's message in the command's own words).
 */
export function parseOptions<T>(
  cli: Command,
  argv: readonly string[],
  name: string,
  io: Io,
  rewrite: (message: string) => string = (m) => m,
): { readonly options: T } | { readonly code: number } {
  try {
    const parsed = cli
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: () => undefined })
      .parse([...argv], { from: "user" });
    return { options: parsed.opts() as T };
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.exitCode === 0) return { code: 0 };
    io.err(`${name}: ${rewrite(err.message.replace(/^error: /, "")).split("\n")[0]} (see --help)`);
    return { code: 2 };
  }
}

/** An option's value that must be a whole number of 1 or more (commander's argument parser). */
export function positive(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${text} is not a positive whole number`);
  return n;
}
