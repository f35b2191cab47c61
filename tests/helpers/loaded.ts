/**
 * What this thread has loaded, read from its module cache: by the suites on their own thread and
 * by the fixtures they run in workers.
 */

/** Whether any file of the installed package `pkg` has loaded in this thread. */
export function packageLoaded(pkg: string): boolean {
  return Object.keys(require.cache).some((file) => file.includes(`/node_modules/${pkg}/`));
}

/**
 * The service namespaces of @pulumi/aws (`s3`, `kms`, ...) whose index has loaded in this thread,
 * sorted. A namespace the engine defers has a stand-in in the module cache under its index's file
 * too (tools/engine/sdk.ts), which has required nothing; a loaded index has required the package's
 * utilities at least.
 */
export function loadedAwsNamespaces(): string[] {
  return Object.entries(require.cache)
    .filter(([, module]) => (module?.children?.length ?? 0) > 0)
    .map(([file]) => /\/node_modules\/@pulumi\/aws\/([^/]+)\/index\.js$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}
