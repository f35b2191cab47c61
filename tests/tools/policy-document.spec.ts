import { expect } from "chai";
import { crc32 } from "node:zlib";
import { policyDocument } from "../../tools/engine";
import { PolicyDocumentError } from "../../tools/engine/policy-document";

/*
 * Expected documents come from the AWS provider's own acceptance tests and documentation
 * (terraform-provider-aws internal/service/iam/policy_document_data_source_test.go and
 * website/docs/d/iam_policy_document.html.markdown), written for the current model, which leaves
 * out an empty Sid (policy_model.go: `Sid string json:",omitempty"`).
 */
const json = (doc: unknown) => JSON.stringify(doc, null, 2);

describe("aws:iam/getPolicyDocument:getPolicyDocument", () => {
  it("orders the identifiers of several principal blocks of one type as the provider's sets do", () => {
    // TestAccAWSDataSourceIAMPolicyDocument_statementPrincipalIdentifiers_multiplePrincipals(Gov)
    for (const [partition, order] of [
      ["aws", ["333333333333", "444444444444", "222222222222", "111111111111"]],
      ["aws-us-gov", ["333333333333", "222222222222", "111111111111", "444444444444"]],
    ] as const) {
      const root = (account: string) => `arn:${partition}:iam::${account}:root`;
      const { json: doc } = policyDocument({
        statements: [
          {
            sid: "StatementPrincipalIdentifiersStringAndSlice",
            actions: ["*"],
            resources: ["*"],
            principals: [
              { type: "AWS", identifiers: [root("111111111111"), root("222222222222")] },
              { type: "AWS", identifiers: [root("333333333333")] },
              { type: "AWS", identifiers: [root("444444444444")] },
            ],
          },
        ],
      });
      expect(doc).to.equal(
        json({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "StatementPrincipalIdentifiersStringAndSlice",
              Effect: "Allow",
              Action: "*",
              Resource: "*",
              Principal: { AWS: order.map(root) },
            },
          ],
        }),
      );
    }
  });

  it("keeps a single-identifier block before a list of one type, as the provider does", () => {
    const root = (account: string) => `arn:aws:iam::${account}:root`;
    const { json: doc } = policyDocument({
      statements: [
        {
          sid: "X",
          actions: ["*"],
          resources: ["*"],
          principals: [
            { type: "AWS", identifiers: [root("111111111111")] },
            { type: "AWS", identifiers: [root("222222222222"), root("333333333333")] },
          ],
        },
      ],
    });
    expect(JSON.parse(doc).Statement[0].Principal.AWS).to.deep.equal([
      root("111111111111"),
      root("333333333333"),
      root("222222222222"),
    ]);
  });

  it("sorts actions and resources in reverse, collapses single values, keeps condition values in order and replaces &{", () => {
    // TestAccAWSDataSourceIAMPolicyDocument_basic (its expected JSON, without the empty Sids)
    const { json: doc } = policyDocument({
      policyId: "policy_id",
      statements: [
        {
          sid: "1",
          actions: ["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
          resources: ["arn:aws:s3:::*"],
        },
        {
          actions: ["s3:ListBucket"],
          resources: ["arn:aws:s3:::foo"],
          conditions: [
            {
              test: "StringLike",
              variable: "s3:prefix",
              values: ["home/", "", "home/&{aws:username}/"],
            },
          ],
          notPrincipals: [{ type: "AWS", identifiers: ["arn:blahblah:example"] }],
        },
        {
          actions: ["s3:*"],
          resources: [
            "arn:aws:s3:::foo/home/&{aws:username}",
            "arn:aws:s3:::foo/home/&{aws:username}/*",
          ],
          principals: [{ type: "AWS", identifiers: ["arn:blahblah:example"] }],
        },
        { effect: "Deny", notActions: ["s3:*"], notResources: ["arn:aws:s3:::*"] },
        {
          effect: "Allow",
          actions: ["kinesis:*"],
          principals: [{ type: "AWS", identifiers: ["*"] }],
        },
        {
          effect: "Allow",
          actions: ["firehose:*"],
          principals: [{ type: "*", identifiers: ["*"] }],
        },
      ],
    });
    expect(doc).to.equal(
      json({
        Version: "2012-10-17",
        Id: "policy_id",
        Statement: [
          {
            Sid: "1",
            Effect: "Allow",
            Action: ["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
            Resource: "arn:aws:s3:::*",
          },
          {
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: "arn:aws:s3:::foo",
            NotPrincipal: { AWS: "arn:blahblah:example" },
            Condition: { StringLike: { "s3:prefix": ["home/", "", "home/${aws:username}/"] } },
          },
          {
            Effect: "Allow",
            Action: "s3:*",
            Resource: [
              "arn:aws:s3:::foo/home/${aws:username}/*",
              "arn:aws:s3:::foo/home/${aws:username}",
            ],
            Principal: { AWS: "arn:blahblah:example" },
          },
          { Effect: "Deny", NotAction: "s3:*", NotResource: "arn:aws:s3:::*" },
          { Effect: "Allow", Action: "kinesis:*", Principal: { AWS: "*" } },
          { Effect: "Allow", Action: "firehose:*", Principal: "*" },
        ],
      }),
    );
  });

  it("groups condition blocks of one test by variable, sorted (the documentation's example)", () => {
    const { json: doc } = policyDocument({
      statements: [
        {
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: ["*"],
          conditions: [
            {
              test: "ForAnyValue:StringEquals",
              variable: "kms:EncryptionContext:service",
              values: ["pi"],
            },
            {
              test: "ForAnyValue:StringEquals",
              variable: "kms:EncryptionContext:aws:pi:service",
              values: ["rds"],
            },
          ],
        },
      ],
    });
    expect(JSON.parse(doc).Statement[0]).to.deep.equal({
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      Condition: {
        "ForAnyValue:StringEquals": {
          "kms:EncryptionContext:aws:pi:service": "rds",
          "kms:EncryptionContext:service": "pi",
        },
      },
    });
    expect(
      Object.keys(JSON.parse(doc).Statement[0].Condition["ForAnyValue:StringEquals"]),
    ).to.deep.equal(["kms:EncryptionContext:aws:pi:service", "kms:EncryptionContext:service"]);
  });

  it("merges source documents, then its statements (replacing by Sid), then override documents in order", () => {
    const source = policyDocument({
      statements: [
        { actions: ["ec2:*"], resources: ["*"] },
        { sid: "SidToOverride", actions: ["s3:*"], resources: ["*"] },
      ],
    }).json;
    const merged = policyDocument({
      sourcePolicyDocuments: [source],
      statements: [
        {
          sid: "SidToOverride",
          actions: ["s3:*"],
          resources: ["arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"],
        },
      ],
    }).json;
    expect(JSON.parse(merged).Statement).to.deep.equal([
      { Effect: "Allow", Action: "ec2:*", Resource: "*" },
      {
        Sid: "SidToOverride",
        Effect: "Allow",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::somebucket/*", "arn:aws:s3:::somebucket"],
      },
    ]);
    // The documentation's "merging override documents": later overrides win, new Sids append.
    const one = policyDocument({
      statements: [{ sid: "OverridePlaceHolderOne", actions: ["s3:*"], resources: ["*"] }],
    }).json;
    const two = policyDocument({
      statements: [
        { actions: ["ec2:*"], resources: ["*"] },
        { sid: "OverridePlaceHolderTwo", actions: ["iam:*"], resources: ["*"] },
      ],
    }).json;
    const three = policyDocument({
      statements: [
        { sid: "OverridePlaceHolderOne", effect: "Deny", actions: ["logs:*"], resources: ["*"] },
      ],
    }).json;
    const combined = policyDocument({
      statements: [
        { sid: "OverridePlaceHolderTwo", effect: "Deny", actions: ["*"], resources: ["*"] },
      ],
      overridePolicyDocuments: [one, two, three],
    }).json;
    expect(JSON.parse(combined).Statement).to.deep.equal([
      { Sid: "OverridePlaceHolderTwo", Effect: "Allow", Action: "iam:*", Resource: "*" },
      { Sid: "OverridePlaceHolderOne", Effect: "Deny", Action: "logs:*", Resource: "*" },
      { Effect: "Allow", Action: "ec2:*", Resource: "*" },
    ]);
  });

  it("reads a source document's principal string as * and its principal lists sorted in reverse", () => {
    const { json: doc } = policyDocument({
      sourcePolicyDocuments: [
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "s3:GetObject", Principal: "anyone" },
            {
              Effect: "Allow",
              Action: ["b", "a"],
              Principal: { Service: ["a.amazonaws.com", "b.amazonaws.com"] },
              Condition: { Bool: { "aws:SecureTransport": true } },
            },
          ],
        }),
      ],
    });
    const [first, second] = JSON.parse(doc).Statement;
    expect(first.Principal).to.equal("*");
    expect(second.Action).to.deep.equal(["b", "a"]);
    expect(second.Principal).to.deep.equal({ Service: ["b.amazonaws.com", "a.amazonaws.com"] });
    expect(second.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "true" } });
  });

  it("escapes <, > and & as Go does, gives a compact form and an id that is the CRC-32 of the document", () => {
    const result = policyDocument({
      statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::a&b<c>"] }],
    });
    expect(result.json).to.include('"arn:aws:s3:::a\\u0026b\\u003cc\\u003e"');
    expect(result.minifiedJson).to.equal(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a\\u0026b\\u003cc\\u003e"}]}',
    );
    expect(result.id).to.equal(String(crc32(result.json)));
  });

  it("fails as the provider does: duplicate Sids in sources, an invalid Sid, &{ in version 2008-10-17", () => {
    const doc = policyDocument({ statements: [{ sid: "Same", actions: ["a:b"] }] }).json;
    expect(() => policyDocument({ sourcePolicyDocuments: [doc, doc] })).to.throw(
      PolicyDocumentError,
      /duplicate Sid \(Same\)/,
    );
    expect(() => policyDocument({ statements: [{ sid: "not ok", actions: ["a:b"] }] })).to.throw(
      /alphanumeric/,
    );
    expect(() =>
      policyDocument({
        version: "2008-10-17",
        statements: [{ actions: ["*"], resources: ["arn:aws:s3:::x/&{aws:username}"] }],
      }),
    ).to.throw(/found &\{ sequence/);
    expect(() =>
      policyDocument({
        statements: [
          { sid: "A", actions: ["a:b"] },
          { sid: "A", actions: ["c:d"] },
        ],
      }),
    ).to.throw(/duplicate Sid \(A\)/);
  });
});
