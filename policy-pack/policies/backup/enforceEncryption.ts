import { keyAt, keyedStorePolicy } from "../lib/keyed";

/** Recovery points are full copies of the PHI stores. */
export const backupVaultEnforceEncryption = keyedStorePolicy({
  name: "backup-vault-enforce-encryption",
  description:
    "AWS Backup vaults (standard and logically air-gapped) encrypt recovery points with a customer-managed KMS key, not aws/backup.",
  types: {
    "aws:backup/vault:Vault": keyAt("kmsKeyArn"),
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault": keyAt("encryptionKeyArn"),
  },
  remediationSteps:
    "Set kmsKeyArn to a customer-managed KMS key (the backups key of the platform).",
  extraCitations: ["164.308(a)(7)(ii)(A)"],
});
