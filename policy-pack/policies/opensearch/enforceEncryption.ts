import { ENCRYPTION_AT_REST, ENCRYPTION_REASON, TRANSMISSION } from "../lib/levels";
import { ResourceCheck, resourcePolicy } from "../lib/policy";
import { isTrue, obj } from "../lib/props";

const domain: ResourceCheck = (r, report) => {
  if (!isTrue(obj(r.props.encryptAtRest)?.enabled)) {
    report(
      `${r.name} is unencrypted at rest: set encryptAtRest.enabled to true with a customer-managed kmsKeyId`,
    );
  }
  if (!isTrue(obj(r.props.nodeToNodeEncryption)?.enabled)) {
    report(
      `${r.name} sends data between nodes in plaintext: set nodeToNodeEncryption.enabled to true`,
    );
  }
  if (!isTrue(obj(r.props.domainEndpointOptions)?.enforceHttps)) {
    report(
      `${r.name} accepts plain HTTP: set domainEndpointOptions.enforceHttps to true with a TLS 1.2 tlsSecurityPolicy`,
    );
  }
};

/** OpenSearch (and legacy Elasticsearch) domains, at rest, between nodes and at the endpoint. */
export const opensearchDomainEnforceEncryption = resourcePolicy(
  {
    name: "opensearch-domain-enforce-encryption",
    description:
      "OpenSearch and Elasticsearch domains encrypt at rest, between nodes, and require HTTPS.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST, ...TRANSMISSION],
    remediationSteps:
      "Set encryptAtRest.enabled, nodeToNodeEncryption.enabled and domainEndpointOptions.enforceHttps to true.",
    levelReason: ENCRYPTION_REASON,
  },
  {
    "aws:opensearch/domain:Domain": domain,
    "aws:elasticsearch/domain:Domain": domain,
  },
);
