import { TRANSMISSION } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { isTrue } from "../lib/props";

/**
 * RDS Proxy accepts plaintext client connections unless requireTls is set.
 * AWS: "Using TLS/SSL with RDS Proxy", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.howitworks.html#rds-proxy-security.tls
 */
export const rdsProxyEnforceTls = resourcePolicy(
  {
    name: "rds-proxy-enforce-tls",
    description: "RDS Proxies require TLS from clients (requireTls true).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...TRANSMISSION],
    remediationSteps: "Set requireTls: true.",
    levelReason:
      "The proxy sits between the application and the database: plaintext there carries PHI unencrypted across the VPC.",
  },
  {
    "aws:rds/proxy:Proxy": (r, report) => {
      if (!isTrue(r.props.requireTls))
        report(`${r.name} accepts plaintext connections: set requireTls to true`);
    },
  },
);
