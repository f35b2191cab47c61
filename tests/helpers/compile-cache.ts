// The project's files compiled once for every thread and process of the run, then read from the
// cache on this thread too (tools/engine/compile-cache.ts). Before the specs and the workers load.
import Module from "node:module";
import {
  installCompileCache,
  precompileProject,
  tsxEmbedsSources,
} from "../../tools/engine/compile-cache";
import type { Loader } from "../../tools/engine/native-deps";

/** tsx's `.ts` loader, which the cache is put in front of (tests compare their output). */
export const tsxLoader = (Module as unknown as { _extensions: Record<string, Loader> })._extensions[
  ".ts"
];

const { off } = precompileProject();
// Said once, where it is not the run's own choice (coverage, a debugger): the run is slower.
if (off && !tsxEmbedsSources()) {
  console.error(`The compile cache is off: ${off}. The tests load through tsx, more slowly.`);
}
installCompileCache();
