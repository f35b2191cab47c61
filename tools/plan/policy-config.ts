/**
 * The policy config a plan runs with (the file `pulumi preview --policy-pack-config` takes): read,
 * judged, and described for the reports: where it is, the hash of its content, and every policy
 * whose level differs from the pack's default, since a disabled policy must never pass unnoticed.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { EhealthPolicy } from "../../policy-pack/policies";
import type { PackPolicy } from "../policy/run";

export class PlanInputError extends Error {}

export const DEFAULT_POLICY_CONFIG = path.resolve(
  __dirname,
  "..",
  "..",
  "policy-pack",
  "config.json",
);

const LEVELS = ["mandatory", "advisory", "remediate", "disabled"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface PolicyConfigSource {
  /** The file as given (relative to where the plan ran, when below it). */
  readonly path: string;
  /** `sha256:` and the hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** A policy run at another level than the pack declares. */
export interface LevelChange {
  readonly policy: string;
  readonly packDefault: "mandatory" | "advisory";
  readonly level: string;
  /** `disabled`, `downgraded` (mandatory to advisory), or `upgraded` (advisory to mandatory). */
  readonly change: "disabled" | "downgraded" | "upgraded";
  /** The HIPAA Security Rule provisions the policy serves. */
  readonly hipaa: readonly string[];
}

function display(file: string): string {
  const relative = path.relative(process.cwd(), path.resolve(file));
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** Reads a policy config; checkPolicyConfig judges it. */
export function readPolicyConfig(file: string): Record<string, unknown> {
  return readPolicyConfigSource(file).config as Record<string, unknown>;
}

export function readPolicyConfigSource(file: string): PolicyConfigSource {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) throw new PlanInputError(`policy config ${file} does not exist`);
  const bytes = readFileSync(resolved);
  let config: unknown;
  try {
    config = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new PlanInputError(`policy config ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!config || typeof config !== "object" || Array.isArray(config)) {
    throw new PlanInputError(`policy config ${file} must be a JSON object keyed by policy name`);
  }
  return {
    path: display(file),
    sha256: `sha256:${createHash("sha256").update(bytes).digest("hex")}`,
    config: config as Record<string, unknown>,
  };
}

/** This repository's pack, loaded on first use (the plan's workers send theirs as data instead). */
export function loadPack(): readonly EhealthPolicy[] {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports */
  return (require("../../policy-pack/policies") as typeof import("../../policy-pack/policies"))
    .policies;
}

/** A policy's level under a config, as the engine decides it: its own entry, then `all`. */
export function levelUnder(policy: PackPolicy, config: Readonly<Record<string, unknown>>): string {
  const pick = (c: unknown) =>
    typeof c === "string" ? c : (c as { enforcementLevel?: string } | undefined)?.enforcementLevel;
  return pick(config[policy.name]) ?? pick(config.all) ?? policy.enforcementLevel ?? "advisory";
}

/** Every policy whose level under this config is not the pack's default, by name. */
export function levelChanges(
  config: Readonly<Record<string, unknown>>,
  policies: readonly PackPolicy[] = loadPack(),
): LevelChange[] {
  const weight = (l: string) => (l === "disabled" ? 0 : l === "advisory" ? 1 : 2);
  return policies
    .map((p) => ({ p, level: levelUnder(p, config) }))
    .filter(({ p, level }) => weight(level) !== weight(p.meta.enforcementLevel))
    .map(({ p, level }) => ({
      policy: p.name,
      packDefault: p.meta.enforcementLevel,
      level,
      change:
        level === "disabled"
          ? ("disabled" as const)
          : weight(level) < weight(p.meta.enforcementLevel)
            ? ("downgraded" as const)
            : ("upgraded" as const),
      hipaa: [...p.meta.hipaa],
    }))
    .sort((a, b) => a.policy.localeCompare(b.policy));
}

/**
 * Checks a policy config as the CLI would, and more: unknown policies and properties, and
 * exemptions without a reason, are refused. It needs the pack's metadata: the pack's own, loaded
 * here, unless given (the plan has it from its workers, which load the pack anyway).
 */
export function checkPolicyConfig(
  config: Record<string, unknown>,
  file: string,
  policies: readonly PackPolicy[] = loadPack(),
): void {
  judge(config, file, new Map(policies.map((p) => [p.name, p])));
}

/**
 * Whether checkPolicyConfig can refuse this config only for naming a policy or setting the pack
 * does not have: every other rule holds. Needs no pack, so the plan judges this much at once and
 * the rest when its first worker answers with the pack (a worker runs such a config unharmed: an
 * unknown name or setting is never read).
 */
export function wellFormedPolicyConfig(config: Record<string, unknown>, file: string): boolean {
  try {
    judge(config, file, undefined);
    return true;
  } catch (err) {
    if (err instanceof PlanInputError) return false;
    throw err;
  }
}

/** checkPolicyConfig's rules; without `byName`, every policy and setting counts as known. */
function judge(
  config: Record<string, unknown>,
  file: string,
  byName: ReadonlyMap<string, PackPolicy> | undefined,
): void {
  for (const [name, value] of Object.entries(config)) {
    const where = `policy config ${file}: "${name}"`;
    const policy = byName?.get(name);
    if (byName && !policy && name !== "all")
      throw new PlanInputError(`${where} is not a policy of the pack (see docs/policies.md)`);
    if (typeof value === "string") {
      if (!LEVELS.includes(value))
        throw new PlanInputError(`${where} level "${value}" is not one of ${LEVELS.join(", ")}`);
      continue;
    }
    if (!value || typeof value !== "object")
      throw new PlanInputError(`${where} must be a level or an object`);
    const settings = value as Record<string, unknown>;
    if (
      settings.enforcementLevel !== undefined &&
      !LEVELS.includes(String(settings.enforcementLevel))
    ) {
      throw new PlanInputError(
        `${where} enforcementLevel "${String(settings.enforcementLevel)}" is not one of ${LEVELS.join(", ")}`,
      );
    }
    const known = new Set([
      "enforcementLevel",
      ...Object.keys(policy?.configSchema?.properties ?? {}),
    ]);
    for (const key of Object.keys(settings)) {
      if (byName && !known.has(key))
        throw new PlanInputError(
          `${where} has no setting "${key}" (it takes ${[...known].join(", ")})`,
        );
    }
    const exemptions = settings.exemptions;
    if (exemptions === undefined) continue;
    if (!Array.isArray(exemptions)) throw new PlanInputError(`${where} exemptions must be a list`);
    exemptions.forEach((e: Record<string, unknown>, i) => {
      const at = `${where} exemptions[${i}]`;
      if (typeof e?.resource !== "string" || e.resource.trim() === "")
        throw new PlanInputError(`${at} names no resource`);
      if (typeof e.reason !== "string" || e.reason.trim() === "") {
        throw new PlanInputError(
          `${at} (${e.resource}) gives no reason: every exemption must say why`,
        );
      }
      if (
        e.expires !== undefined &&
        (typeof e.expires !== "string" ||
          !DATE.test(e.expires) ||
          Number.isNaN(Date.parse(e.expires)))
      ) {
        throw new PlanInputError(
          `${at} (${e.resource}) expires "${String(e.expires)}" is not a date YYYY-MM-DD`,
        );
      }
    });
  }
}

/** Reads and checks a policy config. */
export function loadPolicyConfig(file: string): Record<string, unknown> {
  const config = readPolicyConfig(file);
  checkPolicyConfig(config, file);
  return config;
}
