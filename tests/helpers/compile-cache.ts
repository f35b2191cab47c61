// The project's files compiled once for every thread and process of the run, then read from the
// cache on this thread too (tools/engine/compile-cache.ts). Before the specs and the workers load.
import { installCompileCache, precompileProject } from "../../tools/engine/compile-cache";

precompileProject();
installCompileCache();
