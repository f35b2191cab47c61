/**
 * IPv4 CIDR arithmetic and the deterministic subnet plan of a VPC. Pure functions: the network
 * component, the stack config validation and the tests share them.
 */

export interface Cidr {
  /** The network address as an unsigned 32-bit integer. */
  readonly base: number;
  /** The prefix length, 0..32. */
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "a.b.c.d/n"; throws when the text is not a canonical IPv4 CIDR (host bits must be 0). */
export function parseCidr(text: string): Cidr {
  const match = CIDR_PATTERN.exec(text.trim());
  if (!match) {
    throw new Error(`"${text}" is not an IPv4 CIDR such as 10.20.0.0/16`);
  }
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) {
    throw new Error(`"${text}" is not an IPv4 CIDR such as 10.20.0.0/16`);
  }
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (base % blockSize(prefix) !== 0) {
    throw new Error(
      `"${text}" has host bits set: use ${formatCidr(alignDown(base, prefix), prefix)}`,
    );
  }
  return { base, prefix };
}

/** Whether the text parses as a canonical IPv4 CIDR. */
export function isCidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}

export function formatCidr(base: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

function alignDown(address: number, prefix: number): number {
  return address - (address % blockSize(prefix));
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return i.prefix >= o.prefix && alignDown(i.base, o.prefix) === o.base;
}

/** Whether two CIDRs share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** The number of addresses in a CIDR. */
export function cidrSize(text: string): number {
  return blockSize(parseCidr(text).prefix);
}

/** Splits a CIDR into 2^bits equal blocks, in address order. */
export function splitCidr(text: string, bits: number): string[] {
  const { base, prefix } = parseCidr(text);
  if (prefix + bits > 32) {
    throw new Error(`cannot split ${text} into /${prefix + bits} blocks`);
  }
  const size = blockSize(prefix + bits);
  return Array.from({ length: 2 ** bits }, (_, i) => formatCidr(base + i * size, prefix + bits));
}

/** The private address ranges of RFC 1918, the only ones a VPC of this platform may use. */
export const RFC1918_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

/** Whether a CIDR lies inside one of the RFC 1918 ranges. */
export function isRfc1918(text: string): boolean {
  return RFC1918_RANGES.some((range) => cidrContains(range, text));
}

/** The widest and narrowest VPC prefixes the subnet plan supports. */
export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 20;

/** The most AZs a plan reserves room for; stacks use 2 or 3 and may grow to 4 without renumbering. */
export const PLAN_AZ_SLOTS = 4;

export type Tier = "public" | "app" | "data";

/** The subnet tiers in the order their blocks sit in the VPC. */
export const TIERS: readonly Tier[] = ["app", "data", "public"];

export interface TierPlan {
  readonly tier: Tier;
  /** The block holding every subnet of the tier, usable as one NACL or security group source. */
  readonly block: string;
  /** One subnet CIDR per AZ, in the order of the AZs given. */
  readonly subnets: readonly string[];
}

export interface SubnetPlan {
  readonly vpcCidr: string;
  readonly tiers: Readonly<Record<Tier, TierPlan>>;
  /** Address space deliberately left unallocated for a future tier. */
  readonly reserved: readonly string[];
}

/**
 * The subnet plan of a VPC: the VPC is cut into four equal blocks, one each for the app, data and
 * public tiers and one kept free for growth; each tier block is cut into four subnets, one per AZ
 * slot, so a fourth AZ can be added later without renumbering anything. For a /16 that gives
 * /20 subnets (4,091 usable addresses); for a /20, /24 subnets (251 usable).
 *
 * Because each tier is one contiguous block, network ACLs and security groups can name a whole tier
 * with a single CIDR.
 */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
  const { prefix } = parseCidr(vpcCidr);
  if (prefix < MIN_VPC_PREFIX || prefix > MAX_VPC_PREFIX) {
    throw new Error(
      `VPC CIDR ${vpcCidr} must be a /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX} for the subnet plan`,
    );
  }
  if (!Number.isInteger(azCount) || azCount < 1 || azCount > PLAN_AZ_SLOTS) {
    throw new Error(`the subnet plan supports 1 to ${PLAN_AZ_SLOTS} AZs, got ${azCount}`);
  }
  const [app, data, pub, spare] = splitCidr(vpcCidr, 2);
  const tierPlan = (tier: Tier, block: string): TierPlan => ({
    tier,
    block,
    subnets: splitCidr(block, 2).slice(0, azCount),
  });
  return {
    vpcCidr,
    tiers: {
      app: tierPlan("app", app),
      data: tierPlan("data", data),
      public: tierPlan("public", pub),
    },
    reserved: [spare],
  };
}
