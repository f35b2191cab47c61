import { keyProblem } from "../lib/keys";
import { ENCRYPTION_AT_REST, ENCRYPTION_REASON, TRANSMISSION } from "../lib/levels";
import { ResourceCheck, resourcePolicy } from "../lib/policy";
import { isTrue, obj } from "../lib/props";

/**
 * OpenSearch TLS security policies that accept nothing below TLS 1.2. The default,
 * Policy-Min-TLS-1-0-2019-07, accepts TLS 1.0. AWS: "DomainEndpointOptions",
 * https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_DomainEndpointOptions.html
 */
export function isTls12OpenSearchPolicy(policy: unknown): boolean {
  return typeof policy === "string" && /^Policy-Min-TLS-1-[23]-/.test(policy);
}

const domain: ResourceCheck = (r, report) => {
  const atRest = obj(r.props.encryptAtRest);
  if (!isTrue(atRest?.enabled)) {
    report(
      `${r.name} is unencrypted at rest: set encryptAtRest.enabled to true with a customer-managed kmsKeyId`,
    );
  } else {
    const problem = keyProblem(r.name, "encryptAtRest.kmsKeyId", atRest?.kmsKeyId);
    if (problem) report(problem);
  }
  if (!isTrue(obj(r.props.nodeToNodeEncryption)?.enabled)) {
    report(
      `${r.name} sends data between nodes in plaintext: set nodeToNodeEncryption.enabled to true`,
    );
  }
  const endpoint = obj(r.props.domainEndpointOptions);
  if (!isTrue(endpoint?.enforceHttps)) {
    report(
      `${r.name} accepts plain HTTP: set domainEndpointOptions.enforceHttps to true with tlsSecurityPolicy "Policy-Min-TLS-1-2-PFS-2023-10"`,
    );
  } else if (!isTls12OpenSearchPolicy(endpoint?.tlsSecurityPolicy)) {
    report(
      `${r.name} accepts TLS below 1.2 (tlsSecurityPolicy ${String(endpoint?.tlsSecurityPolicy ?? "Policy-Min-TLS-1-0-2019-07, the default")}): set domainEndpointOptions.tlsSecurityPolicy to "Policy-Min-TLS-1-2-PFS-2023-10"`,
    );
  }
};

/** OpenSearch (and legacy Elasticsearch) domains, at rest, between nodes and at the endpoint. */
export const opensearchDomainEnforceEncryption = resourcePolicy(
  {
    name: "opensearch-domain-enforce-encryption",
    description:
      "OpenSearch and Elasticsearch domains encrypt at rest with a customer-managed KMS key, between nodes, and require HTTPS with a TLS 1.2+ policy.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST, ...TRANSMISSION],
    remediationSteps:
      'Set encryptAtRest { enabled: true, kmsKeyId }, nodeToNodeEncryption.enabled and domainEndpointOptions { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10" }.',
    levelReason: ENCRYPTION_REASON,
  },
  {
    "aws:opensearch/domain:Domain": domain,
    "aws:elasticsearch/domain:Domain": domain,
  },
);
