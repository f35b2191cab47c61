import { stackPolicy } from "../lib/policy";
import { obj } from "../lib/props";
import { ofType } from "../lib/types";

const SECRET = "aws:secretsmanager/secret:Secret";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";

export const secretsmanagerSecretEnableRotation = stackPolicy(
  {
    name: "secretsmanager-secret-enable-rotation",
    description:
      "Secrets Manager secrets declared by the program rotate (aws.secretsmanager.SecretRotation). RDS-managed master passwords rotate on their own.",
    enforcementLevel: "advisory",
    severity: "medium",
    hipaa: ["164.308(a)(5)(ii)(D)", "164.312(d)"],
    remediationSteps:
      "Add an aws.secretsmanager.SecretRotation with a rotation Lambda and rotationRules.automaticallyAfterDays.",
    levelReason:
      "Some secrets (third-party API keys) cannot be rotated by AWS; the pack advises rather than blocks.",
  },
  [SECRET, ROTATION],
  (resources, report) => {
    const rotated = new Set(ofType(resources, ROTATION).map((r) => String(r.props.secretId ?? "")));
    for (const s of ofType(resources, SECRET)) {
      if (
        !rotated.has(String(s.props.arn ?? "")) &&
        !rotated.has(String(s.props.id ?? "")) &&
        !obj(s.props.rotationRules)
      ) {
        report(`${s.name} never rotates: add an aws.secretsmanager.SecretRotation for it`, s.urn);
      }
    }
  },
);
