/**
 * Property-based tests of the mandatory policies on network exposure and data in transit: for
 * each, families of generated variants that mean the same as a known weakness (IPv6 sets that
 * cover the public space, sources broader than a configured prefix, prefix lists whose entries are
 * separate resources, every path to a public address, every way to share a snapshot with
 * everyone, TLS settings at every level) must all be caught, and families of secure variants
 * written differently must all pass. properties.spec.ts holds the first families and the noise
 * families of every mandatory policy; the families here live in ./exposure/.
 */
import { expect } from "chai";
import { FAMILIES } from "./exposure/harness";
import { checkFamilies } from "./families/family";
import "./exposure/ingress";
import "./exposure/placement";
import "./exposure/public";
import "./exposure/transit-data";
import "./exposure/transit-edge";

/** The policies whose only families were the generic noise ones, and the ingress policies. */
const SCOPE = [
  "ec2-ingress-enforce-admin-allowlist",
  "ec2-ingress-disallow-internet",
  "ec2-ingress-disallow-internet-service-ports",
  "ec2-ingress-disallow-public-subnet-to-data",
  "ec2-subnet-disallow-public-in-private",
  "ec2-subnet-disallow-public-ip-on-launch",
  "ec2-routetable-disallow-internet-in-data-tier",
  "rds-instance-disallow-public-access",
  "redshift-cluster-disallow-public-access",
  "opensearch-domain-disallow-public-access",
  "s3-bucket-disallow-public-access",
  "ec2-snapshot-disallow-public-sharing",
  "elb-loadbalancer-enable-drop-invalid-headers",
  "rds-parametergroup-enforce-tls",
  "efs-filesystem-enforce-tls",
  "redshift-parametergroup-enforce-tls",
  "rds-proxy-enforce-tls",
  "cloudfront-distribution-enforce-tls",
  "ecs-taskdefinition-enforce-transit-encryption",
  "wafv2-loadbalancer-enable-webacl",
];

describe("exposure and transit policies, property by property (fast-check)", () => {
  it("has a caught and a secure family for every policy of its scope", () => {
    const lacking = SCOPE.filter(
      (p) =>
        !FAMILIES.some((f) => f.policy === p && f.caught) ||
        !FAMILIES.some((f) => f.policy === p && !f.caught),
    );
    expect(lacking).to.deep.equal([]);
  });

  checkFamilies(FAMILIES);
});
