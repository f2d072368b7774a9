// SPDX-License-Identifier: Apache-2.0
// The job libpindeck's pipeline does, done the usual Node way: for each image, hash the bytes,
// make the 640 preview (original format) and the 320/768/1280 WebP derivatives with sharp, take
// the 160x160 palette sample, and upload the original and the four derivatives with
// @aws-sdk/client-s3, `inFlight` images at a time.
//
//   node persist.mjs [--concurrency C] IN_FLIGHT ROUNDS FILE...
// --concurrency C calls sharp.concurrency(C) (libvips threads per pipeline); without it sharp
// keeps its default. Endpoint and keys from S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY,
// S3_BUCKET. Prints one JSON line: {"peer":"node-sharp","sharp":..,"vips":..,"concurrency":..,
// "inFlight":..,"images":..,"seconds":..,"imagesPerSecond":..,"maxRssKiB":..}
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';

const args = process.argv.slice(2);
if (args[0] === '--concurrency') sharp.concurrency(Number(args.splice(0, 2)[1]));
const [inFlightArg, roundsArg, ...files] = args;
const inFlight = Number(inFlightArg);
const rounds = Number(roundsArg);
const bucket = process.env.S3_BUCKET;
const client = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: process.env.S3_REGION || 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: process.env.S3_ACCESS_KEY, secretAccessKey: process.env.S3_SECRET_KEY },
});

const formats = { jpeg: ['jpg', 'image/jpeg'], png: ['png', 'image/png'], webp: ['webp', 'image/webp'] };

async function persist(file, n) {
  const bytes = await readFile(file);
  createHash('sha256').update(bytes).digest('hex');
  const image = sharp(bytes, { failOn: 'truncated' }).rotate();
  const meta = await image.metadata();
  const [ext, type] = formats[meta.format] || ['webp', 'image/webp'];
  const stem = `${basename(file, extname(file))}-${Date.now().toString(36)}-${n}`;
  const prefix = `node-bench/${stem}`;
  const preview = image.clone().resize({ width: 640, withoutEnlargement: true });
  const previewBytes = await (ext === 'jpg' ? preview.jpeg({ quality: 80 })
    : ext === 'png' ? preview.png() : preview.webp({ quality: 80 })).toBuffer();
  // libpindeck's settings (DESIGN §4): sharp's defaults, effort 2 for the large output.
  const webp = await Promise.all([[320, 4], [768, 4], [1280, 2]].map(([width, effort]) =>
    image.clone().resize({ width, withoutEnlargement: true }).webp({ quality: 80, effort })
      .toBuffer()));
  await image.clone().resize(160, 160, { fit: 'inside' }).removeAlpha().raw().toBuffer();
  const put = (key, body, contentType) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  await put(`${prefix}/original.${ext}`, bytes, meta.format ? `image/${meta.format}` : 'application/octet-stream');
  await put(`${prefix}/preview.${ext}`, previewBytes, type);
  await Promise.all(webp.map((body, i) => put(`${prefix}/w${[320, 768, 1280][i]}.webp`, body, 'image/webp')));
}

const queue = [];
for (let r = 0; r < rounds; r++) queue.push(...files);
let next = 0;
const start = process.hrtime.bigint();
await Promise.all(Array.from({ length: inFlight }, async () => {
  while (next < queue.length) {
    const n = next++;
    await persist(queue[n], n);
  }
}));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({
  peer: 'node-sharp', sharp: sharp.versions.sharp, vips: sharp.versions.vips,
  concurrency: sharp.concurrency(), inFlight, images: queue.length, seconds,
  imagesPerSecond: queue.length / seconds, maxRssKiB: process.resourceUsage().maxRSS,
}));
