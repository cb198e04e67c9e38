// Drive a running sluice engine with the AWS SDK for JavaScript v3, as a
// user's Node application would: the default clients of @aws-sdk/client-*
// (no custom request handler), pointed at the engine by `endpoint`.
//
//   node compat.mjs http://127.0.0.1:PORT
//
// For Kinesis, SQS, S3, CloudWatch, EventBridge and Pipes: create, put/send,
// get/receive, list with pagination, and a missing resource's error class
// (err.name). One line a check, then "js sdk compat: N passed, N failed";
// the exit status is non-zero when a check failed.
//
// A failed check prints the last HTTP exchange its client made (method,
// path, protocol headers, status, error headers and the body's start),
// captured by a middleware at the end of the stack, after signing.
//
// The default Kinesis client speaks HTTP/2 without TLS (h2c, prior
// knowledge) over http://. Whether the engine serves that is probed first
// with node:http2; a Kinesis check that fails at the transport while the
// probe failed is labelled "[needs h2c]", and the Kinesis checks then run
// once more over HTTP/1.1 as a diagnostic (lines "diag", not counted) so
// that what h2c would uncover next is visible now. Resources the Pipes
// checks need from Kinesis (a stream, a record) are made through that
// HTTP/1.1 client when the default one cannot reach the engine.
import http2 from "node:http2";
import { Readable } from "node:stream";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";

import * as K from "@aws-sdk/client-kinesis";
import * as Q from "@aws-sdk/client-sqs";
import * as S from "@aws-sdk/client-s3";
import * as CW from "@aws-sdk/client-cloudwatch";
import * as EB from "@aws-sdk/client-eventbridge";
import * as P from "@aws-sdk/client-pipes";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const endpoint = process.argv[2];
if (!endpoint) {
  console.error("usage: node compat.mjs http://127.0.0.1:PORT");
  process.exit(2);
}
const region = "us-east-1";
const account = "000000000000";
const suffix = randomUUID().slice(0, 8);
const CHECK_TIMEOUT_MS = 20_000;
// No retries: a check sees the engine's first answer, and fails fast.
const base = { region, endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 };

// ------------------------------------------------------------ tracing

// trace(client) records the client's last HTTP exchange in client.last.
// The middleware sits at the end of the deserialize step, next to the
// transport: it sees the signed request and the raw response, whose body
// it buffers (and hands on) when it is small.
function trace(client) {
  client.last = null;
  client.middlewareStack.add(
    (next) => async (args) => {
      const rq = args.request;
      const ex = {
        request: `${rq.method} ${rq.path}${rq.query && Object.keys(rq.query).length ? "?" + new URLSearchParams(rq.query) : ""}`,
        reqHeaders: pick(rq.headers, ["x-amz-target", "content-type", "x-amzn-query-mode", "smithy-protocol",
          "content-encoding", "x-amz-content-sha256", "x-amz-trailer", "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm"]),
      };
      client.last = ex;
      let out;
      try {
        out = await next(args);
      } catch (e) {
        ex.transportError = `${e.name} ${e.code ?? ""} ${e.message}`.trim();
        throw e;
      }
      const rs = out.response;
      ex.status = rs.statusCode;
      ex.respHeaders = pick(rs.headers, ["content-type", "x-amzn-query-error", "x-amzn-errortype", "smithy-protocol",
        "x-amz-checksum-crc32", "x-amz-checksum-crc64nvme", "content-length"]);
      if (rs.statusCode >= 300 || /json|xml|cbor/.test(rs.headers?.["content-type"] ?? "")) {
        const buf = await collect(rs.body);
        ex.body = buf.toString("utf8").slice(0, 400);
        rs.body = Readable.from([buf]);
      }
      return out;
    },
    { step: "deserialize", priority: "low", name: "sluiceCompatTrace" },
  );
  return client;
}

function pick(h = {}, names) {
  const o = {};
  for (const [k, v] of Object.entries(h)) if (names.includes(k.toLowerCase())) o[k.toLowerCase()] = v;
  // A payload hash says nothing a reader needs; its kind (STREAMING-…, UNSIGNED-PAYLOAD) does.
  if (/^[0-9a-f]{64}$/.test(o["x-amz-content-sha256"] ?? "")) delete o["x-amz-content-sha256"];
  return o;
}

async function collect(body) {
  if (body == null) return Buffer.alloc(0);
  if (typeof body === "string" || body instanceof Uint8Array) return Buffer.from(body);
  const chunks = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

function describeExchange(client) {
  const ex = client?.last;
  if (!ex) return "    (no HTTP exchange recorded)";
  const lines = [`    > ${ex.request} ${JSON.stringify(ex.reqHeaders)}`];
  if (ex.transportError) lines.push(`    < transport error: ${ex.transportError}`);
  if (ex.status !== undefined) lines.push(`    < ${ex.status} ${JSON.stringify(ex.respHeaders)}`);
  if (ex.body) lines.push(`    < ${ex.body.replace(/\s+/g, " ")}`);
  return lines.join("\n");
}

// ------------------------------------------------------------ checks

let passed = 0;
let failed = 0;
let h2cServed = null; // set by the probe

class CheckError extends Error {}
function ok(cond, what) {
  if (!cond) throw new CheckError(what);
}
// A check that cannot run because the check making its resource failed.
class BlockedError extends CheckError {}
function needs(cond, what) {
  if (!cond) throw new BlockedError(`not run: it needs ${what}, which an earlier check failed to make`);
}

// expectError(promise, name): the call fails with a modeled error of that name.
async function expectError(promise, name, more) {
  try {
    await promise;
  } catch (e) {
    if (e instanceof CheckError) throw e;
    ok(e.name === name, `want ${name}, got ${e.name}${e.code ? ` (${e.code})` : ""}: ${e.message}`);
    if (more) more(e);
    return e;
  }
  throw new CheckError(`want ${name}, the call succeeded`);
}

function isTransportError(e) {
  return Boolean(e && !e.$response && (e.code?.startsWith?.("ERR_HTTP2") || e.code?.startsWith?.("ECONN") ||
    e.code === "EPIPE" || /Protocol error|socket hang up|GOAWAY/i.test(e.message ?? "")) && !e.$metadata?.httpStatusCode);
}

function withTimeout(p, ms, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms); })])
    .finally(() => clearTimeout(t));
}

// check(name, client, fn, opts): run one check and print its line.
// opts.h2c marks a check made with the default Kinesis client (HTTP/2);
// opts.diag runs it as an uncounted diagnostic.
async function check(name, client, fn, opts = {}) {
  const t0 = Date.now();
  try {
    await withTimeout(Promise.resolve().then(fn), CHECK_TIMEOUT_MS, name);
    if (opts.diag) console.log(`diag ok   ${name}`);
    else { passed++; console.log(`ok   ${name} (${Date.now() - t0} ms)`); }
    return true;
  } catch (e) {
    let label = "";
    if (opts.h2c && h2cServed === false && (isTransportError(e) || e instanceof BlockedError)) {
      label = " [needs h2c: the engine does not serve HTTP/2 prior knowledge]";
    }
    const why = e instanceof CheckError ? e.message : `${e.name}${e.code ? ` (${e.code})` : ""}: ${e.message}`;
    if (opts.diag) console.log(`diag FAIL ${name}: ${why}`);
    else { failed++; console.log(`FAIL ${name}${label}: ${why}`); }
    if (!(e instanceof BlockedError)) console.log(describeExchange(client));
    return false;
  }
}

// ------------------------------------------------------------ h2c probe

// probeH2c: one HTTP/2 prior-knowledge request (an unsigned ListStreams)
// through node:http2, as the SDK's NodeHttp2Handler makes it. Any HTTP/2
// answer, even an error status, means the engine speaks h2c.
function probeH2c() {
  return new Promise((resolve) => {
    const s = http2.connect(endpoint);
    const done = (served, detail) => { s.destroy(); resolve({ served, detail }); };
    s.on("error", (e) => done(false, `${e.code ?? ""} ${e.message}`.trim()));
    s.setTimeout(5000, () => done(false, "no answer in 5 s"));
    const rq = s.request({ ":method": "POST", ":path": "/", "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "Kinesis_20131202.ListStreams" });
    rq.on("response", (h) => done(true, `HTTP/2 status ${h[":status"]}`));
    rq.on("error", (e) => done(false, `${e.code ?? ""} ${e.message}`.trim()));
    rq.end("{}");
  });
}

// ------------------------------------------------------------ helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sorted = (a) => [...a].sort();
const same = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const dupes = (a) => a.filter((x, i) => a.indexOf(x) !== i);
const text = (b) => Buffer.from(b ?? []).toString("utf8");

// pages(fetch): follow a token until it is absent, at most 50 pages.
async function pages(fetch) {
  const out = [];
  let token;
  for (let i = 0; i < 50; i++) {
    const page = await fetch(token);
    out.push(page);
    token = page.token;
    if (!token) return out;
  }
  throw new CheckError("pagination did not end after 50 pages");
}

// poll(fn): call fn until it returns a truthy value, for up to ms.
async function poll(fn, ms, every = 250) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(every);
  }
}

// ------------------------------------------------------------ Kinesis

const kinesis = trace(new K.KinesisClient(base));
// The same client over HTTP/1.1, used only for the diagnostic pass and the
// Pipes fixtures when the default client cannot connect.
const kinesis11 = trace(new K.KinesisClient({ ...base, requestHandler: new NodeHttpHandler() }));

async function kinesisChecks(k, opts) {
  const tag = opts.diag ? " over HTTP/1.1" : "";
  const stream = `js-${suffix}${opts.diag ? "-h1" : ""}`;
  const names = [stream, `${stream}-b`, `${stream}-c`];
  let created = false;
  let arn;

  created = await check(`kinesis${tag}: CreateStream x3, DescribeStreamSummary ACTIVE`, k, async () => {
    for (const n of names) await k.send(new K.CreateStreamCommand({ StreamName: n, ShardCount: 2 }));
    const s = (await k.send(new K.DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary;
    ok(s.StreamStatus === "ACTIVE", `status ${s.StreamStatus}`);
    ok(s.OpenShardCount === 2, `open shards ${s.OpenShardCount}`);
    ok(s.StreamARN === `arn:aws:kinesis:${region}:${account}:stream/${stream}`, `ARN ${s.StreamARN}`);
    arn = s.StreamARN;
  }, opts);

  const data = [Uint8Array.from([0, 1, 2, 255, 10]), new TextEncoder().encode('{"order":1}'), new TextEncoder().encode("third")];
  await check(`kinesis${tag}: PutRecord, PutRecords`, k, async () => {
    needs(created, "the stream");
    const one = await k.send(new K.PutRecordCommand({ StreamName: stream, PartitionKey: "a", Data: data[0] }));
    ok(/^shardId-\d{12}$/.test(one.ShardId) && /^\d+$/.test(one.SequenceNumber), `PutRecord answer ${JSON.stringify(one)}`);
    const many = await k.send(new K.PutRecordsCommand({ StreamARN: arn, Records: [
      { PartitionKey: "b", Data: data[1] }, { PartitionKey: "c", Data: data[2] }] }));
    ok(many.FailedRecordCount === 0 && many.Records.length === 2, `PutRecords answer ${JSON.stringify(many)}`);
  }, opts);

  await check(`kinesis${tag}: ListShards, GetShardIterator TRIM_HORIZON, GetRecords round trip`, k, async () => {
    needs(created, "the stream");
    const shards = (await k.send(new K.ListShardsCommand({ StreamName: stream }))).Shards;
    ok(shards.length === 2, `${shards.length} shards`);
    const got = [];
    for (const sh of shards) {
      const it = (await k.send(new K.GetShardIteratorCommand({ StreamName: stream, ShardId: sh.ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
      const out = await k.send(new K.GetRecordsCommand({ ShardIterator: it, StreamARN: arn }));
      ok(typeof out.NextShardIterator === "string" && out.MillisBehindLatest === 0, `GetRecords metadata ${JSON.stringify({ ...out, Records: undefined })}`);
      for (const r of out.Records) {
        ok(r.ApproximateArrivalTimestamp instanceof Date && !isNaN(r.ApproximateArrivalTimestamp), "arrival timestamp");
        got.push(Buffer.from(r.Data).toString("hex"));
      }
    }
    ok(same(got, data.map((d) => Buffer.from(d).toString("hex"))), `records read back: ${got}`);
  }, opts);

  await check(`kinesis${tag}: ListStreams Limit 1 + NextToken, ExclusiveStartStreamName`, k, async () => {
    needs(created, "the streams");
    const ps = await pages(async (token) => {
      const out = await k.send(new K.ListStreamsCommand(token ? { NextToken: token, Limit: 1 } : { Limit: 1 }));
      ok(out.StreamNames.length <= 1, `Limit 1 answered ${out.StreamNames.length} names`);
      ok(out.StreamSummaries?.length === out.StreamNames.length, "StreamSummaries alongside StreamNames");
      return { names: out.StreamNames, token: out.HasMoreStreams ? out.NextToken : undefined, more: out.HasMoreStreams };
    });
    const all = ps.flatMap((p) => p.names);
    ok(dupes(all).length === 0, `duplicates ${dupes(all)}`);
    ok(names.every((n) => all.includes(n)), `paged listing ${all} lacks one of ${names}`);
    const after = await k.send(new K.ListStreamsCommand({ ExclusiveStartStreamName: names[0], Limit: 10 }));
    ok(!after.StreamNames.includes(names[0]) && after.StreamNames.includes(names[1]), `after ${names[0]}: ${after.StreamNames}`);
    // The SDK's own paginator.
    const viaPaginator = [];
    for await (const p of K.paginateListStreams({ client: k, pageSize: 2 }, {})) viaPaginator.push(...p.StreamNames);
    ok(same(viaPaginator, all), `paginateListStreams ${viaPaginator} vs ${all}`);
  }, opts);

  await check(`kinesis${tag}: DescribeStream of a missing stream -> ResourceNotFoundException`, k, async () => {
    await expectError(k.send(new K.DescribeStreamCommand({ StreamName: `missing-${suffix}` })), "ResourceNotFoundException");
    await expectError(k.send(new K.PutRecordCommand({ StreamName: `missing-${suffix}`, PartitionKey: "a", Data: data[0] })), "ResourceNotFoundException");
  }, opts);
}

// ------------------------------------------------------------ SQS

const sqs = trace(new Q.SQSClient(base));

async function sqsChecks() {
  const name = `js-${suffix}`;
  let url;
  const urls = [];
  const created = await check("sqs: CreateQueue x3, GetQueueUrl", sqs, async () => {
    for (const n of [name, `${name}-b`, `${name}-c`]) {
      urls.push((await sqs.send(new Q.CreateQueueCommand({ QueueName: n, Attributes: { VisibilityTimeout: "5" } }))).QueueUrl);
    }
    url = urls[0];
    const again = (await sqs.send(new Q.GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    ok(again === url, `GetQueueUrl ${again} vs ${url}`);
    ok(new URL(url).pathname === `/${account}/${name}`, `queue URL ${url}`);
  });

  // The SDK checks MD5OfMessageBody and MD5OfMessageAttributes on send and
  // receive (middleware-sdk-sqs): a wrong digest fails these checks.
  const body = 'hello <&> ünïcode 🦆 {"x":1}';
  await check("sqs: SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage (MD5s checked by the SDK)", sqs, async () => {
    needs(created, "the queue");
    const sent = await sqs.send(new Q.SendMessageCommand({ QueueUrl: url, MessageBody: body,
      MessageAttributes: { kind: { DataType: "String", StringValue: "greeting" }, n: { DataType: "Number", StringValue: "7" } } }));
    ok(sent.MessageId, "MessageId");
    const batch = await sqs.send(new Q.SendMessageBatchCommand({ QueueUrl: url, Entries: [
      { Id: "one", MessageBody: "batch one" }, { Id: "two", MessageBody: "batch two", DelaySeconds: 0 }] }));
    ok(batch.Successful?.length === 2 && !batch.Failed?.length, `batch ${JSON.stringify(batch)}`);
    const got = [];
    await poll(async () => {
      const out = await sqs.send(new Q.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"] }));
      for (const m of out.Messages ?? []) {
        got.push(m);
        await sqs.send(new Q.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      }
      return got.length >= 3;
    }, 5000, 0);
    ok(same(got.map((m) => m.Body), [body, "batch one", "batch two"]), `bodies ${JSON.stringify(got.map((m) => m.Body))}`);
    const m = got.find((x) => x.Body === body);
    ok(m.MessageAttributes?.kind?.StringValue === "greeting" && m.MessageAttributes?.n?.DataType === "Number", `attributes ${JSON.stringify(m.MessageAttributes)}`);
    ok(m.Attributes?.ApproximateReceiveCount === "1" && /^\d+$/.test(m.Attributes?.SentTimestamp ?? ""), `system attributes ${JSON.stringify(m.Attributes)}`);
    const attrs = (await sqs.send(new Q.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes;
    ok(attrs.ApproximateNumberOfMessages === "0" && attrs.VisibilityTimeout === "5", `attributes after delete ${JSON.stringify(attrs)}`);
  });

  await check("sqs: ListQueues MaxResults 1 + NextToken", sqs, async () => {
    needs(created, "the queues");
    const ps = await pages(async (token) => {
      const out = await sqs.send(new Q.ListQueuesCommand({ QueueNamePrefix: name, MaxResults: 1, NextToken: token }));
      ok((out.QueueUrls ?? []).length <= 1, `MaxResults 1 answered ${out.QueueUrls?.length}`);
      return { urls: out.QueueUrls ?? [], token: out.NextToken };
    });
    const all = ps.flatMap((p) => p.urls);
    ok(same(all, urls) && dupes(all).length === 0, `paged listing ${all} vs ${urls}`);
    const viaPaginator = [];
    for await (const p of Q.paginateListQueues({ client: sqs, pageSize: 2 }, { QueueNamePrefix: name })) viaPaginator.push(...(p.QueueUrls ?? []));
    ok(same(viaPaginator, urls), `paginateListQueues ${viaPaginator}`);
  });

  await check("sqs: a missing queue -> QueueDoesNotExist (GetQueueUrl, SendMessage)", sqs, async () => {
    const codes = (e) => ok(e.Code === "AWS.SimpleQueueService.NonExistentQueue",
      `legacy code (X-Amzn-Query-Error) ${e.Code}, want AWS.SimpleQueueService.NonExistentQueue`);
    await expectError(sqs.send(new Q.GetQueueUrlCommand({ QueueName: `missing-${suffix}` })), "QueueDoesNotExist", codes);
    const missingUrl = new URL(`/${account}/missing-${suffix}`, endpoint).toString();
    await expectError(sqs.send(new Q.SendMessageCommand({ QueueUrl: missingUrl, MessageBody: "x" })), "QueueDoesNotExist", codes);
  });
}

// ------------------------------------------------------------ S3

const s3 = trace(new S.S3Client({ ...base, forcePathStyle: true }));

async function s3Checks() {
  const bucket = `js-${suffix}`;
  const keys = ["a.json", "dir/b c+d.json", "dir/e.json", "f/ü.txt", "g.txt"];
  const created = await check("s3: CreateBucket, HeadBucket", s3, async () => {
    await s3.send(new S.CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new S.HeadBucketCommand({ Bucket: bucket }));
  });

  await check("s3: PutObject (CRC32 by default), GetObject with checksum validation, HeadObject, ranged get", s3, async () => {
    needs(created, "the bucket");
    for (const k of keys) {
      const out = await s3.send(new S.PutObjectCommand({ Bucket: bucket, Key: k, Body: `{"key":"${k}"}`, ContentType: "application/json",
        Metadata: { source: "compat-js" } }));
      ok(/^"[0-9a-f]{32}"$/.test(out.ETag ?? ""), `ETag ${out.ETag}`);
    }
    const obj = await s3.send(new S.GetObjectCommand({ Bucket: bucket, Key: keys[1], ChecksumMode: "ENABLED" }));
    const got = await obj.Body.transformToString();
    ok(got === `{"key":"${keys[1]}"}`, `body ${got}`);
    ok(obj.Metadata?.source === "compat-js" && obj.ContentType === "application/json", `metadata ${JSON.stringify(obj.Metadata)} ${obj.ContentType}`);
    ok(obj.ChecksumCRC32, `no x-amz-checksum-crc32 in the answer (the SDK sent one with the PutObject)`);
    const head = await s3.send(new S.HeadObjectCommand({ Bucket: bucket, Key: keys[1] }));
    ok(head.ContentLength === got.length, `HeadObject length ${head.ContentLength}`);
    const part = await s3.send(new S.GetObjectCommand({ Bucket: bucket, Key: keys[0], Range: "bytes=1-5" }));
    const ps = await part.Body.transformToString();
    ok(ps === '"key"' && part.ContentRange === `bytes 1-5/${`{"key":"${keys[0]}"}`.length}`, `range ${ps} ${part.ContentRange}`);
  });

  await check("s3: PutObject of a stream (aws-chunked, trailing checksum), read back", s3, async () => {
    needs(created, "the bucket");
    const payload = Buffer.alloc(200_000, "sluice ");
    await s3.send(new S.PutObjectCommand({ Bucket: bucket, Key: "stream.bin", Body: Readable.from([payload.subarray(0, 70_000), payload.subarray(70_000)]),
      ContentLength: payload.length }));
    const obj = await s3.send(new S.GetObjectCommand({ Bucket: bucket, Key: "stream.bin", ChecksumMode: "ENABLED" }));
    const back = Buffer.from(await obj.Body.transformToByteArray());
    ok(back.equals(payload), `read back ${back.length} bytes, want ${payload.length} identical`);
  });

  // The SDK's defaults for multipart: a CRC32 per part, and the parts'
  // checksums in CompleteMultipartUpload (a composite checksum).
  await check("s3: multipart upload (CRC32 per part), DeleteObjects", s3, async () => {
    needs(created, "the bucket");
    const key = "multi.bin";
    const part = (n) => Buffer.alloc(5 << 20, String(n));
    const { UploadId } = await s3.send(new S.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: "CRC32" }));
    const parts = [];
    for (const n of [1, 2]) {
      const body = n === 1 ? part(1) : Buffer.from("tail");
      const out = await s3.send(new S.UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: body, ChecksumAlgorithm: "CRC32" }));
      ok(out.ETag && out.ChecksumCRC32, `UploadPart ${n}: ${JSON.stringify({ ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32 })}`);
      parts.push({ PartNumber: n, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32 });
    }
    const done = await s3.send(new S.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    ok(/-2"$/.test(done.ETag ?? ""), `multipart ETag ${done.ETag}`);
    const head = await s3.send(new S.HeadObjectCommand({ Bucket: bucket, Key: key }));
    ok(head.ContentLength === (5 << 20) + 4, `length ${head.ContentLength}`);
    const tail = await s3.send(new S.GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${5 << 20}-` }));
    ok((await tail.Body.transformToString()) === "tail", "the last part read back");
    const del = await s3.send(new S.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: key }, { Key: "never-there" }] } }));
    ok(!del.Errors?.length && same((del.Deleted ?? []).map((d) => d.Key), [key, "never-there"]), `DeleteObjects ${JSON.stringify(del)}`);
    await expectError(s3.send(new S.HeadObjectCommand({ Bucket: bucket, Key: key })), "NotFound");
  });

  await check("s3: ListObjectsV2 MaxKeys 2 + ContinuationToken, Delimiter", s3, async () => {
    needs(created, "the bucket");
    const ps = await pages(async (token) => {
      const out = await s3.send(new S.ListObjectsV2Command({ Bucket: bucket, MaxKeys: 2, ContinuationToken: token }));
      ok((out.Contents ?? []).length <= 2 && out.KeyCount === (out.Contents ?? []).length, `page of ${out.Contents?.length}, KeyCount ${out.KeyCount}`);
      ok(out.IsTruncated === Boolean(out.NextContinuationToken), `IsTruncated ${out.IsTruncated} with token ${out.NextContinuationToken}`);
      return { keys: (out.Contents ?? []).map((c) => c.Key), token: out.NextContinuationToken };
    });
    const all = ps.flatMap((p) => p.keys);
    const want = [...keys, "stream.bin"];
    ok(JSON.stringify(all) === JSON.stringify(sorted(want)), `paged keys ${JSON.stringify(all)}, want ${JSON.stringify(sorted(want))}`);
    const viaPaginator = [];
    for await (const p of S.paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket: bucket })) viaPaginator.push(...(p.Contents ?? []).map((c) => c.Key));
    ok(JSON.stringify(viaPaginator) === JSON.stringify(all), `paginateListObjectsV2 ${viaPaginator}`);
    const d = await s3.send(new S.ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
    ok(same((d.CommonPrefixes ?? []).map((p) => p.Prefix), ["dir/", "f/"]), `common prefixes ${JSON.stringify(d.CommonPrefixes)}`);
  });

  await check("s3: missing key -> NoSuchKey, missing bucket -> NoSuchBucket, HeadObject -> NotFound", s3, async () => {
    needs(created, "the bucket");
    await expectError(s3.send(new S.GetObjectCommand({ Bucket: bucket, Key: "missing" })), "NoSuchKey");
    await expectError(s3.send(new S.GetObjectCommand({ Bucket: `missing-${suffix}`, Key: "x" })), "NoSuchBucket");
    await expectError(s3.send(new S.ListObjectsV2Command({ Bucket: `missing-${suffix}` })), "NoSuchBucket");
    await expectError(s3.send(new S.HeadObjectCommand({ Bucket: bucket, Key: "missing" })), "NotFound");
  });
}

// ------------------------------------------------------------ CloudWatch

const cw = trace(new CW.CloudWatchClient(base));

async function cloudWatchChecks() {
  const ns = `JsCompat/${suffix}`;
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const minutes = [5, 4, 3, 2, 1].map((m) => new Date(now - m * 60_000));
  let put = false;

  put = await check("cloudwatch: PutMetricData (a series over 5 minutes, 520 metrics)", cw, async () => {
    await cw.send(new CW.PutMetricDataCommand({ Namespace: ns, MetricData: minutes.map((t, i) => ({
      MetricName: "Hits", Dimensions: [{ Name: "Stream", Value: "orders" }], Timestamp: t, Value: i + 1, Unit: "Count" })) }));
    // More than one ListMetrics page (500 a page on AWS).
    for (let c = 0; c < 4; c++) {
      await cw.send(new CW.PutMetricDataCommand({ Namespace: ns, MetricData: Array.from({ length: 130 }, (_, i) => ({
        MetricName: "Many", Dimensions: [{ Name: "N", Value: String(c * 130 + i) }], Value: 1 })) }));
    }
  });

  await check("cloudwatch: GetMetricStatistics Sum, GetMetricData MaxDatapoints 2 + NextToken", cw, async () => {
    needs(put, "the metrics PutMetricData writes");
    const st = await cw.send(new CW.GetMetricStatisticsCommand({ Namespace: ns, MetricName: "Hits", Dimensions: [{ Name: "Stream", Value: "orders" }],
      StartTime: new Date(now - 10 * 60_000), EndTime: new Date(now + 60_000), Period: 600, Statistics: ["Sum", "SampleCount"] }));
    const sum = st.Datapoints.reduce((s, d) => s + d.Sum, 0);
    ok(sum === 15, `Sum ${sum}, datapoints ${JSON.stringify(st.Datapoints)}`);
    ok(st.Datapoints.every((d) => d.Timestamp instanceof Date && !isNaN(d.Timestamp)), "datapoint timestamps");
    const ps = await pages(async (token) => {
      const out = await cw.send(new CW.GetMetricDataCommand({
        MetricDataQueries: [{ Id: "hits", MetricStat: { Metric: { Namespace: ns, MetricName: "Hits", Dimensions: [{ Name: "Stream", Value: "orders" }] },
          Period: 60, Stat: "Sum" } }],
        StartTime: new Date(now - 10 * 60_000), EndTime: new Date(now + 60_000), MaxDatapoints: 2, NextToken: token, ScanBy: "TimestampAscending" }));
      const r = out.MetricDataResults.find((x) => x.Id === "hits");
      ok(r && r.Values.length <= 2, `page of ${r?.Values?.length} values with MaxDatapoints 2`);
      return { values: r.Values, times: r.Timestamps, token: out.NextToken };
    });
    const values = ps.flatMap((p) => p.values);
    const times = ps.flatMap((p) => p.times.map((t) => t.getTime()));
    ok(JSON.stringify(values) === "[1,2,3,4,5]", `values over ${ps.length} pages ${JSON.stringify(values)}`);
    ok(JSON.stringify(times) === JSON.stringify(minutes.map((t) => t.getTime())), `timestamps ${times}`);
  });

  await check("cloudwatch: ListMetrics over two pages (NextToken)", cw, async () => {
    needs(put, "the metrics PutMetricData writes");
    const ps = await pages(async (token) => {
      const out = await cw.send(new CW.ListMetricsCommand({ Namespace: ns, NextToken: token }));
      return { metrics: out.Metrics ?? [], token: out.NextToken };
    });
    ok(ps.length >= 2, `${ps.length} page(s)`);
    const all = ps.flatMap((p) => p.metrics.map((m) => `${m.MetricName}/${m.Dimensions.map((d) => d.Value).join(",")}`));
    ok(all.length === 521 && dupes(all).length === 0, `${all.length} metrics (${dupes(all).length} duplicates), want 521`);
    const filtered = await cw.send(new CW.ListMetricsCommand({ Namespace: ns, MetricName: "Hits" }));
    ok(filtered.Metrics?.length === 1 && filtered.Metrics[0].Dimensions[0].Name === "Stream", `MetricName filter ${JSON.stringify(filtered.Metrics)}`);
  });

  // CloudWatch has no missing-resource error for metrics: a metric never
  // written reads as no datapoints; a bad token and a bad value are
  // modeled errors, which the SDK names by shape and, query-compatible,
  // also by legacy code.
  await check("cloudwatch: unknown metric -> no datapoints; bad NextToken -> InvalidNextToken; bad value -> InvalidParameterValueException", cw, async () => {
    const st = await cw.send(new CW.GetMetricStatisticsCommand({ Namespace: ns, MetricName: `missing-${suffix}`,
      StartTime: new Date(now - 600_000), EndTime: new Date(now), Period: 60, Statistics: ["Sum"] }));
    ok(Array.isArray(st.Datapoints) && st.Datapoints.length === 0, `datapoints ${JSON.stringify(st.Datapoints)}`);
    await expectError(cw.send(new CW.ListMetricsCommand({ Namespace: ns, NextToken: "not-a-token" })), "InvalidNextToken");
    await expectError(cw.send(new CW.GetMetricStatisticsCommand({ Namespace: ns, MetricName: "Hits",
      StartTime: new Date(now - 600_000), EndTime: new Date(now), Period: 7, Statistics: ["Sum"] })), "InvalidParameterValueException",
    (e) => ok(e.Code === "InvalidParameterValue", `legacy code (X-Amzn-Query-Error) ${e.Code}, want InvalidParameterValue`));
  });
}

// ------------------------------------------------------------ EventBridge

const events = trace(new EB.EventBridgeClient(base));

async function eventBridgeChecks() {
  const bus = `js-${suffix}`;
  const queue = `js-${suffix}-events`;
  let qurl;
  const rules = [`${bus}-r1`, `${bus}-r2`, `${bus}-r3`];
  const created = await check("eventbridge: CreateEventBus, PutRule x3, PutTargets (SQS), DescribeRule", events, async () => {
    await events.send(new EB.CreateEventBusCommand({ Name: bus }));
    qurl = (await sqs.send(new Q.CreateQueueCommand({ QueueName: queue }))).QueueUrl;
    for (const r of rules) {
      await events.send(new EB.PutRuleCommand({ Name: r, EventBusName: bus, EventPattern: JSON.stringify({ source: ["compat.js"], "detail-type": [r] }) }));
    }
    const t = await events.send(new EB.PutTargetsCommand({ Rule: rules[0], EventBusName: bus,
      Targets: [{ Id: "q", Arn: `arn:aws:sqs:${region}:${account}:${queue}` }] }));
    ok(t.FailedEntryCount === 0, `PutTargets ${JSON.stringify(t)}`);
    const d = await events.send(new EB.DescribeRuleCommand({ Name: rules[0], EventBusName: bus }));
    ok(d.State === "ENABLED" && d.Arn === `arn:aws:events:${region}:${account}:rule/${bus}/${rules[0]}`, `DescribeRule ${JSON.stringify(d)}`);
  });

  await check("eventbridge: PutEvents -> rule -> SQS target, received", events, async () => {
    needs(created, "the bus");
    const out = await events.send(new EB.PutEventsCommand({ Entries: [
      { EventBusName: bus, Source: "compat.js", DetailType: rules[0], Detail: JSON.stringify({ n: 1, s: "ü" }) },
      { EventBusName: bus, Source: "other", DetailType: rules[0], Detail: "{}" }] }));
    ok(out.FailedEntryCount === 0 && out.Entries.every((e) => e.EventId), `PutEvents ${JSON.stringify(out)}`);
    const got = await poll(async () => {
      const r = await sqs.send(new Q.ReceiveMessageCommand({ QueueUrl: qurl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
      return r.Messages?.length ? r.Messages : null;
    }, 8000, 0);
    ok(got?.length === 1, `messages at the target: ${JSON.stringify(got?.map((m) => m.Body))}`);
    const ev = JSON.parse(got[0].Body);
    ok(ev.source === "compat.js" && ev["detail-type"] === rules[0] && ev.detail?.s === "ü" && ev.id === out.Entries[0].EventId,
      `event ${got[0].Body}`);
  });

  await check("eventbridge: ListRules Limit 1 + NextToken", events, async () => {
    needs(created, "the rules");
    const ps = await pages(async (token) => {
      const out = await events.send(new EB.ListRulesCommand({ EventBusName: bus, Limit: 1, NextToken: token }));
      ok((out.Rules ?? []).length <= 1, `Limit 1 answered ${out.Rules?.length}`);
      return { names: (out.Rules ?? []).map((r) => r.Name), token: out.NextToken };
    });
    const all = ps.flatMap((p) => p.names);
    ok(same(all, rules) && dupes(all).length === 0, `paged rules ${all}`);
    // (ListRules has no paginator in the SDK: it is not modeled as paginated.)
  });

  await check("eventbridge: missing bus / rule -> ResourceNotFoundException", events, async () => {
    await expectError(events.send(new EB.DescribeEventBusCommand({ Name: `missing-${suffix}` })), "ResourceNotFoundException");
    await expectError(events.send(new EB.DescribeRuleCommand({ Name: "missing", EventBusName: bus })), "ResourceNotFoundException");
    await expectError(events.send(new EB.PutRuleCommand({ Name: "r", EventBusName: `missing-${suffix}`, EventPattern: '{"source":["x"]}' })), "ResourceNotFoundException");
  });
}

// ------------------------------------------------------------ Pipes

const pipes = trace(new P.PipesClient(base));

async function pipesChecks(kinesisUsable) {
  // The pipes' source stream and the record they carry are fixtures made
  // through Kinesis: with the default client when it connects, else over
  // HTTP/1.1, so that Pipes is checked on its own.
  const k = kinesisUsable ? kinesis : kinesis11;
  const how = kinesisUsable ? "" : " (stream fixture over HTTP/1.1: the default Kinesis client cannot connect)";
  const stream = `js-${suffix}-pipe-src`;
  const queue = `js-${suffix}-pipe-dst`;
  const names = [`js-${suffix}-p1`, `js-${suffix}-p2`, `js-${suffix}-p3`];
  const role = `arn:aws:iam::${account}:role/pipes`;
  let qurl;
  let streamArn;
  const created = await check(`pipes: CreatePipe x3 (Kinesis -> SQS), DescribePipe RUNNING${how}`, pipes, async () => {
    await k.send(new K.CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    streamArn = `arn:aws:kinesis:${region}:${account}:stream/${stream}`;
    qurl = (await sqs.send(new Q.CreateQueueCommand({ QueueName: queue }))).QueueUrl;
    for (const [i, n] of names.entries()) {
      const out = await pipes.send(new P.CreatePipeCommand({ Name: n, RoleArn: role, Source: streamArn,
        SourceParameters: { KinesisStreamParameters: { StartingPosition: "TRIM_HORIZON", BatchSize: 10 } },
        Target: `arn:aws:sqs:${region}:${account}:${queue}`,
        DesiredState: i === 0 ? "RUNNING" : "STOPPED" }));
      ok(out.Arn === `arn:aws:pipes:${region}:${account}:pipe/${n}` && out.Name === n, `CreatePipe ${JSON.stringify(out)}`);
    }
    const d = await poll(async () => {
      const d = await pipes.send(new P.DescribePipeCommand({ Name: names[0] }));
      return d.CurrentState === "RUNNING" ? d : null;
    }, 5000);
    ok(d, "pipe not RUNNING within 5 s");
    ok(d.Source === streamArn && d.SourceParameters?.KinesisStreamParameters?.BatchSize === 10 && d.CreationTime instanceof Date,
      `DescribePipe ${JSON.stringify(d)}`);
  });

  await check(`pipes: a record put on the source reaches the SQS target${how}`, pipes, async () => {
    needs(created, "the pipe");
    await k.send(new K.PutRecordCommand({ StreamName: stream, PartitionKey: "p", Data: new TextEncoder().encode('{"order":42}') }));
    const got = await poll(async () => {
      const r = await sqs.send(new Q.ReceiveMessageCommand({ QueueUrl: qurl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
      return r.Messages?.length ? r.Messages : null;
    }, 10_000, 0);
    ok(got?.length === 1, `messages at the target: ${JSON.stringify(got?.map((m) => m.Body))}`);
    const ev = JSON.parse(got[0].Body);
    ok(ev.eventSource === "aws:kinesis" && Buffer.from(ev.data, "base64").toString() === '{"order":42}' && ev.partitionKey === "p",
      `event ${got[0].Body}`);
  });

  await check("pipes: StopPipe, StartPipe, UpdatePipe", pipes, async () => {
    needs(created, "the pipe");
    const stop = await pipes.send(new P.StopPipeCommand({ Name: names[0] }));
    ok(["STOPPING", "STOPPED"].includes(stop.CurrentState) && stop.DesiredState === "STOPPED", `StopPipe ${JSON.stringify(stop)}`);
    const start = await pipes.send(new P.StartPipeCommand({ Name: names[1] }));
    ok(["STARTING", "RUNNING"].includes(start.CurrentState) && start.DesiredState === "RUNNING", `StartPipe ${JSON.stringify(start)}`);
    const up = await pipes.send(new P.UpdatePipeCommand({ Name: names[2], RoleArn: role, Description: "updated by compat.js" }));
    ok(up.Name === names[2], `UpdatePipe ${JSON.stringify(up)}`);
    const d = await pipes.send(new P.DescribePipeCommand({ Name: names[2] }));
    ok(d.Description === "updated by compat.js", `description ${d.Description}`);
  });

  await check("pipes: ListPipes Limit 1 + NextToken", pipes, async () => {
    needs(created, "the pipes");
    const ps = await pages(async (token) => {
      const out = await pipes.send(new P.ListPipesCommand({ NamePrefix: `js-${suffix}-p`, Limit: 1, NextToken: token }));
      ok((out.Pipes ?? []).length <= 1, `Limit 1 answered ${out.Pipes?.length}`);
      return { names: (out.Pipes ?? []).map((p) => p.Name), token: out.NextToken };
    });
    const all = ps.flatMap((p) => p.names);
    ok(same(all, names) && dupes(all).length === 0, `paged pipes ${all}`);
    const viaPaginator = [];
    for await (const p of P.paginateListPipes({ client: pipes, pageSize: 2 }, { NamePrefix: `js-${suffix}-p` })) viaPaginator.push(...p.Pipes.map((x) => x.Name));
    ok(same(viaPaginator, names), `paginateListPipes ${viaPaginator}`);
  });

  await check("pipes: missing pipe -> NotFoundException (DescribePipe, StartPipe, DeletePipe)", pipes, async () => {
    await expectError(pipes.send(new P.DescribePipeCommand({ Name: `missing-${suffix}` })), "NotFoundException");
    await expectError(pipes.send(new P.StartPipeCommand({ Name: `missing-${suffix}` })), "NotFoundException");
    await expectError(pipes.send(new P.DeletePipeCommand({ Name: `missing-${suffix}` })), "NotFoundException");
  });

  if (created) {
    await check("pipes: DeletePipe", pipes, async () => {
      for (const n of names) await pipes.send(new P.DeletePipeCommand({ Name: n }));
      await poll(async () => {
        const out = await pipes.send(new P.ListPipesCommand({ NamePrefix: `js-${suffix}-p` }));
        return (out.Pipes ?? []).length === 0;
      }, 5000);
      await expectError(pipes.send(new P.DescribePipeCommand({ Name: names[0] })), "NotFoundException");
    });
  }
}

// ------------------------------------------------------------ main

function sdkVersion() {
  try {
    return JSON.parse(readFileSync(new URL("./node_modules/@aws-sdk/client-kinesis/package.json", import.meta.url), "utf8")).version;
  } catch {
    return "?";
  }
}

const t0 = Date.now();
const probe = await probeH2c();
h2cServed = probe.served;
console.log(`h2c probe (HTTP/2 prior knowledge over http://, what the default Kinesis client speaks): ${probe.served ? "served" : "NOT served"} (${probe.detail})`);

const kinesisFailedBefore = failed;
await kinesisChecks(kinesis, { h2c: true });
const kinesisFailed = failed - kinesisFailedBefore;
let kinesisUsable = kinesisFailed === 0;
if (!kinesisUsable && !h2cServed) {
  console.log("-- Kinesis again over HTTP/1.1 (diagnostic, not counted): what the checks meet once the engine serves h2c");
  await kinesisChecks(kinesis11, { diag: true });
} else if (!kinesisUsable) {
  kinesisUsable = true; // h2c works: the failures above are not the transport's
}
await sqsChecks();
await s3Checks();
await cloudWatchChecks();
await eventBridgeChecks();
await pipesChecks(kinesisUsable);

console.log(`js sdk compat: ${passed} passed, ${failed} failed (@aws-sdk/client-* ${sdkVersion()}, node ${process.version}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
for (const c of [kinesis, kinesis11, sqs, s3, cw, events, pipes]) c.destroy();
process.exit(failed ? 1 : 0);
