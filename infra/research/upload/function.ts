/**
 * The upload pipeline of a research enclave, as it runs in AWS Lambda. A new object under
 * `incoming/` in the enclave's data-in bucket is screened by its key: a key that looks like it holds
 * an identifier (a person's name, a full date such as a date of birth, a social security, medical
 * record, phone number or email address) is moved to `quarantine/` under a random name, out of the
 * workstation's reach; every object is recorded in the upload index (key, size, checksum, uploader,
 * time) and announced on the enclave's topic, without ever repeating an identifier.
 *
 * The file is self-contained: `npm run lambda` transpiles it, as it is, to dist/index.mjs, the code
 * Lambda runs (Node.js 22, whose runtime provides the AWS SDK); a test keeps the two in step.
 */

/** Where uploads land; the notification and the workstation's access both start here. */
export const INCOMING_PREFIX = "incoming/";
/** Where refused uploads go: readable by the data steward, never by the workstation. */
export const QUARANTINE_PREFIX = "quarantine/";

/** What a key can be refused for. Reasons are codes: they never quote the key. */
export type Reason = "person-name" | "full-date" | "ssn" | "record-number" | "email" | "phone";

export const REASON_TEXT: Readonly<Record<Reason, string>> = {
  "person-name": "looks like a person's name",
  "full-date": "holds a full date (a date of birth or of a visit is an identifier)",
  ssn: "holds a social security number",
  "record-number": "holds a medical record or other long identifying number",
  email: "holds an email address",
  phone: "holds a phone number",
};

/**
 * Common given names, chosen so that none is also a word that file names use for other things
 * (no "mark", "max", "may", "june", "grace", "will", "bill", "amber"...). A heuristic: it catches
 * the usual `john_smith_labs.csv`, it does not de-identify, and the steward stays responsible.
 */
const GIVEN_NAMES = new Set(
  (
    "aaron abigail adam adrian ahmed aisha alan albert alejandro alex alexander alexandra alice " +
    "alicia alison amanda amelia amy ana andrea andrew angela anna anne anthony antonio ashley " +
    "ava barbara benjamin beth betty brandon brenda brian bruce carlos carmen carol caroline " +
    "catherine charles charlotte cheryl christina christine christopher cynthia daniel david " +
    "deborah debra denise dennis diana diane donald donna dorothy douglas edward elena elizabeth " +
    "emily emma eric ethan evelyn fatima francesca gabriel gary george gerald gloria gregory " +
    "hannah harold heather helen henry isabella jacob james jane janet janice jason jean jeffrey " +
    "jennifer jeremy jessica joan joanna john jonathan jose joseph joshua joyce juan judith julia " +
    "julie justin karen katherine kathleen kelly kenneth kevin kimberly larry laura lauren liam " +
    "linda lisa lucas maria marie marilyn martha mary matthew megan melissa mia michael michelle " +
    "mohammed muhammad nancy natalie nicholas nicole noah olivia omar pamela patricia patrick " +
    "paul peter rachel raymond rebecca richard robert roger ronald ruth ryan samantha samuel " +
    "sandra sara sarah scott sharon shirley sofia sophia stephanie stephen steven susan teresa " +
    "thomas timothy tyler victoria vincent virginia walter wayne william zachary"
  ).split(/\s+/),
);

/** Words that announce a name after them: `surname_smith`, `patient-name-doe`. */
const NAME_LABEL =
  /(?:^|[^a-z])(?:first|last|given|family|sur|patient)?[-_ .]?name[-_ .:=]+[a-z]{2,}/i;
/** `Smith, John` and `Smith,John`. */
const LAST_COMMA_FIRST = /[A-Z][a-z]+,\s?[A-Z][a-z]+/;
const SSN = /(?<!\d)(?:\d{3}[-_. ]\d{2}[-_. ]\d{4}|\d{9})(?!\d)/;
const RECORD_LABEL =
  /(?:mrn|medical[-_ ]?record|med[-_ ]?rec|patient[-_ ]?(?:id|no|num|number))[-_ #:.=]*\d+/i;
const LONG_NUMBER = /(?<!\d)\d{7,}(?!\d)/;
const EMAIL = /[^\s/@]+@[^\s/@]+\.[a-z]{2,}/i;
const PHONE = /(?<!\d)(?:\+?1[-. ]?)?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}(?!\d)/;

const validDay = (y: number, m: number, d: number) =>
  y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= 31;

/** Full dates in any common order and separator (year-month alone is fine: it identifies nobody). */
function hasFullDate(text: string): boolean {
  const patterns: [RegExp, (m: RegExpExecArray) => [number, number, number][]][] = [
    // 1980-01-31, 1980_01_31, 1980.01.31, 1980/01/31, 19800131
    [
      /(?<!\d)(\d{4})([-_./ ]?)(\d{2})\2(\d{2})(?!\d)/g,
      (m) => [[Number(m[1]), Number(m[3]), Number(m[4])]],
    ],
    // 31-01-1980 or 01-31-1980 (day-first or month-first), 31.01.1980, 01/31/1980
    [
      /(?<!\d)(\d{1,2})([-_./ ])(\d{1,2})\2(\d{4})(?!\d)/g,
      (m) => [
        [Number(m[4]), Number(m[3]), Number(m[1])],
        [Number(m[4]), Number(m[1]), Number(m[3])],
      ],
    ],
  ];
  for (const [pattern, readings] of patterns) {
    for (const m of text.matchAll(pattern)) {
      if (readings(m).some(([y, mo, d]) => validDay(y, mo, d))) return true;
    }
  }
  return false;
}

/** The words of a key: split at anything not a letter and at camelCase boundaries. */
function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Why an object key must not stay in data-in: empty when it looks free of identifiers. */
export function screenKey(key: string): Reason[] {
  const name = key.startsWith(INCOMING_PREFIX) ? key.slice(INCOMING_PREFIX.length) : key;
  const reasons: Reason[] = [];
  if (
    words(name).some((w) => GIVEN_NAMES.has(w)) ||
    NAME_LABEL.test(name) ||
    LAST_COMMA_FIRST.test(name)
  ) {
    reasons.push("person-name");
  }
  if (hasFullDate(name)) reasons.push("full-date");
  if (SSN.test(name)) reasons.push("ssn");
  // A long digit run that is neither a date nor an SSN is an identifying number until shown
  // otherwise (medical record, account, device serial).
  const otherDigits = name
    .replace(new RegExp(SSN.source, "g"), " ")
    .replace(/(?<!\d)\d{8}(?!\d)/g, (d) => (hasFullDate(d) ? " " : d));
  if (RECORD_LABEL.test(name) || LONG_NUMBER.test(otherDigits)) reasons.push("record-number");
  if (EMAIL.test(name)) reasons.push("email");
  if (PHONE.test(name)) reasons.push("phone");
  return reasons;
}

/** S3 event keys are URL-encoded, with `+` for spaces. */
export function decodeKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, " "));
}

/** One record of the upload index (DynamoDB): nothing in it repeats a refused key. */
export interface IndexItem {
  /** The object's key now: the original when accepted, its quarantine key when refused. */
  readonly objectKey: string;
  readonly versionId: string;
  readonly status: "accepted" | "quarantined";
  readonly reasons: Reason[];
  readonly size: number;
  readonly etag: string;
  /** The SHA-256 checksum the uploader sent (S3 keeps it when asked), or "" if none. */
  readonly checksumSha256: string;
  /** Who uploaded it: the principal S3 names in the event. */
  readonly uploader: string;
  readonly uploadedAt: string;
  readonly recordedAt: string;
}

/** What the pipeline does to the world, so that tests can stand in for AWS. */
export interface Services {
  head(
    bucket: string,
    key: string,
    versionId: string,
  ): Promise<{ size: number; etag: string; checksumSha256?: string }>;
  copy(bucket: string, fromKey: string, versionId: string, toKey: string): Promise<void>;
  /** Deletes one version for good (versioned buckets keep everything else). */
  remove(bucket: string, key: string, versionId: string): Promise<void>;
  record(item: IndexItem): Promise<void>;
  notify(subject: string, message: string): Promise<void>;
  /** A fresh random name for a quarantined object. */
  newId(): string;
  now(): Date;
}

export interface S3EventRecord {
  readonly eventName?: string;
  readonly eventTime?: string;
  readonly userIdentity?: { readonly principalId?: string };
  readonly s3?: {
    readonly bucket: { readonly name: string };
    readonly object: {
      readonly key: string;
      readonly size?: number;
      readonly eTag?: string;
      readonly versionId?: string;
    };
  };
}

/** Screens, moves if need be, records and announces one upload; undefined when there is nothing. */
export async function processRecord(
  record: S3EventRecord,
  services: Services,
): Promise<IndexItem | undefined> {
  if (!record.s3 || !record.eventName?.startsWith("ObjectCreated:")) return undefined;
  const bucket = record.s3.bucket.name;
  const key = decodeKey(record.s3.object.key);
  // Folders made in the console are empty objects ending in "/": nothing to screen or record.
  if (key.endsWith("/")) return undefined;
  const versionId = record.s3.object.versionId ?? "null";
  const head = await services.head(bucket, key, versionId);
  const reasons = screenKey(key);
  let objectKey = key;
  if (reasons.length) {
    objectKey = `${QUARANTINE_PREFIX}${services.newId()}`;
    await services.copy(bucket, key, versionId, objectKey);
    // The identifier-bearing name goes with its version; the copy carries a random one.
    await services.remove(bucket, key, versionId);
  }
  const item: IndexItem = {
    objectKey,
    versionId,
    status: reasons.length ? "quarantined" : "accepted",
    reasons,
    size: head.size,
    etag: head.etag,
    checksumSha256: head.checksumSha256 ?? "",
    uploader: record.userIdentity?.principalId ?? "unknown",
    uploadedAt: record.eventTime ?? services.now().toISOString(),
    recordedAt: services.now().toISOString(),
  };
  await services.record(item);
  await services.notify(
    reasons.length ? "Upload quarantined" : "Upload accepted",
    JSON.stringify({
      bucket,
      objectKey,
      status: item.status,
      reasons: reasons.map((r) => `the key ${REASON_TEXT[r]}`),
      size: item.size,
      uploader: item.uploader,
    }),
  );
  return item;
}

/** Every record of an event, one after the other; a failure fails the invocation (then the DLQ). */
export async function processEvent(
  event: { readonly Records?: readonly S3EventRecord[] },
  services: Services,
): Promise<IndexItem[]> {
  const items: IndexItem[] = [];
  for (const record of event.Records ?? []) {
    const item = await processRecord(record, services);
    if (item) items.push(item);
  }
  return items;
}

/* The AWS side: only what Lambda runs. The SDK comes with the Node.js runtime. */

/** An AWS SDK v3 client package, as far as this function uses it: constructors by name. */
export type Sdk = Record<string, new (input?: unknown) => unknown>;
export type SdkLoader = (name: string) => Promise<Sdk>;
const load: SdkLoader = (name) => import(name) as Promise<Sdk>;

interface Client {
  send(command: unknown): Promise<Record<string, unknown>>;
}

let cached: Services | undefined;

/** The pipeline's services on the AWS SDK (the runtime's, unless a test hands another in). */
export async function awsServices(
  env: Record<string, string | undefined>,
  sdk: SdkLoader = load,
): Promise<Services> {
  const [s3sdk, ddbsdk, snssdk, crypto] = await Promise.all([
    sdk("@aws-sdk/client-s3"),
    sdk("@aws-sdk/client-dynamodb"),
    sdk("@aws-sdk/client-sns"),
    import("node:crypto"),
  ]);
  const s3 = new s3sdk.S3Client({}) as Client;
  const ddb = new ddbsdk.DynamoDBClient({}) as Client;
  const sns = new snssdk.SNSClient({}) as Client;
  const command = (pkg: Sdk, name: string, input: unknown) => new pkg[name](input);
  return {
    async head(bucket, key, versionId) {
      const out = await s3.send(
        command(s3sdk, "HeadObjectCommand", {
          Bucket: bucket,
          Key: key,
          ...(versionId === "null" ? {} : { VersionId: versionId }),
          ChecksumMode: "ENABLED",
        }),
      );
      return {
        size: Number(out.ContentLength ?? 0),
        etag: String(out.ETag ?? "").replace(/"/g, ""),
        ...(out.ChecksumSHA256 ? { checksumSha256: String(out.ChecksumSHA256) } : {}),
      };
    },
    async copy(bucket, fromKey, versionId, toKey) {
      const source = `${bucket}/${encodeURIComponent(fromKey)}${versionId === "null" ? "" : `?versionId=${versionId}`}`;
      await s3.send(
        command(s3sdk, "CopyObjectCommand", {
          Bucket: bucket,
          Key: toKey,
          CopySource: source,
          ServerSideEncryption: "aws:kms",
          SSEKMSKeyId: env.KMS_KEY_ARN,
        }),
      );
    },
    async remove(bucket, key, versionId) {
      await s3.send(
        command(s3sdk, "DeleteObjectCommand", {
          Bucket: bucket,
          Key: key,
          ...(versionId === "null" ? {} : { VersionId: versionId }),
        }),
      );
    },
    async record(item) {
      await ddb.send(
        command(ddbsdk, "PutItemCommand", {
          TableName: env.INDEX_TABLE,
          Item: {
            objectKey: { S: item.objectKey },
            versionId: { S: item.versionId },
            status: { S: item.status },
            reasons: { L: item.reasons.map((r) => ({ S: r })) },
            size: { N: String(item.size) },
            etag: { S: item.etag },
            checksumSha256: { S: item.checksumSha256 },
            uploader: { S: item.uploader },
            uploadedAt: { S: item.uploadedAt },
            recordedAt: { S: item.recordedAt },
          },
        }),
      );
    },
    async notify(subject, message) {
      await sns.send(
        command(snssdk, "PublishCommand", {
          TopicArn: env.TOPIC_ARN,
          Subject: subject,
          Message: message,
        }),
      );
    },
    newId: () => crypto.randomUUID(),
    now: () => new Date(),
  };
}

/** Lambda's entry point. */
export async function handler(event: {
  readonly Records?: readonly S3EventRecord[];
}): Promise<{ readonly recorded: number }> {
  cached ??= await awsServices(process.env);
  const items = await processEvent(event, cached);
  return { recorded: items.length };
}
