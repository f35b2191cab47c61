/**
 * The account and region singletons an AWS Organization (a delegated administrator, Control Tower)
 * may already provide. AWS allows one of each per account or per region ("only one delivery channel
 * per Region per account", "detector already exists"), so a stack in such an account must create
 * none of them. Shared by the components that create them (infra/audit, infra/identity) and the
 * stack configuration that says who provides each (`ehealth:organizationServices`).
 */

/** The singletons, by the name `ehealth:organizationServices` gives each. */
export const ORGANIZATION_SERVICES = [
  "guardDuty",
  "securityHub",
  "config",
  "accessAnalyzer",
  "ebsDefaultEncryption",
  "passwordPolicy",
  "trail",
  "inspector",
] as const;
export type OrganizationService = (typeof ORGANIZATION_SERVICES)[number];

/** "stack": this stack creates it (the default); "organization": the organization provides it. */
export const SERVICE_PROVIDERS = ["stack", "organization"] as const;
export type ServiceProvider = (typeof SERVICE_PROVIDERS)[number];

/** Who provides each singleton. */
export type ServiceProviders = Readonly<Record<OrganizationService, ServiceProvider>>;

/** Every singleton created by the stack: the default, for an account of its own. */
export const STACK_PROVIDES_ALL: ServiceProviders = Object.fromEntries(
  ORGANIZATION_SERVICES.map((s) => [s, "stack"]),
) as Record<OrganizationService, ServiceProvider>;

/** Whether the stack creates this singleton (absent providers: it creates every one). */
export function stackCreates(
  providers: Partial<ServiceProviders> | undefined,
  service: OrganizationService,
): boolean {
  return (providers?.[service] ?? "stack") === "stack";
}
