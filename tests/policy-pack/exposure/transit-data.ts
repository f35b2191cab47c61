/**
 * Families of TLS to databases, warehouses, RDS Proxy and EFS.
 */
import fc from "fast-check";
import { ResourceRecord } from "../../../tools/engine";
import { res } from "../fixtures";
import { family } from "./harness";

// ---- in transit: databases, warehouses, proxies, file systems --------------------------------

const RDS_TLS = "rds-parametergroup-enforce-tls";
const PG = "aws:rds/parameterGroup:ParameterGroup";
const CPG = "aws:rds/clusterParameterGroup:ClusterParameterGroup";
/** The engines whose TLS is a parameter, and the parameter that forces it. */
const TLS_ENGINES: readonly (readonly [string, string, string, boolean])[] = [
  ["postgres", "postgres16", "rds.force_ssl", false],
  ["aurora-postgresql", "aurora-postgresql16", "rds.force_ssl", true],
  ["mysql", "mysql8.0", "require_secure_transport", false],
  ["aurora-mysql", "aurora-mysql8.0", "require_secure_transport", true],
  ["mariadb", "mariadb10.11", "require_secure_transport", false],
];
function database(
  [engine, fam, param, cluster]: readonly [string, string, string, boolean],
  value: string | undefined,
  ref: "name" | "id" | "other" | "none",
): ResourceRecord[] {
  const group = res(cluster ? CPG : PG, "params", {
    name: "db-params",
    family: fam,
    parameters: [
      { name: "log_connections", value: "1" },
      ...(value === undefined ? [] : [{ name: param, value, applyMethod: "pending-reboot" }]),
    ].filter((p) => !(p.name === "log_connections" && engine.includes("mysql"))),
  });
  const named = {
    name: "db-params",
    id: "params-id",
    other: "default.postgres16",
    none: undefined,
  }[ref];
  const property = cluster ? "dbClusterParameterGroupName" : "parameterGroupName";
  return [
    group,
    res(cluster ? "aws:rds/cluster:Cluster" : "aws:rds/instance:Instance", "db", {
      engine,
      ...(named === undefined ? {} : { [property]: named }),
    }),
  ];
}
family({
  policy: RDS_TLS,
  name: "PostgreSQL, MySQL and MariaDB instances and Aurora clusters with no group, another group, or a group that leaves TLS optional (0, OFF, absent)",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...TLS_ENGINES),
      fc.constantFrom<string | undefined>("0", "OFF", "off", undefined),
      fc.constantFrom<"name" | "id" | "other" | "none">("name", "id", "other", "none"),
    )
    .map(([e, value, ref]) => database(e, ref === "name" || ref === "id" ? value : "1", ref)),
});
family({
  policy: RDS_TLS,
  name: "instances and Aurora clusters naming, by name or id, a group that forces TLS (1, ON)",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...TLS_ENGINES),
      fc.constantFrom("1", "ON"),
      fc.constantFrom<"name" | "id">("name", "id"),
    )
    .map(([e, value, ref]) => database(e, e[2] === "rds.force_ssl" ? "1" : value, ref)),
});

const REDSHIFT_TLS = "redshift-parametergroup-enforce-tls";
const RS_PG = "aws:redshift/parameterGroup:ParameterGroup";
const WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup";
family({
  policy: REDSHIFT_TLS,
  name: 'a Redshift cluster with no group, another group or require_ssl "false"; a Serverless workgroup with require_ssl "false"',
  caught: true,
  variants: fc
    .tuple(fc.constantFrom("none", "other", "false", "absent", "workgroup"), fc.boolean())
    .map(([how, byId]) => {
      if (how === "workgroup")
        return [
          res(WORKGROUP, "wg", {
            namespaceName: "ns",
            configParameters: [
              { parameterKey: "enable_user_activity_logging", parameterValue: "true" },
              { parameterKey: "require_ssl", parameterValue: "false" },
            ],
          }),
        ];
      const params = how === "false" ? [{ name: "require_ssl", value: "false" }] : [];
      return [
        res(RS_PG, "params", {
          name: "wh-params",
          family: "redshift-2.0",
          parameters: [{ name: "enable_user_activity_logging", value: "true" }, ...params],
        }),
        res("aws:redshift/cluster:Cluster", "wh", {
          ...(how === "none"
            ? {}
            : {
                clusterParameterGroupName:
                  how === "other" ? "default.redshift-2.0" : byId ? "params-id" : "wh-params",
              }),
        }),
      ];
    }),
});
family({
  policy: REDSHIFT_TLS,
  name: 'a Redshift cluster naming, by name or id, a group with require_ssl "true"; a workgroup with require_ssl "true"',
  caught: false,
  variants: fc.tuple(fc.boolean(), fc.boolean()).map(([serverless, byId]) =>
    serverless
      ? [
          res(WORKGROUP, "wg", {
            namespaceName: "ns",
            configParameters: [{ parameterKey: "require_ssl", parameterValue: "true" }],
          }),
        ]
      : [
          res(RS_PG, "params", {
            name: "wh-params",
            family: "redshift-2.0",
            parameters: [
              { name: "require_ssl", value: "true" },
              { name: "enable_user_activity_logging", value: "true" },
            ],
          }),
          res("aws:redshift/cluster:Cluster", "wh", {
            clusterParameterGroupName: byId ? "params-id" : "wh-params",
          }),
        ],
  ),
});

const PROXY_TLS = "rds-proxy-enforce-tls";
const families = fc.constantFrom("POSTGRESQL", "MYSQL", "SQLSERVER");
family({
  policy: PROXY_TLS,
  name: "an RDS Proxy of any engine family with requireTls false or unset",
  caught: true,
  variants: fc.tuple(families, fc.constantFrom<unknown>(false, undefined)).map(([f, tls]) => [
    res("aws:rds/proxy:Proxy", "proxy", {
      engineFamily: f,
      roleArn: "arn:aws:iam::123456789012:role/proxy",
      vpcSubnetIds: ["data-id"],
      auths: [
        {
          authScheme: "SECRETS",
          secretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:db",
          iamAuth: "REQUIRED",
        },
      ],
      ...(tls === undefined ? {} : { requireTls: tls }),
    }),
  ]),
});
family({
  policy: PROXY_TLS,
  name: "an RDS Proxy of any engine family with requireTls true",
  caught: false,
  variants: families.map((f) => [
    res("aws:rds/proxy:Proxy", "proxy", {
      engineFamily: f,
      roleArn: "arn:aws:iam::123456789012:role/proxy",
      vpcSubnetIds: ["data-id"],
      requireTls: true,
    }),
  ]),
});

const EFS_TLS = "efs-filesystem-enforce-tls";
const FS = "aws:efs/fileSystem:FileSystem";
const FS_POLICY = "aws:efs/fileSystemPolicy:FileSystemPolicy";
const fsPolicy = (statements: object[], fileSystemId = "fs-id") => [
  res(FS, "fs", { encrypted: true, kmsKeyId: "phi" }),
  res(FS_POLICY, "fs-policy", {
    fileSystemId,
    policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
  }),
];
const mountAllow = {
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::123456789012:role/app" },
  Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
  Resource: "*",
};
family({
  policy: EFS_TLS,
  name: "a file system whose policy does not deny every principal's mounts without TLS: none, another file system's, a deny of write or root access only, of one principal, an Allow, SecureTransport true",
  caught: true,
  variants: fc
    .constantFrom<[Record<string, unknown>, string?]>(
      [{}, "other"],
      [{ Action: "elasticfilesystem:ClientWrite" }],
      [{ Action: ["elasticfilesystem:ClientRootAccess", "elasticfilesystem:ClientWrite"] }],
      [{ Principal: { AWS: "arn:aws:iam::123456789012:role/app" } }],
      [{ Effect: "Allow" }],
      [{ Condition: { Bool: { "aws:SecureTransport": "true" } } }],
      [{ NotAction: "elasticfilesystem:ClientMount", Action: undefined }],
    )
    .chain(([change, other]) =>
      fc.boolean().map((withAllow) => {
        const deny = {
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "*",
          Resource: "*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
          ...change,
        };
        return fsPolicy(withAllow ? [mountAllow, deny] : [deny], other ? "other-fs" : "fs-id");
      }),
    ),
});
family({
  policy: EFS_TLS,
  name: "a deny of mounts without TLS to every principal, in each spelling: principal, actions, operator, key case, boolean or string false",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom<unknown>("*", { AWS: "*" }, { AWS: ["*"] }),
      fc.constantFrom<unknown>("*", "elasticfilesystem:*", "elasticfilesystem:Client*", [
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
        "elasticfilesystem:ClientRootAccess",
      ]),
      fc.constantFrom("Bool", "BoolIfExists"),
      fc.constantFrom("aws:SecureTransport", "aws:securetransport", "AWS:SecureTransport"),
      fc.constantFrom<unknown>("false", false, ["false"]),
      fc.boolean(),
    )
    .map(([principal, action, op, key, value, withAllow]) => {
      const deny = {
        Effect: "Deny",
        Principal: principal,
        Action: action,
        Resource: "*",
        Condition: { [op]: { [key]: value } },
      };
      return fsPolicy(withAllow ? [mountAllow, deny] : [deny]);
    }),
});
