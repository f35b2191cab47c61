/**
 * The AWS regions the platform may be deployed to: commercial regions where the services it uses
 * are HIPAA-eligible. The AZ names are those a new account sees; the program still asks AWS at
 * deploy time and refuses to plan more AZs than the account really has.
 */
export const REGIONS = {
  "eu-west-1": { azs: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] },
  "eu-west-2": { azs: ["eu-west-2a", "eu-west-2b", "eu-west-2c"] },
  "eu-central-1": { azs: ["eu-central-1a", "eu-central-1b", "eu-central-1c"] },
  "us-east-1": {
    azs: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"],
  },
  "us-east-2": { azs: ["us-east-2a", "us-east-2b", "us-east-2c"] },
  "us-west-1": { azs: ["us-west-1b", "us-west-1c"] },
  "us-west-2": { azs: ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"] },
  "ca-central-1": { azs: ["ca-central-1a", "ca-central-1b", "ca-central-1d"] },
} as const satisfies Record<string, { azs: readonly string[] }>;

export type RegionName = keyof typeof REGIONS;

export const ALLOWED_REGIONS = Object.keys(REGIONS) as RegionName[];

export function isAllowedRegion(region: string): region is RegionName {
  return Object.prototype.hasOwnProperty.call(REGIONS, region);
}
