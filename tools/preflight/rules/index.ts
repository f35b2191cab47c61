/** Every preflight rule, in report order. */
import type { Rule } from "../types";
import { convergenceRules } from "./convergence";
import { deliveryRules } from "./delivery";
import { iamRules } from "./iam";
import { kmsRules } from "./kms";
import { nameRules } from "./names";
import { orderingRules } from "./ordering";
import { configServiceLinkedRole, sharedValidationRecord } from "./ownership";
import { crossRegionReference, edgeInUsEast1, subnetZone } from "./regions";
import { s3Rules } from "./s3";
import { singletons } from "./singletons";
import { tagRules } from "./tags";

export const rules: readonly Rule[] = [
  ...nameRules,
  ...tagRules,
  ...kmsRules,
  ...s3Rules.stack,
  ...s3Rules.account,
  ...orderingRules,
  ...deliveryRules.stack,
  ...deliveryRules.account,
  ...convergenceRules.stack,
  ...convergenceRules.account,
  configServiceLinkedRole,
  singletons,
  sharedValidationRecord,
  subnetZone,
  crossRegionReference,
  edgeInUsEast1,
  ...iamRules,
];
