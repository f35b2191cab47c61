import { keyedStorePolicy } from "../lib/keyed";

/** Recovery points are full copies of the PHI stores. */
export const backupVaultEnforceEncryption = keyedStorePolicy({
  name: "backup-vault-enforce-encryption",
  description: "AWS Backup vaults encrypt recovery points with a customer-managed KMS key.",
  types: { "aws:backup/vault:Vault": "kmsKeyArn" },
  without: "encrypts recovery points with the AWS-managed aws/backup key",
  extraCitations: ["164.308(a)(7)(ii)(A)"],
});
