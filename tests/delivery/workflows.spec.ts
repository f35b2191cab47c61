import { expect } from "chai";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../tools/engine";
import { PROJECT_STACKS } from "../../tools/plan/inputs";
import {
  DEPLOY_ORDER,
  Workflow,
  loadWorkflows,
  workflowProblems,
} from "../../tools/delivery/workflows";

/** The workflows with one file's text changed, parsed again as GitHub would. */
function changed(
  workflows: Workflow[],
  file: string,
  from: string | RegExp,
  to: string,
): Workflow[] {
  return workflows.map((w) => {
    if (w.file !== file) return w;
    const text = w.text.replace(from, to);
    if (text === w.text) throw new Error(`the mutation does not apply to ${file}: ${String(from)}`);
    return { ...w, text, doc: parse(text) as Record<string, unknown> };
  });
}

describe(".github/workflows", () => {
  const workflows = loadWorkflows(PROJECT_DIR);

  it("parse, and meet every rule the delivery pipeline relies on", () => {
    expect(workflows.map((w) => w.file)).to.deep.equal(["deploy.yml", "pull-request.yml"]);
    expect(workflowProblems(workflows, PROJECT_DIR)).to.deep.equal([]);
  });

  it("deploy every stack of the project, the disaster-recovery target first", () => {
    expect([...DEPLOY_ORDER].sort()).to.deep.equal([...PROJECT_STACKS].sort());
    expect(DEPLOY_ORDER[0]).to.equal("oregon");
  });

  const refusals: [string, string, string | RegExp, string, string][] = [
    [
      "an action pinned to a tag",
      "pull-request.yml",
      "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
      "actions/checkout@v4",
      "pin it to a full commit SHA",
    ],
    [
      "a pin without its release comment",
      "deploy.yml",
      /(pulumi\/actions@8e5e406f4007fca908480587cb9893c07090f58d) # v7\.0\.0/,
      "$1",
      "without the",
    ],
    [
      "a broader token for the whole workflow",
      "pull-request.yml",
      "permissions:\n  contents: read\n\nconcurrency",
      "permissions:\n  contents: write\n\nconcurrency",
      "permissions must be exactly { contents: read }",
    ],
    [
      "a job asking for every scope",
      "deploy.yml",
      "    permissions:\n      contents: read\n      id-token: write\n    concurrency:\n      group: stack-oregon",
      "    permissions: write-all\n    concurrency:\n      group: stack-oregon",
      "list the scopes",
    ],
    [
      "long-lived AWS keys",
      "deploy.yml",
      "role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}\n          role-session-name: ehealth-deploy-oregon",
      "aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n          role-session-name: ehealth-deploy-oregon",
      "long-lived AWS keys",
    ],
    [
      "a preview without the policy pack",
      "pull-request.yml",
      "          policyPacks: policy-pack\n",
      "",
      "without policyPacks: policy-pack",
    ],
    [
      "a deployment without the pack's config",
      "deploy.yml",
      /policyPackConfigs: policy-pack\/config\.json\n {10}message: \$\{\{ github\.sha \}\}\n\n {2}ireland/,
      "message: ${{ github.sha }}\n\n  ireland",
      "without policyPackConfigs",
    ],
    [
      "ireland deployed before oregon is",
      "deploy.yml",
      "    needs: oregon\n",
      "    needs: verify\n",
      "deploys ireland without waiting for oregon",
    ],
    [
      "two deployments of one stack at once",
      "deploy.yml",
      "      group: stack-ireland\n      cancel-in-progress: false",
      "      group: stack-ireland\n      cancel-in-progress: true",
      "no concurrency group of its stack that waits",
    ],
    [
      "a deployment without reviewers",
      "deploy.yml",
      "    environment: prod-oregon\n",
      "",
      "outside a GitHub environment",
    ],
    [
      "a pull request that skips the tests",
      "pull-request.yml",
      "      - run: npm test\n",
      "",
      "no job runs `npm test`",
    ],
    [
      "a pull request that skips the static checks",
      "pull-request.yml",
      "      - run: npm run verify\n",
      "",
      "no job runs `npm run verify`",
    ],
    [
      "reports lost when the plan fails",
      "pull-request.yml",
      "        if: always()\n",
      "",
      "not uploaded when the plan fails",
    ],
    [
      "a preview without its comment",
      "pull-request.yml",
      "          comment-on-pr: true\n",
      "",
      "does not comment the preview",
    ],
    [
      "a trigger that hands secrets to forks",
      "pull-request.yml",
      "on:\n  pull_request:",
      "on:\n  pull_request_target:",
      "pull_request_target",
    ],
    [
      "a checkout that keeps the token",
      "deploy.yml",
      "        with:\n          persist-credentials: false\n      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0\n        with:\n          node-version: 20\n          cache: npm\n      - run: npm ci\n      - run: npm test",
      "      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0\n        with:\n          node-version: 20\n          cache: npm\n      - run: npm ci\n      - run: npm test",
      "persist-credentials: false",
    ],
    [
      "a preview of one stack only",
      "pull-request.yml",
      "          - stack: ireland\n            region: eu-west-1\n",
      "",
      "not every stack",
    ],
  ];
  for (const [what, file, from, to, problem] of refusals) {
    it(`fail the check with ${what}`, () => {
      const problems = workflowProblems(changed(workflows, file, from, to), PROJECT_DIR);
      expect(problems.join("\n")).to.include(problem);
    });
  }
});
