/**
 * What the delivery pipeline relies on, checked on the workflow files as GitHub reads them: pinned
 * actions, least-privilege tokens, OIDC instead of keys, the tests and the offline plan on every
 * pull request, previews and deployments under the policy pack, oregon before ireland, and never
 * two runs on one stack at once. Returns the problems found, each naming the file and the place.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const WORKFLOW_DIR = path.join(".github", "workflows");

/** The stacks, in the order they must deploy (the primary needs the secondary's targets). */
export const DEPLOY_ORDER = ["oregon", "ireland"] as const;

/** Token scopes a job may ask for, and when. */
const SCOPES: Record<string, string> = {
  contents: "read",
  "id-token": "write",
  "pull-requests": "write",
};

type Json = Record<string, unknown>;

export interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly doc: Json;
}

interface Step extends Json {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Json;
  readonly if?: string;
}

const obj = (v: unknown): Json =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {};
const jobsOf = (w: Workflow) =>
  Object.entries(obj(w.doc.jobs)).map(([id, j]) => [id, obj(j)] as const);
const stepsOf = (job: Json): Step[] => (Array.isArray(job.steps) ? (job.steps as Step[]) : []);
const needsOf = (job: Json): string[] => [job.needs ?? []].flat().map(String);
/** `on` is a YAML 1.1 boolean in some parsers; the yaml package keeps it a string key. */
const triggersOf = (w: Workflow) => obj(w.doc.on);

export function loadWorkflows(root: string): Workflow[] {
  const dir = path.join(root, WORKFLOW_DIR);
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const text = readFileSync(path.join(dir, f), "utf8");
      return { file: f, text, doc: obj(parse(text)) };
    });
}

/** Whether every line that uses this action names its release in a comment after it. */
function commented(text: string, uses: string): boolean {
  const lines = text
    .split("\n")
    .filter((l) => l.trim().replace(/^- /, "").startsWith(`uses: ${uses}`));
  return lines.every((l) => new RegExp(`uses: \\S+ # v\\d+(\\.\\d+)*\\s*$`).test(l));
}

/** Rules every workflow follows. */
function common(w: Workflow, problems: string[]): void {
  const at = (where: string) => `${w.file}: ${where}`;
  if ("pull_request_target" in triggersOf(w)) {
    problems.push(at("runs on pull_request_target, which hands secrets to untrusted code"));
  }
  const top = obj(w.doc.permissions);
  if (JSON.stringify(top) !== JSON.stringify({ contents: "read" })) {
    problems.push(
      at(
        `permissions must be exactly { contents: read }, not ${JSON.stringify(w.doc.permissions)}`,
      ),
    );
  }
  if (!w.doc.concurrency) problems.push(at("has no concurrency group"));
  for (const [id, job] of jobsOf(w)) {
    const where = (s: string) => at(`jobs.${id}${s}`);
    if (job.permissions !== undefined) {
      if (typeof job.permissions !== "object") {
        problems.push(where(`.permissions is ${String(job.permissions)}: list the scopes`));
      }
      for (const [scope, level] of Object.entries(obj(job.permissions))) {
        if (SCOPES[scope] === undefined || (level !== "read" && level !== SCOPES[scope])) {
          problems.push(where(`.permissions asks for ${scope}: ${String(level)}`));
        }
      }
    }
    const scopes = obj(job.permissions);
    const steps = stepsOf(job);
    const usesAws = steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    if (scopes["id-token"] === "write" && !usesAws) {
      problems.push(where(" asks for an OIDC token it does not use"));
    }
    if (usesAws && scopes["id-token"] !== "write") {
      problems.push(where(" assumes an AWS role without id-token: write (OIDC)"));
    }
    if (typeof job.if === "string" && job.if.includes("secrets.")) {
      problems.push(where(".if reads a secret, which GitHub does not allow there"));
    }
    if (job["continue-on-error"] === true)
      problems.push(where(" may fail without failing the run"));
    steps.forEach((step, i) => {
      const place = (s: string) => where(`.steps[${i}]${s}`);
      if (step["continue-on-error"] === true)
        problems.push(place(" may fail without failing the job"));
      if (!step.uses) return;
      const pinned = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(step.uses);
      if (!pinned) problems.push(place(` uses ${step.uses}: pin it to a full commit SHA`));
      if (pinned && !commented(w.text, step.uses)) {
        problems.push(
          place(` pins ${step.uses} without the "# vX.Y.Z" comment naming its release`),
        );
      }
      if (
        step.uses.startsWith("actions/checkout@") &&
        obj(step.with)["persist-credentials"] !== false
      ) {
        problems.push(place(" keeps the token in .git: set persist-credentials: false"));
      }
      if (step.uses.startsWith("aws-actions/configure-aws-credentials@")) {
        const inputs = obj(step.with);
        if ("aws-access-key-id" in inputs || "aws-secret-access-key" in inputs) {
          problems.push(place(" uses long-lived AWS keys: assume a role with OIDC instead"));
        }
        if (!inputs["role-to-assume"]) problems.push(place(" names no role-to-assume"));
      }
    });
  }
}

/** The Pulumi action steps of a job, with their inputs. */
function pulumiSteps(job: Json): Json[] {
  return stepsOf(job)
    .filter((s) => s.uses?.startsWith("pulumi/actions@"))
    .map((s) => obj(s.with));
}

function underThePack(w: Workflow, id: string, inputs: Json, root: string, problems: string[]) {
  const at = `${w.file}: jobs.${id}`;
  if (inputs.policyPacks !== "policy-pack" || !existsSync(path.join(root, "policy-pack"))) {
    problems.push(`${at} runs pulumi ${String(inputs.command)} without policyPacks: policy-pack`);
  }
  if (
    inputs.policyPackConfigs !== "policy-pack/config.json" ||
    !existsSync(path.join(root, "policy-pack", "config.json"))
  ) {
    problems.push(`${at} runs the pack without policyPackConfigs: policy-pack/config.json`);
  }
}

const runs = (job: Json) => stepsOf(job).flatMap((s) => (s.run ? [s.run.trim()] : []));

function testsAndPlan(w: Workflow, problems: string[]): void {
  const all = jobsOf(w).flatMap(([, j]) => runs(j));
  for (const command of ["npm ci", "npm test", "npm run verify"]) {
    if (!all.includes(command)) problems.push(`${w.file}: no job runs \`${command}\``);
  }
  if (!all.some((r) => r.startsWith("npm run plan"))) {
    problems.push(`${w.file}: no job runs the offline plan (npm run plan)`);
  }
}

function pullRequest(w: Workflow, root: string, problems: string[]): void {
  if (!("pull_request" in triggersOf(w))) problems.push(`${w.file}: does not run on pull_request`);
  testsAndPlan(w, problems);
  const jobs = jobsOf(w);
  const plan = jobs.find(([, j]) => runs(j).some((r) => r.startsWith("npm run plan")));
  if (plan) {
    const command = runs(plan[1]).find((r) => r.startsWith("npm run plan"))!;
    for (const flag of ["--json", "--markdown"]) {
      if (!command.includes(flag)) problems.push(`${w.file}: the plan writes no ${flag} report`);
    }
    const upload = stepsOf(plan[1]).find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    if (!upload) problems.push(`${w.file}: the plan's reports are not uploaded as an artifact`);
    else if (upload.if !== "always()") {
      problems.push(`${w.file}: the reports are not uploaded when the plan fails (if: always())`);
    }
  }
  const previews = jobs.filter(([, j]) => pulumiSteps(j).some((p) => p.command === "preview"));
  if (previews.length !== 1) {
    problems.push(`${w.file}: expected one job running pulumi preview, found ${previews.length}`);
    return;
  }
  const [id, job] = previews[0];
  const matrix = obj(obj(job.strategy).matrix);
  const stacks = (Array.isArray(matrix.include) ? matrix.include : []).map((e) => obj(e).stack);
  if (JSON.stringify([...stacks].sort()) !== JSON.stringify([...DEPLOY_ORDER].sort())) {
    problems.push(`${w.file}: jobs.${id} previews ${JSON.stringify(stacks)}, not every stack`);
  }
  for (const needed of [plan?.[0], jobs.find(([, j]) => runs(j).includes("npm test"))?.[0]]) {
    if (needed && !needsOf(job).includes(needed)) {
      problems.push(`${w.file}: jobs.${id} does not wait for ${needed}`);
    }
  }
  for (const inputs of pulumiSteps(job)) {
    underThePack(w, id, inputs, root, problems);
    if (inputs["comment-on-pr"] !== true) {
      problems.push(`${w.file}: jobs.${id} does not comment the preview on the pull request`);
    }
  }
  if (obj(job.permissions)["pull-requests"] !== "write") {
    problems.push(`${w.file}: jobs.${id} cannot comment without pull-requests: write`);
  }
}

function deploy(w: Workflow, root: string, problems: string[]): void {
  const push = obj(triggersOf(w).push);
  if (!([push.branches ?? []].flat() as string[]).includes("main")) {
    problems.push(`${w.file}: does not run on pushes to main`);
  }
  if (obj(w.doc.concurrency)["cancel-in-progress"] !== false) {
    problems.push(`${w.file}: a newer push may cancel a deployment half-way (cancel-in-progress)`);
  }
  testsAndPlan(w, problems);
  const ups = jobsOf(w).filter(([, j]) => pulumiSteps(j).some((p) => p.command === "up"));
  const stackOf = (job: Json) =>
    String(pulumiSteps(job).find((p) => p.command === "up")?.["stack-name"]);
  const order = ups.map(([, j]) => stackOf(j));
  if (JSON.stringify([...order].sort()) !== JSON.stringify([...DEPLOY_ORDER].sort())) {
    problems.push(`${w.file}: deploys ${JSON.stringify(order)}, not every stack once`);
  }
  const byStack = new Map(ups.map(([id, j]) => [stackOf(j), [id, j] as const]));
  const groups = new Set<string>();
  DEPLOY_ORDER.forEach((stack, i) => {
    const entry = byStack.get(stack);
    if (!entry) return;
    const [id, job] = entry;
    const at = `${w.file}: jobs.${id}`;
    const before = DEPLOY_ORDER[i - 1];
    if (before && !needsOf(job).includes(byStack.get(before)?.[0] ?? before)) {
      problems.push(`${at} deploys ${stack} without waiting for ${before}`);
    }
    if (!needsOf(job).some((n) => runs(obj(obj(w.doc.jobs)[n])).includes("npm test")) && i === 0) {
      problems.push(`${at} deploys without waiting for the tests`);
    }
    const environment =
      typeof job.environment === "string" ? job.environment : obj(job.environment).name;
    if (!environment) problems.push(`${at} deploys outside a GitHub environment (no reviewers)`);
    const concurrency = obj(job.concurrency);
    const group = String(concurrency.group ?? "");
    if (!group.includes(stack) || concurrency["cancel-in-progress"] !== false) {
      problems.push(
        `${at} has no concurrency group of its stack that waits (cancel-in-progress: false)`,
      );
    }
    if (groups.has(group)) problems.push(`${at} shares its concurrency group with another stack`);
    groups.add(group);
    for (const inputs of pulumiSteps(job)) underThePack(w, id, inputs, root, problems);
  });
}

export function workflowProblems(workflows: readonly Workflow[], root: string): string[] {
  const problems: string[] = [];
  for (const w of workflows) common(w, problems);
  const named = (file: string) => workflows.find((w) => w.file === file);
  const pr = named("pull-request.yml");
  const main = named("deploy.yml");
  if (!pr) problems.push("pull-request.yml is missing");
  else pullRequest(pr, root, problems);
  if (!main) problems.push("deploy.yml is missing");
  else deploy(main, root, problems);
  return problems;
}
