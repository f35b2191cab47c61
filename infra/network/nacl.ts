/**
 * Network ACL rules per tier, as pure functions of the subnet plan. Security groups do the
 * fine-grained work; these are the second, stateless fence (164.312(e)(1)): the data tier in
 * particular accepts nothing but the data ports from the app tier and its own replicas.
 */
import { SubnetPlan } from "./cidr";

export interface NaclRule {
  readonly ruleNo: number;
  readonly action: "allow" | "deny";
  /** "tcp", "udp" or "-1" (all). */
  readonly protocol: string;
  readonly cidrBlock: string;
  readonly fromPort: number;
  readonly toPort: number;
}

export interface TierNacl {
  readonly ingress: NaclRule[];
  readonly egress: NaclRule[];
}

const ANYWHERE = "0.0.0.0/0";

/**
 * Return traffic arrives on ephemeral ports. The range is cut around 3389 so that no rule open to
 * the internet covers RDP (and 22 is below it), which AWS Config's nacl-no-unrestricted-ssh-rdp
 * would flag.
 */
export const EPHEMERAL_RANGES: readonly (readonly [number, number])[] = [
  [1024, 3388],
  [3390, 65535],
];

interface RuleSpec {
  readonly protocol: string;
  readonly cidrBlock: string;
  readonly fromPort: number;
  readonly toPort: number;
}

function number(specs: RuleSpec[]): NaclRule[] {
  return specs.map((s, i) => ({ ruleNo: 100 + i * 10, action: "allow", ...s }));
}

function tcp(cidrBlock: string, fromPort: number, toPort = fromPort): RuleSpec {
  return { protocol: "tcp", cidrBlock, fromPort, toPort };
}

function all(cidrBlock: string): RuleSpec {
  return { protocol: "-1", cidrBlock, fromPort: 0, toPort: 0 };
}

function ephemeral(cidrBlock: string): RuleSpec[] {
  return EPHEMERAL_RANGES.map(([from, to]) => tcp(cidrBlock, from, to));
}

/**
 * Public tier: HTTPS and HTTP (redirected) from the internet, return traffic, the VPC's egress,
 * and SSH from the bastion's allowed sites only (last, so the others keep their numbers).
 */
export function publicNacl(plan: SubnetPlan, sshSources: readonly string[] = []): TierNacl {
  return {
    ingress: number([
      tcp(ANYWHERE, 443),
      tcp(ANYWHERE, 80),
      ...ephemeral(ANYWHERE),
      // The app tier's outbound traffic passes through the NAT gateways here.
      all(plan.vpcCidr),
      ...sshSources.map((cidr) => tcp(cidr, 22)),
    ]),
    egress: number([all(ANYWHERE)]),
  };
}

/** App tier: anything from inside the VPC (security groups narrow it), return traffic from NAT. */
export function appNacl(plan: SubnetPlan): TierNacl {
  return {
    ingress: number([all(plan.vpcCidr), ...ephemeral(ANYWHERE)]),
    egress: number([all(ANYWHERE)]),
  };
}

/**
 * Data tier: the data ports from the app tier and from the data tier itself (replicas, failover),
 * return traffic from inside the VPC only. Nothing from, or to, the internet.
 */
export function dataNacl(plan: SubnetPlan, dataPorts: readonly number[]): TierNacl {
  const app = plan.tiers.app.block;
  const data = plan.tiers.data.block;
  return {
    ingress: number([
      ...dataPorts.map((p) => tcp(app, p)),
      ...dataPorts.map((p) => tcp(data, p)),
      ...ephemeral(plan.vpcCidr),
    ]),
    egress: number([
      ...ephemeral(plan.vpcCidr),
      ...dataPorts.map((p) => tcp(data, p)),
      // Interface endpoints (KMS, Secrets Manager, logs) answer on 443 inside the VPC.
      tcp(plan.vpcCidr, 443),
    ]),
  };
}
