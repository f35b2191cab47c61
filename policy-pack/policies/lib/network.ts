/** Config shared by the policies that judge exposure to the internet. */
import type { PolicyConfigSchema } from "@pulumi/policy";
import { BreadthLimits, DEFAULT_BREADTH } from "./cidr";

export const BREADTH_SCHEMA: PolicyConfigSchema["properties"] = {
  minPublicPrefixV4: {
    type: "integer",
    minimum: 0,
    maximum: 32,
    default: DEFAULT_BREADTH.minPublicPrefixV4,
    description:
      "An IPv4 source with a shorter prefix than this that includes public addresses counts as the internet.",
  },
  minPublicPrefixV6: {
    type: "integer",
    minimum: 0,
    maximum: 128,
    default: DEFAULT_BREADTH.minPublicPrefixV6,
    description:
      "An IPv6 source with a shorter prefix than this that includes public addresses counts as the internet.",
  },
};

export function breadthOf(config: Partial<BreadthLimits>): BreadthLimits {
  return {
    minPublicPrefixV4: config.minPublicPrefixV4 ?? DEFAULT_BREADTH.minPublicPrefixV4,
    minPublicPrefixV6: config.minPublicPrefixV6 ?? DEFAULT_BREADTH.minPublicPrefixV6,
  };
}
