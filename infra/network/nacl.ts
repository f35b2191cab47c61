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
 * Return traffic to instances arrives on their ephemeral ports (Amazon Linux: 32768-61000). The
 * range is cut around 3389 so that no rule of the app or data tier open to the internet covers RDP
 * (and 22 is below it): Security Hub EC2.21 passes for those tiers.
 */
export const EPHEMERAL_RANGES: readonly (readonly [number, number])[] = [
  [1024, 3388],
  [3390, 65535],
];

/**
 * The source ports a NAT gateway gives the connections it translates: replies from the internet
 * come back to the public subnet on any of them ("Ephemeral ports", Amazon VPC User Guide,
 * https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html: "A NAT gateway uses
 * ports 1024-65535").
 * A cut at 3389 drops the replies to the one connection in 64,512 that gets port 3389, which then
 * hangs until it times out. The public tier therefore admits the whole range, and Security Hub
 * EC2.21 reports its network ACL: docs/network.md says why that is accepted.
 */
export const NAT_SOURCE_PORTS: readonly [number, number] = [1024, 65535];

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
 * Public tier: HTTPS and HTTP (redirected) from the internet, return traffic to the NAT gateways
 * and the bastion, the VPC's egress, and SSH from the bastion's allowed sites only (last, so the
 * others keep their numbers).
 */
export function publicNacl(plan: SubnetPlan, sshSources: readonly string[] = []): TierNacl {
  return {
    ingress: number([
      tcp(ANYWHERE, 443),
      tcp(ANYWHERE, 80),
      tcp(ANYWHERE, ...NAT_SOURCE_PORTS),
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
