/**
 * CrossGuard's reference findings (./crossguard.ts) computed on a thread of their own. The
 * reference is the costliest part of crossguard.spec (every resource through protobuf Structs and
 * the engine's deserializer, the whole stack once per stack policy), and it needs nothing from
 * the suite's thread but the resources: handed to this worker as soon as a program's evaluation
 * is in, it runs on the machine's other core while the suites before crossguard.spec run on this
 * one, and the suite finds it done. The computation is the same function on a structured clone
 * of the same records (evaluations already reach the suites that way, from the pool's workers).
 *
 * One worker, started on the first request; it does not keep the test process alive while idle.
 */
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import type { ResourceRecord } from "../../tools/engine";
import { typescriptWorker } from "../../tools/engine/worker";
import type { PackConfig } from "../../tools/policy/run";
import type { ReferenceFinding } from "./crossguard";

interface Request {
  readonly id: number;
  readonly resources: readonly ResourceRecord[];
  readonly config: PackConfig;
}

type Reply =
  | { readonly id: number; readonly ok: true; readonly findings: ReferenceFinding[] }
  | { readonly id: number; readonly ok: false; readonly message: string };

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve(f: ReferenceFinding[]): void; reject(e: Error): void }>();

function failAll(err: Error): void {
  for (const { reject } of pending.values()) reject(err);
  pending.clear();
  worker = undefined;
}

function started(): Worker {
  if (worker) return worker;
  const w = typescriptWorker(__filename, { stderr: false });
  w.unref();
  w.on("message", (reply: Reply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (pending.size === 0) w.unref();
    if (reply.ok) waiting.resolve(reply.findings);
    else waiting.reject(new Error(`the reference worker failed: ${reply.message}`));
  });
  w.on("error", (err) => failAll(err));
  w.on("exit", (code) => failAll(new Error(`the reference worker exited with code ${code}`)));
  worker = w;
  return w;
}

/** The findings of the whole pack under `config`, as referenceFindings gives them, off this thread. */
export function referenceInWorker(
  resources: readonly ResourceRecord[],
  config: PackConfig = {},
): Promise<ReferenceFinding[]> {
  const w = started();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.ref();
    w.postMessage({ id, resources, config } satisfies Request);
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { referenceFindings } = require("./crossguard") as typeof import("./crossguard");
  const { policies } =
    require("../../policy-pack/policies") as typeof import("../../policy-pack/policies");
  /* eslint-enable @typescript-eslint/no-require-imports */
  port.on("message", (request: Request) => {
    referenceFindings(request.resources, policies, request.config).then(
      (findings) => port.postMessage({ id: request.id, ok: true, findings } satisfies Reply),
      (err: unknown) =>
        port.postMessage({
          id: request.id,
          ok: false,
          message: err instanceof Error ? err.message : String(err),
        } satisfies Reply),
    );
  });
}
