// The AWS SDK for JavaScript v3 against sluice's S3 API: node client_s3.mjs ENDPOINT.
// A stream body makes the SDK send aws-chunked with a CRC32 trailer, even over HTTP.
import { createRequire } from "node:module";
import { Readable } from "node:stream";

const require = createRequire(process.env.SLUICE_NODE_PEERS + "/");
const s3sdk = require("@aws-sdk/client-s3");
const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand,
        ListObjectsV2Command, DeleteObjectCommand, HeadObjectCommand } = s3sdk;

const s3 = new S3Client({ endpoint: process.argv[2], region: "us-east-1", forcePathStyle: true });
const out = (...a) => console.log(a.join(" "));

await s3.send(new CreateBucketCommand({ Bucket: "jsb" }));
await s3.send(new PutObjectCommand({ Bucket: "jsb", Key: "buffer.txt", Body: Buffer.from("from a buffer") }));
const big = Buffer.alloc(3 * 1024 * 1024 + 5, "s");
await s3.send(new PutObjectCommand({
  Bucket: "jsb", Key: "dir/stream ü.bin", Body: Readable.from([big]), ContentLength: big.length,
  ChecksumAlgorithm: "CRC32" }));
const got = await s3.send(new GetObjectCommand({ Bucket: "jsb", Key: "buffer.txt" }));
out("buffer", await got.Body.transformToString());
const streamed = await s3.send(new GetObjectCommand({ Bucket: "jsb", Key: "dir/stream ü.bin", ChecksumMode: "ENABLED" }));
const bytes = Buffer.from(await streamed.Body.transformToByteArray());
out("stream", bytes.length, bytes.equals(big), streamed.ChecksumCRC32 ? "crc32" : "no-crc32");
const list = await s3.send(new ListObjectsV2Command({ Bucket: "jsb" }));
out("list", list.Contents.map((o) => o.Key).join(","));
await s3.send(new DeleteObjectCommand({ Bucket: "jsb", Key: "buffer.txt" }));
try {
  await s3.send(new HeadObjectCommand({ Bucket: "jsb", Key: "buffer.txt" }));
  out("head", "still there");
} catch (e) {
  out("head", e.name);
}
