// SPDX-License-Identifier: Apache-2.0
// The sharp side of compare.sh: the same four outputs libpindeck makes (DESIGN §4), from the same
// files, the way a sharp user writes it: one pipeline per output, all four in flight at once.
//
//   NODE_PATH=<folder with sharp> node sharp_derive.cjs [--jobs N] [--repeat R] [--concurrency C]
//                                                     [--out DIR] FILE...
//
// --concurrency C calls sharp.concurrency(C) (libvips threads per pipeline; 0 = one per core);
// without it sharp keeps its default. Prints "sharp<tab>VERSION<tab>libvips VERSION<tab>
// concurrency C" (what was loaded and used), one line per file made ("FILE<tab>MS ms", timed from
// the bytes in memory to the four encoded outputs), then the total.
const { readFile, writeFile, mkdir } = require('node:fs/promises');
const path = require('node:path');
const sharp = require('sharp');

const args = process.argv.slice(2);
let jobs = 1;
let repeat = 1;
let outDir = null;
let concurrency = null;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jobs') jobs = Number(args[++i]);
  else if (args[i] === '--repeat') repeat = Number(args[++i]);
  else if (args[i] === '--concurrency') concurrency = Number(args[++i]);
  else if (args[i] === '--out') outDir = args[++i];
  else files.push(args[i]);
}

// The settings of libpindeck's set (DESIGN §4): sharp's defaults, effort 2 for the large output.
const WEBP_SIZES = [['small', 320, 4], ['medium', 768, 4], ['large', 1280, 2]];

function encodePreview(pipeline, format) {
  if (format === 'jpeg') return [pipeline.jpeg({ quality: 80 }), 'jpg'];
  if (format === 'png') return [pipeline.png(), 'png'];
  return [pipeline.webp({ quality: 80 }), 'webp'];
}

async function deriveOne(file, input) {
  const started = process.hrtime.bigint();
  const { format, pages } = await sharp(input).metadata();
  const animated = (format === 'gif' || format === 'webp') && pages > 1;
  const resized = (width) =>
    sharp(input, { animated }).rotate().resize({ width, withoutEnlargement: true });
  const [preview, previewExt] = encodePreview(resized(640), format);
  const pending = [preview.toBuffer().then((b) => ['preview', previewExt, b])];
  for (const [name, width, effort] of WEBP_SIZES) {
    pending.push(resized(width).webp({ quality: 80, effort }).toBuffer()
      .then((b) => [name, 'webp', b]));
  }
  const outputs = await Promise.all(pending);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${file}\t${ms.toFixed(1)} ms`);
  if (outDir) {
    const stem = path.parse(file).name;
    for (const [name, ext, bytes] of outputs) await writeFile(path.join(outDir, `${stem}-${name}.${ext}`), bytes);
  }
}

async function main() {
  if (concurrency !== null) sharp.concurrency(concurrency);
  console.log(`sharp\t${sharp.versions.sharp}\tlibvips ${sharp.versions.vips}\tconcurrency ${sharp.concurrency()}`);
  if (outDir) await mkdir(outDir, { recursive: true });
  const inputs = await Promise.all(files.map((f) => readFile(f)));
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < files.length * repeat) {
      const f = next++ % files.length;
      await deriveOne(files[f], inputs[f]);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  console.log(`total\t${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
