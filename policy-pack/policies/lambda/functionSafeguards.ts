import { keyProblem } from "../lib/keys";
import { ENCRYPTION_AT_REST } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { nonEmpty, obj, strings } from "../lib/props";

const FUNCTION = "aws:lambda/function:Function";

export const lambdaFunctionEnforceEnvironmentEncryption = resourcePolicy(
  {
    name: "lambda-function-enforce-environment-encryption",
    description:
      "Lambda functions with environment variables encrypt them with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: [...ENCRYPTION_AT_REST],
    remediationSteps: "Set kmsKeyArn to a customer-managed key.",
    levelReason:
      "Environment variables hold bucket names, table names and sometimes credentials; the default key gives no control over who reads them.",
  },
  {
    [FUNCTION]: (r, report) => {
      const variables = obj(obj(r.props.environment)?.variables);
      if (!variables || !Object.keys(variables).length) return;
      const problem = keyProblem(r.name, "kmsKeyArn", r.props.kmsKeyArn);
      if (problem) report(problem);
    },
  },
);

export const lambdaFunctionConfigureIsolation = resourcePolicy(
  {
    name: "lambda-function-configure-isolation",
    description:
      "Lambda functions run in a VPC, have a dead-letter queue, and a reserved concurrency.",
    enforcementLevel: "advisory",
    severity: "medium",
    hipaa: ["164.312(e)(1)", "164.308(a)(7)(i)"],
    remediationSteps:
      "Set vpcConfig (private subnets, security group), deadLetterConfig.targetArn (an encrypted SQS queue) and reservedConcurrentExecutions.",
    levelReason:
      "Functions that touch PHI belong in the VPC; functions that do not may reasonably live outside it, so the pack advises.",
  },
  {
    [FUNCTION]: (r, report) => {
      if (strings(obj(r.props.vpcConfig)?.subnetIds).length === 0)
        report(`${r.name} runs outside any VPC: set vpcConfig.subnetIds and securityGroupIds`);
      if (!nonEmpty(obj(r.props.deadLetterConfig)?.targetArn))
        report(
          `${r.name} loses failed events: set deadLetterConfig.targetArn to an encrypted queue`,
        );
      if (
        typeof r.props.reservedConcurrentExecutions !== "number" ||
        r.props.reservedConcurrentExecutions < 0
      ) {
        report(
          `${r.name} may use the account's whole concurrency: set reservedConcurrentExecutions`,
        );
      }
    },
  },
);
