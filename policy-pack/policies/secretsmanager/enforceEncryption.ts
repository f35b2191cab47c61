import { keyAt, keyedStorePolicy } from "../lib/keyed";

/** Secrets (database credentials) under a key whose policy the platform writes. */
export const secretsmanagerSecretEnforceEncryption = keyedStorePolicy({
  name: "secretsmanager-secret-enforce-encryption",
  description:
    "Secrets Manager secrets are encrypted with a customer-managed KMS key, not aws/secretsmanager.",
  types: { "aws:secretsmanager/secret:Secret": keyAt("kmsKeyId") },
  remediationSteps: "Set kmsKeyId to a customer-managed KMS key.",
  extraCitations: ["164.312(d)"],
});
