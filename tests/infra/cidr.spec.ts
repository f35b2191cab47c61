import { expect } from "chai";
import fc from "fast-check";
import {
  MAX_VPC_PREFIX,
  MIN_VPC_PREFIX,
  TIERS,
  cidrContains,
  cidrSize,
  cidrsOverlap,
  formatCidr,
  parseCidr,
  planSubnets,
  splitCidr,
} from "../../infra/network/cidr";

/** Any canonical VPC CIDR the plan accepts, inside an RFC 1918 range. */
const vpcCidr = fc
  .record({
    range: fc.constantFrom(
      { base: 10 * 2 ** 24, prefix: 8 },
      { base: (172 * 2 ** 8 + 16) * 2 ** 16, prefix: 12 },
      { base: (192 * 2 ** 8 + 168) * 2 ** 16, prefix: 16 },
    ),
    prefix: fc.integer({ min: MIN_VPC_PREFIX, max: MAX_VPC_PREFIX }),
    offset: fc.nat(),
  })
  .map(({ range, prefix, offset }) => {
    const slots = 2 ** (prefix - range.prefix);
    const block = 2 ** (32 - prefix);
    return formatCidr(range.base + (offset % slots) * block, prefix);
  });

const azCount = fc.integer({ min: 1, max: 4 });

function allSubnets(cidr: string, azs: number): string[] {
  const plan = planSubnets(cidr, azs);
  return TIERS.flatMap((t) => plan.tiers[t].subnets);
}

describe("infra/network/cidr", () => {
  it("parses and formats CIDRs symmetrically", () => {
    fc.assert(
      fc.property(
        vpcCidr,
        (cidr) => formatCidr(parseCidr(cidr).base, parseCidr(cidr).prefix) === cidr,
      ),
    );
  });

  it("fails when a CIDR is malformed, out of range or has host bits set", () => {
    for (const bad of ["10.0.0.0", "10.0.0.256/16", "10.0.0.0/33", "10.0.1.0/16", "ten/8"]) {
      expect(() => parseCidr(bad), bad).to.throw();
    }
  });

  it("tells containment and overlap apart", () => {
    expect(cidrContains("10.0.0.0/16", "10.0.4.0/22")).to.equal(true);
    expect(cidrContains("10.0.4.0/22", "10.0.0.0/16")).to.equal(false);
    expect(cidrsOverlap("10.0.4.0/22", "10.0.0.0/16")).to.equal(true);
    expect(cidrsOverlap("10.0.0.0/16", "10.1.0.0/16")).to.equal(false);
  });

  it("splits a block into equal, adjacent, contained parts", () => {
    fc.assert(
      fc.property(vpcCidr, fc.integer({ min: 1, max: 4 }), (cidr, bits) => {
        const parts = splitCidr(cidr, bits);
        expect(parts).to.have.length(2 ** bits);
        expect(parts.reduce((n, p) => n + cidrSize(p), 0)).to.equal(cidrSize(cidr));
        for (const p of parts) expect(cidrContains(cidr, p)).to.equal(true);
      }),
    );
  });
});

describe("planSubnets", () => {
  it("gives one subnet per tier in every AZ", () => {
    fc.assert(
      fc.property(vpcCidr, azCount, (cidr, azs) => {
        const plan = planSubnets(cidr, azs);
        for (const tier of TIERS) expect(plan.tiers[tier].subnets).to.have.length(azs);
      }),
    );
  });

  it("places every subnet inside the VPC and inside its tier's block", () => {
    fc.assert(
      fc.property(vpcCidr, azCount, (cidr, azs) => {
        const plan = planSubnets(cidr, azs);
        for (const tier of TIERS) {
          expect(cidrContains(cidr, plan.tiers[tier].block)).to.equal(true);
          for (const subnet of plan.tiers[tier].subnets) {
            expect(cidrContains(plan.tiers[tier].block, subnet)).to.equal(true);
          }
        }
      }),
    );
  });

  it("never overlaps two subnets, or a subnet and the reserved space", () => {
    fc.assert(
      fc.property(vpcCidr, azCount, (cidr, azs) => {
        const plan = planSubnets(cidr, azs);
        const blocks = [...allSubnets(cidr, azs), ...plan.reserved];
        for (let i = 0; i < blocks.length; i++) {
          for (let j = i + 1; j < blocks.length; j++) {
            expect(cidrsOverlap(blocks[i], blocks[j]), `${blocks[i]} / ${blocks[j]}`).to.equal(
              false,
            );
          }
        }
      }),
    );
  });

  it("is deterministic, and adding an AZ keeps every existing subnet where it was", () => {
    fc.assert(
      fc.property(vpcCidr, fc.integer({ min: 1, max: 3 }), (cidr, azs) => {
        expect(planSubnets(cidr, azs)).to.deep.equal(planSubnets(cidr, azs));
        const grown = planSubnets(cidr, azs + 1);
        for (const tier of TIERS) {
          expect(grown.tiers[tier].subnets.slice(0, azs)).to.deep.equal(
            planSubnets(cidr, azs).tiers[tier].subnets,
          );
        }
      }),
    );
  });

  it("leaves room to grow: a quarter of the VPC and a fourth AZ slot per tier stay free", () => {
    fc.assert(
      fc.property(vpcCidr, fc.integer({ min: 1, max: 3 }), (cidr, azs) => {
        const used = allSubnets(cidr, azs).reduce((n, s) => n + cidrSize(s), 0);
        expect(used).to.be.at.most((cidrSize(cidr) * 3) / 4 - (cidrSize(cidr) * 3) / 16);
      }),
    );
  });

  it("gives subnets AWS accepts (between /16 and /28)", () => {
    fc.assert(
      fc.property(vpcCidr, azCount, (cidr, azs) => {
        for (const subnet of allSubnets(cidr, azs)) {
          const { prefix } = parseCidr(subnet);
          expect(prefix).to.be.within(16, 28);
        }
      }),
    );
  });

  it("fails when the VPC is wider than /16 or narrower than /20, or the AZ count is impossible", () => {
    expect(() => planSubnets("10.0.0.0/15", 3)).to.throw(/\/16 to \/20/);
    expect(() => planSubnets("10.0.0.0/21", 3)).to.throw(/\/16 to \/20/);
    expect(() => planSubnets("10.0.0.0/16", 0)).to.throw(/1 to 4 AZs/);
    expect(() => planSubnets("10.0.0.0/16", 5)).to.throw(/1 to 4 AZs/);
  });
});
