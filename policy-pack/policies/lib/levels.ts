/** Metadata shared by policies of the same family. */
import { HipaaCitation } from "./policy";

export const ENCRYPTION_AT_REST: readonly HipaaCitation[] = [
  "164.312(a)(2)(iv)",
  "164.312(e)(2)(ii)",
];
export const TRANSMISSION: readonly HipaaCitation[] = [
  "164.312(e)(1)",
  "164.312(e)(2)(i)",
  "164.312(e)(2)(ii)",
];
export const AUDIT: readonly HipaaCitation[] = ["164.312(b)", "164.308(a)(1)(ii)(D)"];
export const RESILIENCE: readonly HipaaCitation[] = [
  "164.308(a)(7)(i)",
  "164.308(a)(7)(ii)(A)",
  "164.312(c)(1)",
];
export const ACCESS: readonly HipaaCitation[] = [
  "164.312(a)(1)",
  "164.308(a)(3)(i)",
  "164.308(a)(4)(ii)(B)",
];
export const DETECTION: readonly HipaaCitation[] = [
  "164.308(a)(1)(ii)(D)",
  "164.308(a)(6)(ii)",
  "164.312(b)",
];

export const ENCRYPTION_REASON =
  "A store of PHI without encryption at rest under a key the account controls exposes it to anyone who obtains the media, a snapshot or a backup; encryption can rarely be added later without recreating the store.";
