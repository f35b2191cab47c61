import { RESILIENCE, TRANSMISSION } from "../lib/levels";
import { ResourceCheck, resourcePolicy, stackPolicy } from "../lib/policy";
import { list } from "../lib/props";
import { ofType } from "../lib/types";

const CLUSTER = "aws:redshift/cluster:Cluster";
const PARAMETERS = "aws:redshift/parameterGroup:ParameterGroup";
const WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup";

const refusePublic: ResourceCheck = (r, report) => {
  if (r.props.publiclyAccessible === true || r.props.publiclyAccessible === "true")
    report(`${r.name} is publicly accessible: set publiclyAccessible to false`);
};

export const redshiftClusterDisallowPublicAccess = resourcePolicy(
  {
    name: "redshift-cluster-disallow-public-access",
    description:
      "Redshift clusters and Redshift Serverless workgroups are not publicly accessible (publiclyAccessible true).",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(a)(1)", "164.312(e)(1)"],
    remediationSteps: "Set publiclyAccessible: false.",
    levelReason:
      "A warehouse of PHI reachable from the internet is a breach waiting for one credential.",
  },
  {
    // An omitted flag is a private cluster, so only true is refused: @pulumi/aws 7 documents
    // publiclyAccessible as "Default is `false`" (redshift/cluster.d.ts), as the Redshift API does
    // ("CreateCluster", PubliclyAccessible, Default: false,
    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html).
    [CLUSTER]: refusePublic,
    [WORKGROUP]: refusePublic,
  },
);

export const redshiftClusterConfigureOperations = resourcePolicy(
  {
    name: "redshift-cluster-configure-operations",
    description:
      "Redshift clusters keep automated snapshots, take version upgrades and route COPY/UNLOAD through the VPC.",
    enforcementLevel: "advisory",
    severity: "low",
    hipaa: [...RESILIENCE],
    remediationSteps:
      "automatedSnapshotRetentionPeriod >= 1, allowVersionUpgrade: true, enhancedVpcRouting: true.",
    levelReason:
      "Operational settings of a service the platform does not use; scanned programs get guidance: advisory.",
  },
  {
    [CLUSTER]: (r, report) => {
      if (r.props.automatedSnapshotRetentionPeriod === 0)
        report(
          `${r.name} keeps no automated snapshots: set automatedSnapshotRetentionPeriod to at least 1`,
        );
      if (r.props.allowVersionUpgrade === false)
        report(`${r.name} skips version upgrades: set allowVersionUpgrade to true`);
      if (r.props.enhancedVpcRouting !== true)
        report(
          `${r.name} sends COPY/UNLOAD traffic outside the VPC: set enhancedVpcRouting to true`,
        );
    },
  },
);

export const redshiftParameterGroupEnforceTls = stackPolicy(
  {
    name: "redshift-parametergroup-enforce-tls",
    description:
      'Redshift clusters use a parameter group (by name or id) with require_ssl true; Redshift Serverless workgroups do not set require_ssl to "false".',
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...TRANSMISSION],
    remediationSteps:
      'Give the cluster a parameter group with { name: "require_ssl", value: "true" }.',
    levelReason: "The default parameter group accepts plaintext connections.",
  },
  [CLUSTER, PARAMETERS, WORKGROUP],
  (resources, report) => {
    // A parameter group's id is its name: a cluster may name it by either.
    const groups = new Map(
      ofType(resources, PARAMETERS).flatMap((g) => [
        [String(g.props.name ?? ""), g] as const,
        [String(g.props.id ?? ""), g] as const,
      ]),
    );
    // Serverless takes require_ssl as a workgroup config parameter. Its default is not stated on
    // the pages below, so only an explicit "false" is refused, as AWS Config's rule does:
    // "redshift-serverless-workgroup-encrypted-in-transit",
    // https://docs.aws.amazon.com/config/latest/developerguide/redshift-serverless-workgroup-encrypted-in-transit.html
    for (const wg of ofType(resources, WORKGROUP)) {
      const off = list(wg.props.configParameters).some(
        (p) =>
          p.parameterKey === "require_ssl" && String(p.parameterValue).toLowerCase() === "false",
      );
      if (off)
        report(
          `${wg.name} accepts plaintext connections: set configParameters require_ssl to "true"`,
          wg.urn,
        );
    }
    for (const c of ofType(resources, CLUSTER)) {
      const group = groups.get(String(c.props.clusterParameterGroupName ?? ""));
      const tls = list(group?.props.parameters).some(
        (p) => p.name === "require_ssl" && String(p.value) === "true",
      );
      if (!tls)
        report(
          `${c.name} accepts plaintext connections: set clusterParameterGroupName to a group with require_ssl "true"`,
          c.urn,
        );
    }
  },
);
