import { ANY_TYPE, resourcePolicy } from "../lib/policy";

const ACCESS_KEY = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;
const PRIVATE_KEY = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/;

/** The first literal credential in a value, by path; unknown values are skipped (they are not literals). */
export function findCredential(value: unknown, path: string, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  try {
    if (typeof value === "string") {
      if (ACCESS_KEY.test(value)) return `${path} (an AWS access key id)`;
      if (PRIVATE_KEY.test(value)) return `${path} (a private key)`;
      return undefined;
    }
    if (value && typeof value === "object") {
      for (const key of Object.keys(value)) {
        const found = findCredential(
          (value as Record<string, unknown>)[key],
          path ? `${path}.${key}` : key,
          depth + 1,
        );
        if (found) return found;
      }
    }
  } catch (err) {
    if (
      (err as Error).name !== "UnknownValueError" &&
      !(err as Error).message?.includes("can't be known")
    )
      throw err;
  }
  return undefined;
}

export const secretsInputDisallowLiteralCredentials = resourcePolicy(
  {
    name: "secrets-input-disallow-literal-credentials",
    description: "No resource input holds a literal AWS access key id or private key.",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(d)", "164.312(a)(1)"],
    remediationSteps:
      "Keep credentials in Secrets Manager (or use roles) and pass references; never literals in code or config.",
    levelReason:
      "A credential in a program is in its repository, its state and every preview: it is leaked.",
  },
  {
    [ANY_TYPE]: (r, report) => {
      const found = findCredential(r.props, "");
      if (found)
        report(
          `${r.name} has a literal credential in ${found}: move it to Secrets Manager and reference it`,
        );
    },
  },
);
