// SPDX-License-Identifier: Apache-2.0
// probe, derive and palette, from paths and from bytes.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { pindeck, images } = require('./helpers');

test('probe reads format and size from a path or bytes', async () => {
  const fromPath = await pindeck.probe(images.png);
  assert.equal(fromPath.format, 'png');
  assert.equal(fromPath.contentType, 'image/png');
  assert.equal(fromPath.width, 3840);
  assert.equal(fromPath.height, 2160);
  const fromBytes = await pindeck.probe(fs.readFileSync(images.jpeg));
  assert.deepEqual([fromBytes.format, fromBytes.width, fromBytes.height], ['jpeg', 5120, 2880]);
  await assert.rejects(pindeck.probe('/nonexistent/x.png'), { code: 'not_found' });
});

test('derive makes the preview and the 320/768/1280 WebP set with their bytes and the palette',
  async () => {
    const result = await pindeck.derive(fs.readFileSync(images.jpeg));
    assert.equal(result.source.width, 5120);
    assert.deepEqual(result.outputs.map((o) => o.role), ['preview', 'small', 'medium', 'large']);
    for (const output of result.outputs) {
      assert.ok(Buffer.isBuffer(output.data));
      assert.equal(output.data.length, output.size);
      if (output.contentType === 'image/webp') {
        assert.equal(output.data.subarray(8, 12).toString('latin1'), 'WEBP');
      } else {
        assert.equal(output.contentType, 'image/jpeg', 'the preview keeps a JPEG a JPEG');
        assert.equal(output.data.readUInt16BE(0), 0xffd8);
      }
    }
    assert.deepEqual(result.outputs.slice(1).map((o) => o.width), [320, 768, 1280]);
    assert.ok(result.colors.length > 0);
    const withoutPalette = await pindeck.derive(images.webp, { palette: false });
    assert.equal(withoutPalette.colors, null);
    await assert.rejects(pindeck.derive(images.webp, { pallete: false }),
      { code: 'invalid', message: /pallete/ });
  });

test('palette gives up to five #rrggbb, the same from a path and from bytes', async () => {
  const colors = await pindeck.palette(images.png);
  assert.ok(colors.length >= 1 && colors.length <= 5);
  for (const color of colors) assert.match(color, /^#[0-9a-f]{6}$/);
  assert.deepEqual(await pindeck.palette(fs.readFileSync(images.png)), colors);
  await assert.rejects(pindeck.palette(Buffer.from('no image')), { code: 'media' });
});
