/**
 * The lowest TLS version each predefined security policy accepts, from AWS's tables:
 * "Security policies for your Application Load Balancer",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 * (the Network Load Balancer page lists the same policies), and CloudFront's "Supported protocols
 * and ciphers between viewers and CloudFront",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html
 * Note that several TLS13-* policies accept TLS 1.0 or 1.1 besides 1.3.
 */

/** Minimum TLS version as a number: 1.0, 1.1, 1.2, 1.3. */
const ELB_MIN: Readonly<Record<string, number>> = {
  "ELBSecurityPolicy-2015-05": 1.0,
  "ELBSecurityPolicy-2016-08": 1.0,
  "ELBSecurityPolicy-TLS-1-0-2015-04": 1.0,
  "ELBSecurityPolicy-TLS-1-1-2017-01": 1.1,
  "ELBSecurityPolicy-TLS-1-2-2017-01": 1.2,
  "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": 1.2,
  "ELBSecurityPolicy-FS-2018-06": 1.0,
  "ELBSecurityPolicy-FS-1-1-2019-08": 1.1,
  "ELBSecurityPolicy-FS-1-2-2019-08": 1.2,
  "ELBSecurityPolicy-FS-1-2-Res-2019-08": 1.2,
  "ELBSecurityPolicy-FS-1-2-Res-2020-10": 1.2,
  "ELBSecurityPolicy-TLS13-1-0-2021-06": 1.0,
  "ELBSecurityPolicy-TLS13-1-1-2021-06": 1.1,
  "ELBSecurityPolicy-TLS13-1-2-2021-06": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": 1.2,
  "ELBSecurityPolicy-TLS13-1-3-2021-06": 1.3,
  "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04": 1.0,
  "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04": 1.1,
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04": 1.2,
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04": 1.3,
  "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09": 1.2,
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09": 1.3,
  "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09": 1.2,
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09": 1.2,
  "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09": 1.3,
};

/** AWS's default for a listener created through the API without a policy. */
export const ELB_DEFAULT_POLICY = "ELBSecurityPolicy-2016-08";

/**
 * The lowest TLS version an ELB security policy accepts: from the table, else from the version its
 * name states (AWS names TLS13-1-x, TLS-1-x and FS-1-x by their minimum); undefined when neither
 * tells, and the pack then refuses the policy as unknown.
 */
export function elbMinimumTls(policy: unknown): number | undefined {
  const name = typeof policy === "string" && policy.trim() ? policy.trim() : ELB_DEFAULT_POLICY;
  if (name in ELB_MIN) return ELB_MIN[name];
  const m = /^ELBSecurityPolicy-(?:TLS13-|TLS-|FS-)1-([0-3])-/.exec(name);
  return m ? Number(`1.${m[1]}`) : undefined;
}

/** CloudFront viewer minimum protocol versions, lowest accepted TLS version. */
const CLOUDFRONT_MIN: Readonly<Record<string, number>> = {
  SSLv3: 0.3,
  TLSv1: 1.0,
  TLSv1_2016: 1.0,
  "TLSv1.1_2016": 1.1,
  "TLSv1.2_2018": 1.2,
  "TLSv1.2_2019": 1.2,
  "TLSv1.2_2021": 1.2,
  "TLSv1.2_2025": 1.2,
  "TLSv1.3_2025": 1.3,
};

/** The lowest TLS version viewers may use; the default certificate allows TLSv1. */
export function cloudfrontMinimumTls(
  cert: Record<string, unknown> | undefined,
): number | undefined {
  if (!cert || cert.cloudfrontDefaultCertificate === true) return 1.0;
  const v = typeof cert.minimumProtocolVersion === "string" ? cert.minimumProtocolVersion : "TLSv1";
  if (v in CLOUDFRONT_MIN) return CLOUDFRONT_MIN[v];
  const m = /^TLSv1\.([0-3])_/.exec(v);
  return m ? Number(`1.${m[1]}`) : undefined;
}

/** Origin protocols below TLS 1.2 that CloudFront can be told to use. */
export const WEAK_ORIGIN_PROTOCOLS = ["SSLv3", "TLSv1", "TLSv1.1"];
