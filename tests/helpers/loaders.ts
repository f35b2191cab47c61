import Module from "node:module";
import * as path from "node:path";
import type { CompilingModule, Loaders } from "../../tools/engine/native-deps";

export type LoadedModule = CompilingModule & { exports: Record<string, unknown>; filename: string };

/**
 * A new module for `file`, loaded through the table's loader for `extension`, as Node's
 * Module.load does with its own table (the specs of the engine's loaders: native-deps,
 * compile-cache).
 */
export function loadThrough(loaders: Loaders, file: string, extension: string): LoadedModule {
  const module = new Module(file) as unknown as LoadedModule & { paths: string[] };
  module.filename = file;
  module.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(
    path.dirname(file),
  );
  loaders[extension]!(module, file);
  return module;
}
