/**
 * Entry point of the `ehealth` project (Pulumi.yaml `main`). The stack's configuration decides the
 * region and everything else; see README.md for the keys.
 */
import { loadStackConfig } from "./config";
import { deployRegion } from "./region";

export = async (): Promise<Record<string, unknown>> => {
  const config = loadStackConfig();
  const region = await deployRegion(config);
  return region.outputs;
};
