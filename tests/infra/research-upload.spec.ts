import { expect } from "chai";
import { readFileSync } from "node:fs";
import { LAMBDA_OUTPUT, buildLambda } from "../../tools/build/lambda";
import {
  INCOMING_PREFIX,
  IndexItem,
  QUARANTINE_PREFIX,
  S3EventRecord,
  Services,
  Sdk,
  awsServices,
  decodeKey,
  processEvent,
  processRecord,
  screenKey,
} from "../../infra/research/upload/function";

/** Services that do what S3, DynamoDB and SNS would, in memory, and remember every call. */
function fakeServices() {
  const calls: { op: string; args: unknown[] }[] = [];
  const recorded: IndexItem[] = [];
  const messages: { subject: string; message: string }[] = [];
  let next = 0;
  const services: Services = {
    head: async (...args) => {
      calls.push({ op: "head", args });
      return { size: 2048, etag: "9b2cf535f27731c974343645a3985328", checksumSha256: "c2hhMjU2" };
    },
    copy: async (...args) => void calls.push({ op: "copy", args }),
    remove: async (...args) => void calls.push({ op: "remove", args }),
    record: async (item) => void recorded.push(item),
    notify: async (subject, message) => void messages.push({ subject, message }),
    newId: () => `00000000-0000-4000-8000-00000000000${next++}`,
    now: () => new Date("2026-12-01T10:00:00Z"),
  };
  return { services, calls, recorded, messages };
}

function upload(key: string, overrides: Partial<S3EventRecord> = {}): S3EventRecord {
  return {
    eventName: "ObjectCreated:Put",
    eventTime: "2026-12-01T09:59:58.000Z",
    userIdentity: { principalId: "AWS:AROAEXAMPLESTEWARD:alice" },
    s3: {
      bucket: { name: "ehealth-ireland-research-cardio01-data-in-abc1234" },
      object: { key, size: 2048, eTag: "9b2cf535f27731c974343645a3985328", versionId: "v-1" },
    },
    ...overrides,
  };
}

describe("the research upload function", () => {
  describe("screenKey", () => {
    const refused: [string, string][] = [
      ["incoming/john_smith_labs.csv", "person-name"],
      ["incoming/JaneDoe-visits.csv", "person-name"],
      ["incoming/Smith, Robert.xlsx", "person-name"],
      ["incoming/surname_okafor.csv", "person-name"],
      ["incoming/dob_1980-01-31.csv", "full-date"],
      ["incoming/visit-31.01.1980.csv", "full-date"],
      ["incoming/labs-19800131.csv", "full-date"],
      ["incoming/scan 01/31/1980.dcm", "full-date"],
      ["incoming/123-45-6789.pdf", "ssn"],
      ["incoming/ssn123456789.pdf", "ssn"],
      ["incoming/mrn-004512.csv", "record-number"],
      ["incoming/MedicalRecord_7781.txt", "record-number"],
      ["incoming/export-00123456789012.csv", "record-number"],
      ["incoming/contact-jo.doe@example.org.txt", "email"],
      ["incoming/call (555) 123-4567.wav", "phone"],
      ["incoming/555-123-4567.wav", "phone"],
    ];
    for (const [key, reason] of refused) {
      it(`refuses ${key} (${reason})`, () => {
        expect(screenKey(key)).to.include(reason);
      });
    }

    const accepted = [
      "incoming/cohort-a/visits.csv",
      "incoming/batch-2025-01.csv",
      "incoming/labs_2025.parquet",
      "incoming/sample-000123.csv",
      "incoming/markers_max_values.csv",
      "incoming/filename_final_v2.csv",
      "incoming/README.md",
      "incoming/ecg/lead-II-500Hz.edf",
    ];
    for (const key of accepted) {
      it(`accepts ${key}`, () => {
        expect(screenKey(key)).to.deep.equal([]);
      });
    }

    it("screens the folders below incoming/ as well as the file name", () => {
      expect(screenKey(`${INCOMING_PREFIX}john_smith/visits.csv`)).to.include("person-name");
      expect(screenKey(`${INCOMING_PREFIX}1980-01-31/visits.csv`)).to.include("full-date");
      expect(screenKey(`${INCOMING_PREFIX}cohort-a/visits.csv`)).to.deep.equal([]);
    });
  });

  it("decodes keys as S3 events encode them", () => {
    expect(decodeKey("incoming/Smith%2C+Robert.xlsx")).to.equal("incoming/Smith, Robert.xlsx");
  });

  it("records and announces an accepted upload where it landed", async () => {
    const fake = fakeServices();
    const item = await processRecord(upload("incoming/cohort-a/visits.csv"), fake.services);
    expect(item).to.deep.include({
      objectKey: "incoming/cohort-a/visits.csv",
      versionId: "v-1",
      status: "accepted",
      reasons: [],
      size: 2048,
      checksumSha256: "c2hhMjU2",
      uploader: "AWS:AROAEXAMPLESTEWARD:alice",
      uploadedAt: "2026-12-01T09:59:58.000Z",
    });
    expect(fake.calls.map((c) => c.op)).to.deep.equal(["head"]);
    expect(fake.recorded).to.deep.equal([item]);
    expect(fake.messages.map((m) => m.subject)).to.deep.equal(["Upload accepted"]);
  });

  it("moves an identifier-bearing upload to quarantine under a random name, deleting that version", async () => {
    const fake = fakeServices();
    const original = "incoming/john_smith_dob_1980-01-31.csv";
    const item = await processRecord(
      upload("incoming/john_smith_dob_1980-01-31.csv"),
      fake.services,
    );
    expect(item?.status).to.equal("quarantined");
    expect(item?.objectKey).to.match(new RegExp(`^${QUARANTINE_PREFIX}[0-9a-f-]{36}$`));
    expect(item?.reasons).to.include.members(["person-name", "full-date"]);
    const bucket = "ehealth-ireland-research-cardio01-data-in-abc1234";
    expect(fake.calls).to.deep.equal([
      { op: "head", args: [bucket, original, "v-1"] },
      { op: "copy", args: [bucket, original, "v-1", item!.objectKey] },
      { op: "remove", args: [bucket, original, "v-1"] },
    ]);
    // Neither the index nor the notification repeats the name that was refused.
    const written = JSON.stringify([fake.recorded, fake.messages]);
    for (const fragment of ["john", "smith", "1980"]) expect(written).to.not.include(fragment);
    expect(fake.messages[0].subject).to.equal("Upload quarantined");
    expect(JSON.parse(fake.messages[0].message).reasons).to.have.length(2);
  });

  it("ignores S3's test event and console folders, and processes every other record", async () => {
    const fake = fakeServices();
    const items = await processEvent(
      {
        Records: [
          { eventName: "s3:TestEvent" },
          upload("incoming/cohort-a/"),
          upload("incoming/a.csv"),
          upload("incoming/mrn-0042.csv"),
        ],
      },
      fake.services,
    );
    expect(items.map((i) => i.status)).to.deep.equal(["accepted", "quarantined"]);
    expect(fake.recorded).to.have.length(2);
  });

  it("fails the invocation when a service fails, so that Lambda retries and then dead-letters", async () => {
    const fake = fakeServices();
    const failing: Services = {
      ...fake.services,
      record: async () => {
        throw new Error("ProvisionedThroughputExceededException");
      },
    };
    let message = "";
    try {
      await processEvent({ Records: [upload("incoming/a.csv")] }, failing);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.equal("ProvisionedThroughputExceededException");
  });

  it("speaks to S3, DynamoDB and SNS with the commands and inputs the SDK expects", async () => {
    const sent: { client: string; command: string; input: Record<string, unknown> }[] = [];
    const answers: Record<string, Record<string, unknown>> = {
      HeadObjectCommand: { ContentLength: 2048, ETag: '"9b2c"', ChecksumSHA256: "c2hh" },
    };
    // A stand-in for an SDK package: commands remember their input, clients what they were sent.
    const pkg = (client: string, commands: string[]): Sdk => {
      const classes: Sdk = {
        [client]: class {
          async send(c: { name: string; input: Record<string, unknown> }) {
            sent.push({ client, command: c.name, input: c.input });
            return answers[c.name] ?? {};
          }
        },
      };
      for (const name of commands) {
        classes[name] = class {
          readonly name = name;
          constructor(readonly input: unknown) {}
        };
      }
      return classes;
    };
    const sdk = async (name: string) =>
      ({
        "@aws-sdk/client-s3": pkg("S3Client", [
          "HeadObjectCommand",
          "CopyObjectCommand",
          "DeleteObjectCommand",
        ]),
        "@aws-sdk/client-dynamodb": pkg("DynamoDBClient", ["PutItemCommand"]),
        "@aws-sdk/client-sns": pkg("SNSClient", ["PublishCommand"]),
      })[name]!;
    const env = {
      INDEX_TABLE: "index-table",
      TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:uploads",
      KMS_KEY_ARN: "arn:aws:kms:eu-west-1:123456789012:key/k",
    };
    const services = await awsServices(env, sdk);
    const item = await processRecord(upload("incoming/Smith%2C+Robert.csv"), services);
    const bucket = "ehealth-ireland-research-cardio01-data-in-abc1234";
    expect(sent.map((s) => `${s.client} ${s.command}`)).to.deep.equal([
      "S3Client HeadObjectCommand",
      "S3Client CopyObjectCommand",
      "S3Client DeleteObjectCommand",
      "DynamoDBClient PutItemCommand",
      "SNSClient PublishCommand",
    ]);
    const [head, copy, remove, put, publish] = sent.map((s) => s.input);
    expect(head).to.deep.equal({
      Bucket: bucket,
      Key: "incoming/Smith, Robert.csv",
      VersionId: "v-1",
      ChecksumMode: "ENABLED",
    });
    expect(copy).to.deep.equal({
      Bucket: bucket,
      Key: item!.objectKey,
      CopySource: `${bucket}/incoming%2FSmith%2C%20Robert.csv?versionId=v-1`,
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: env.KMS_KEY_ARN,
    });
    expect(remove).to.deep.equal({
      Bucket: bucket,
      Key: "incoming/Smith, Robert.csv",
      VersionId: "v-1",
    });
    expect(put.TableName).to.equal("index-table");
    expect(put.Item).to.deep.include({
      objectKey: { S: item!.objectKey },
      status: { S: "quarantined" },
      size: { N: "2048" },
      etag: { S: "9b2c" },
      checksumSha256: { S: "c2hh" },
      reasons: { L: [{ S: "person-name" }] },
    });
    expect(publish).to.deep.include({ TopicArn: env.TOPIC_ARN, Subject: "Upload quarantined" });
    expect(JSON.stringify(sent.slice(3))).to.not.include("Smith");
  });

  it("deploys the code its source transpiles to (npm run lambda regenerates it)", () => {
    expect(readFileSync(LAMBDA_OUTPUT, "utf8")).to.equal(buildLambda());
  });

  it("quarantines from the deployed module too, exactly as from its source", async () => {
    const deployed = (await import(
      LAMBDA_OUTPUT
    )) as typeof import("../../infra/research/upload/function");
    const fake = fakeServices();
    const item = await deployed.processRecord(upload("incoming/123-45-6789.pdf"), fake.services);
    expect(item?.status).to.equal("quarantined");
    expect(item?.reasons).to.deep.equal(screenKey("incoming/123-45-6789.pdf"));
    expect(typeof deployed.handler).to.equal("function");
  });
});
