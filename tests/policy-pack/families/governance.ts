/** Governance: tenancy, default security groups, protect, PHI-eligible services, literal secrets. */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { res } from "../fixtures";
import { Family, anyCase, rotated } from "./family";

export const GOVERNANCE: Family[] = [];
const family = (f: Family) => GOVERNANCE.push(f);

// ---- burstable types on dedicated tenancy, wherever each half is written ----
const INSTANCE = "aws:ec2/instance:Instance";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const burstable = fc.constantFrom("t2.micro", "t3.large", "t3a.medium", "t4g.small", "t2.2xlarge");
const steady = fc.constantFrom("m7i.large", "m6i.xlarge", "c7g.large", "r6i.large");
const tenancy = fc.constantFrom("dedicated", "host");
type Where =
  | "instance"
  | "template"
  | "split-type-on-instance"
  | "split-type-on-template"
  | "configuration"
  | "vpc";
/** An instance (and template) with `type` and `mode` tenancy written as `where` says. */
function placed(where: Where, type: string, mode: string, ref: "id" | "name") {
  const launchTemplate = ref === "id" ? { id: "lt-id" } : { name: "ws-lt" };
  switch (where) {
    case "instance":
      return [res(INSTANCE, "ws", { subnetId: "app-id", instanceType: type, tenancy: mode })];
    case "template":
      return [res(LT, "lt", { name: "ws-lt", instanceType: type, placement: { tenancy: mode } })];
    case "split-type-on-instance":
      return [
        res(LT, "lt", { name: "ws-lt", placement: { tenancy: mode } }),
        res(INSTANCE, "ws", { subnetId: "app-id", instanceType: type, launchTemplate }),
      ];
    case "split-type-on-template":
      return [
        res(LT, "lt", { name: "ws-lt", instanceType: type }),
        res(INSTANCE, "ws", { subnetId: "app-id", tenancy: mode, launchTemplate }),
      ];
    case "configuration":
      // Launch configurations take dedicated or default, never host.
      return [
        res("aws:ec2/launchConfiguration:LaunchConfiguration", "lc", {
          imageId: "ami-1",
          instanceType: type,
          placementTenancy: mode === "host" ? "dedicated" : mode,
        }),
      ];
    case "vpc":
      // A VPC of dedicated tenancy makes its instances dedicated unless they ask for host.
      return [
        res("aws:ec2/vpc:Vpc", "vpc", {
          cidrBlock: "10.0.0.0/16",
          instanceTenancy: mode === "default" ? "default" : "dedicated",
        }),
        res("aws:ec2/subnet:Subnet", "app", { vpcId: "vpc-id", cidrBlock: "10.0.1.0/24" }),
        res(INSTANCE, "ws", { subnetId: "app-id", instanceType: type }),
      ];
  }
}
const where = fc.constantFrom<Where>(
  "instance",
  "template",
  "split-type-on-instance",
  "split-type-on-template",
  "configuration",
  "vpc",
);
const templateRef = fc.constantFrom<"id" | "name">("id", "name");
family({
  policy: "ec2-instance-disallow-burstable-dedicated",
  name: "a burstable type on dedicated or host tenancy: on the instance, its template, split between them (template by id or name), a launch configuration, or the VPC's instance tenancy",
  caught: true,
  variants: fc
    .tuple(where, burstable, tenancy, templateRef)
    .map(([w, type, mode, ref]) => placed(w, type, mode, ref)),
});
family({
  policy: "ec2-instance-disallow-burstable-dedicated",
  name: "steady types on dedicated or host tenancy, and burstable types on default tenancy, however written",
  caught: false,
  variants: fc
    .tuple(where, fc.boolean(), burstable, steady, tenancy, templateRef)
    .map(([w, dedicated, b, s, mode, ref]) =>
      dedicated ? placed(w, s, mode, ref) : placed(w, b, "default", ref),
    ),
});

// ---- the default security group: adopted and empty, no rules attached apart ----
const VPC = "aws:ec2/vpc:Vpc";
const DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
family({
  policy: "ec2-vpc-enforce-closed-default-security-group",
  name: "every VPC's default group adopted with no rules (omitted or empty lists)",
  caught: false,
  variants: fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.nat())
    .map(([n, empty, seed]) =>
      rotated(
        Array.from({ length: n }, (_, i) => [
          res(VPC, `vpc${i}`, { cidrBlock: `10.${i}.0.0/16` }),
          res(DEFAULT_SG, `default${i}`, {
            vpcId: `vpc${i}-id`,
            ...(empty ? { ingress: [], egress: [] } : {}),
          }),
        ]).flat(),
        seed,
      ),
    ),
});
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
family({
  policy: "ec2-vpc-enforce-closed-default-security-group",
  name: "a default group not adopted, adopted with inline rules, or given rules apart (SecurityGroupRule, vpc ingress or egress rule, by the group's id or the VPC's defaultSecurityGroupId)",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom("unadopted", "inline-ingress", "inline-egress", SG_RULE, INGRESS, EGRESS),
      fc.constantFrom("default-id", "sg-vpcdefault"),
    )
    .map(([flaw, groupId]) => {
      const rule = { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] };
      const out = [
        res(
          VPC,
          "vpc",
          { cidrBlock: "10.0.0.0/16" },
          { outputs: { defaultSecurityGroupId: "sg-vpcdefault" } },
        ),
      ];
      if (flaw === "unadopted") return out;
      out.push(
        res(DEFAULT_SG, "default", {
          vpcId: "vpc-id",
          ...(flaw === "inline-ingress" ? { ingress: [rule] } : {}),
          ...(flaw === "inline-egress" ? { egress: [rule] } : {}),
        }),
      );
      if (flaw === SG_RULE)
        out.push(res(SG_RULE, "r", { type: "ingress", securityGroupId: groupId, ...rule }));
      if (flaw === INGRESS || flaw === EGRESS)
        out.push(
          res(flaw, "r", { securityGroupId: groupId, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }),
        );
      return out;
    }),
});

// ---- protect in production: Environment from the resource's tags, any case ----
const STATEFUL = [
  "aws:kms/key:Key",
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
  "aws:s3/bucket:Bucket",
  "aws:efs/fileSystem:FileSystem",
  "aws:dynamodb/table:Table",
  "aws:backup/vault:Vault",
  "aws:redshift/cluster:Cluster",
  "aws:opensearch/domain:Domain",
  "aws:cognito/userPool:UserPool",
];
const prodTag = fc
  .tuple(anyCase("Environment"), fc.constantFrom("prod", "production"))
  .chain(([k, v]) => anyCase(v).map((value) => ({ [k]: value })));
family({
  policy: "pulumi-resource-enforce-protect",
  name: "a stateful resource tagged for production (Environment prod or production, any case) without protect",
  caught: true,
  variants: fc
    .tuple(fc.constantFrom(...STATEFUL), prodTag)
    .map(([type, tags]) => [res(type, "store", { tags }, { protect: false })]),
});
/** The aws provider's default tags, as the engine records them (a JSON string) or as an object. */
function underProvider(tags: Record<string, string>, json: boolean) {
  const provider = res("pulumi:providers:aws", "prod", {
    defaultTags: json ? JSON.stringify({ tags }) : { tags },
  });
  return { provider, ref: `${provider.urn}::${provider.id}` };
}
family({
  policy: "pulumi-resource-enforce-protect",
  name: "a stateful resource without protect under a provider whose default tags say production (JSON or object, any case)",
  caught: true,
  variants: fc
    .tuple(fc.constantFrom(...STATEFUL), prodTag, fc.boolean())
    .map(([type, tags, json]) => {
      const { provider, ref } = underProvider(tags, json);
      return [provider, res(type, "store", {}, { protect: false, provider: ref })];
    }),
});
family({
  policy: "pulumi-resource-enforce-protect",
  name: "stateful resources protected in production, or not production (dev, staging)",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...STATEFUL),
      prodTag,
      fc.constantFrom("dev", "staging", "test"),
      fc.boolean(),
    )
    .map(([type, prod, other, isProd]) => [
      isProd
        ? res(type, "store", { tags: prod }, { protect: true })
        : res(type, "store", { tags: { Environment: other } }, { protect: false }),
    ]),
});

// ---- PHI only in HIPAA-eligible services, however the tag is spelled ----
const phiTag = fc
  .tuple(anyCase("DataClassification"), anyCase("PHI"))
  .map(([k, v]) => ({ [k]: v }));
family({
  policy: "tagging-resource-enforce-phi-eligible-service",
  name: "a resource of a service outside the eligible list tagged DataClassification=PHI, key and value in any case",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(
        "aws:lightsail/instance:Instance",
        "aws:gamelift/fleet:Fleet",
        "aws:mediastore/container:Container",
        "aws:amp/workspace:Workspace",
      ),
      phiTag,
    )
    .map(([type, tags]) => [res(type, "x", { tags })]),
});
family({
  policy: "tagging-resource-enforce-phi-eligible-service",
  name: "PHI-tagged resources of eligible services (any case), and untagged resources of any service",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(
        "aws:s3/bucket:Bucket",
        "aws:rds/instance:Instance",
        "aws:dynamodb/table:Table",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws:lightsail/instance:Instance",
      ),
      phiTag,
    )
    .map(([type, tags]) => [
      res(type, "x", type.startsWith("aws:lightsail") ? { tags: { Team: "web" } } : { tags }),
    ]),
});

// ---- literal secrets: random-looking values under harmless names; ECS container environments ----
/**
 * A random token as a generator of keys makes one: base64 of a digest, without + / =, so that a
 * shrunk counterexample is still random (shrinking the seed, not the characters).
 */
const token = fc
  .nat()
  .map((seed) => createHash("sha256").update(`k${seed}`).digest("base64").replace(/[+/=]/g, ""))
  .filter((s) => /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s));
const harmless = fc.constantFrom("CONFIG", "UPSTREAM", "VALUE", "X_APP", "settings", "Mode");
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const containers = (env: object[], secrets: object[] = []) =>
  JSON.stringify([
    { name: "api", image: "acme/api:1", essential: true, environment: env, secrets },
  ]);
family({
  policy: "secrets-input-disallow-literal-credentials",
  name: "a high-entropy value under a harmless name in Lambda or ECS environments, a tag or user data; a secret by name in an ECS container environment",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom("lambda", "ecs", "tag", "ecs-named", "userData"),
      harmless,
      token,
      fc.constantFrom("DB_PASSWORD", "apiKey", "CLIENT_SECRET", "auth_token"),
      fc.stringMatching(/^[A-Za-z0-9]{10,16}$/),
    )
    .map(([where, name, value, secretName, plain]) => {
      if (where === "lambda")
        return [
          res("aws:lambda/function:Function", "fn", {
            environment: { variables: { [name]: value } },
          }),
        ];
      if (where === "tag") return [res("aws:s3/bucket:Bucket", "b", { tags: { [name]: value } })];
      if (where === "userData")
        return [
          res(INSTANCE, "vm", {
            subnetId: "app-id",
            userData: `#!/bin/bash\nexport ${name}="${value}"\n/opt/app/run\n`,
          }),
        ];
      return [
        res(TASK, "task", {
          family: "api",
          containerDefinitions: containers([
            { name: "LOG_LEVEL", value: "info" },
            where === "ecs" ? { name, value } : { name: secretName, value: plain },
          ]),
        }),
      ];
    }),
});
family({
  policy: "secrets-input-disallow-literal-credentials",
  name: "ECS containers taking secrets from Secrets Manager or SSM (secrets/valueFrom), and environments holding references and ordinary settings",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom("DB_PASSWORD", "API_KEY", "CLIENT_SECRET"),
      fc.constantFrom(
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/app/api-key",
        "/app/api-key",
      ),
      fc.constantFrom<[string, string]>(
        [
          "DB_PASSWORD_SECRET_ARN",
          "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
        ],
        ["API_KEY_PARAMETER", "/app/api-key"],
        ["LOG_LEVEL", "info"],
        ["UPSTREAM", "https://api.example.org/v2/patients"],
        ["TABLE", "patients-index"],
      ),
      fc.boolean(),
    )
    .map(([name, valueFrom, [envName, envValue], lambda]) =>
      lambda
        ? [
            res("aws:lambda/function:Function", "fn", {
              environment: { variables: { [envName]: envValue } },
            }),
          ]
        : [
            res(TASK, "task", {
              family: "api",
              containerDefinitions: containers(
                [{ name: envName, value: envValue }],
                [{ name, valueFrom }],
              ),
            }),
          ],
    ),
});
