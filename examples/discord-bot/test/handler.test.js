// SPDX-License-Identifier: Apache-2.0
// Drives the handler with recorded gateway payloads (test/payloads: MESSAGE_REACTION_ADD and
// INTERACTION_CREATE dispatches, and the message objects Discord's REST API returns for them),
// against a real pindeck client whose Discord source fetches the images from a local HTTP server.
// Discord itself is the one thing replaced: its REST calls are recorded, never sent.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');

const { handlerConfig, pindeckPackagePath } = require('../config');
const { createHandler, EPHEMERAL } = require('../handler');

const PAYLOADS = path.join(__dirname, 'payloads');
const IMAGES = path.join(__dirname, '..', '..', '..', 'tests', 'data', 'images');
// The hosts the recorded payloads' images live on; the test serves them all from loopback.
const RECORDED_ORIGINS = ['https://cdn.discordapp.com', 'https://media.discordapp.net', 'https://images.example-art.net'];
const PERSIST_TIMEOUT_MS = 180_000; // derivatives of 5120x2880 images on a busy machine

const { Client } = require(pindeckPackagePath());

function serveImages() {
  const types = { '.jpg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };
  const server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url, 'http://localhost').pathname);
    const file = path.join(IMAGES, name);
    if (!types[path.extname(name)] || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(name)], 'content-length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function loadPayloads(origin) {
  const payloads = {};
  for (const file of fs.readdirSync(PAYLOADS)) {
    let text = fs.readFileSync(path.join(PAYLOADS, file), 'utf8');
    for (const recorded of RECORDED_ORIGINS) text = text.replaceAll(recorded, origin);
    payloads[path.basename(file, '.json')] = JSON.parse(text);
  }
  return payloads;
}

// Discord's REST API as the handler sees it: messages from the recorded ones, every call recorded.
function recordedDiscord(payloads) {
  const messages = new Map(
    Object.entries(payloads)
      .filter(([name]) => name.startsWith('message-'))
      .map(([, message]) => [message.id, message]),
  );
  const calls = [];
  const waiters = [];
  const record = (call) => {
    calls.push(call);
    for (const waiter of waiters.filter((w) => w.match(call))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(call);
    }
  };
  return {
    calls,
    async fetchMessage(channelId, messageId) {
      record({ kind: 'fetchMessage', channelId, messageId });
      const message = messages.get(messageId);
      if (!message || message.channel_id !== channelId) throw new Error('Unknown Message');
      return structuredClone(message);
    },
    async sendMessage(channelId, body) {
      record({ kind: 'sendMessage', channelId, body });
    },
    async deferReply(interaction) {
      record({ kind: 'deferReply', interactionId: interaction.id });
    },
    async editReply(interaction, body) {
      record({ kind: 'editReply', interactionId: interaction.id, body });
    },
    async followUp(interaction, body) {
      record({ kind: 'followUp', interactionId: interaction.id, body });
    },
    // The first call `match` accepts, already made or still to come.
    waitFor(match, what) {
      const made = calls.find(match);
      if (made) return Promise.resolve(made);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within ${PERSIST_TIMEOUT_MS} ms`)), PERSIST_TIMEOUT_MS);
        waiters.push({ match, resolve: (call) => (clearTimeout(timer), resolve(call)) });
      });
    },
  };
}

const isUpdate = (call) => call.kind === 'sendMessage' && /^Persist/.test(call.body.content);

// The externalId Pindeck's bot gives an image: SHA-256 of the URL's host (no port) and path.
function externalId(owner, guildId, url) {
  const { hostname, pathname } = new URL(url);
  const digest = crypto.createHash('sha256').update(`${hostname}${pathname}`.toLowerCase()).digest('hex');
  return `discord:url:${owner}:${guildId}:${digest.slice(0, 20)}`;
}

async function discordRecords(client) {
  const { records } = await client.list({ sourceType: 'discord', limit: 1000 });
  return records;
}

describe('discord bot handler', () => {
  let server;
  let payloads;
  let client;
  let dataDir;

  before(async () => {
    server = await serveImages();
    payloads = loadPayloads(`http://127.0.0.1:${server.address().port}`);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pindeck-discord-bot-'));
    client = await Client.open(dataDir);
    client.setFetchSettings({ allowPrivateNetwork: true });
    // No "s3": the embedded object store in the data directory, whatever the environment says.
    await client.startPersistence({ pollIntervalMs: 50 });
  });

  after(async () => {
    await client?.close();
    server?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function setup(t, env = {}) {
    const discord = recordedDiscord(payloads);
    const errors = [];
    const handler = createHandler({ client, config: handlerConfig(env), discord, log: { error: (m) => errors.push(m) } });
    t.after(() => handler.stop());
    return { discord, handler, errors };
  }

  test('a 📌 on a message with an attachment imports it, replies, then reports it stored', async (t) => {
    const { discord, handler, errors } = setup(t, { PINDECK_USER_ID: 'owner-7' });
    const reaction = payloads['reaction-attachment'].d;
    const message = payloads['message-attachment'];

    await handler.onReactionAdd(reaction);

    const records = await discordRecords(client);
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record.title, 'Golden hour over the canal');
    assert.equal(record.uploadedBy, 'owner-7');
    assert.equal(record.externalId, externalId('owner-7', reaction.guild_id, message.attachments[0].url));
    assert.equal(record.sourceUrl, `https://discord.com/channels/${reaction.guild_id}/${message.channel_id}/${message.id}`);
    assert.deepEqual([...record.tags].sort(), ['discord', 'imported', 'original']);

    const reply = discord.calls.find((c) => c.kind === 'sendMessage');
    assert.equal(reply.channelId, message.channel_id);
    assert.equal(
      reply.body.content,
      `Imported 1 image(s) from message ${message.id} into Pindeck for <@${reaction.user_id}>.\n` +
        `• "Golden hour over the canal" (\`${record.id}\`) — waiting for persistence`,
    );
    assert.equal(reply.body.message_reference.message_id, message.id);
    assert.deepEqual(reply.body.allowed_mentions, { parse: [], users: [reaction.user_id], replied_user: false });

    const update = await discord.waitFor(isUpdate, 'persistence update');
    assert.equal(update.channelId, message.channel_id);
    assert.equal(
      update.body.content,
      `Persisted the 1 image(s) imported from message ${message.id}.\n✅ "Golden hour over the canal" (\`${record.id}\`) stored.`,
    );
    assert.equal((await client.get(record.id)).storagePersistStatus, 'succeeded');
    assert.deepEqual(errors, []);
  });

  test('an embed image is imported with the embed title, source and sref', async (t) => {
    const { discord, handler } = setup(t);
    const message = payloads['message-embed'];
    const before = await discordRecords(client);

    await handler.onReactionAdd(payloads['reaction-embed'].d);

    const added = (await discordRecords(client)).filter((r) => !before.some((b) => b.id === r.id));
    assert.equal(added.length, 1);
    const [record] = added;
    assert.equal(record.title, 'Volna — the long wave');
    assert.equal(record.sourceUrl, 'https://www.example-art.net/posts/volna');
    assert.equal(record.sref, '2198764433');
    assert.ok(record.tags.includes('sref:2198764433'));
    assert.match(record.externalId, /^discord:url:unknown:\d+:[0-9a-f]{20}$/);
    const reply = discord.calls.find((c) => c.kind === 'sendMessage');
    assert.match(reply.body.content, new RegExp(`^Imported 1 image\\(s\\) from message ${message.id} into Pindeck for <@\\d+>\\. sref: 2198764433\\.\\n`));
    await discord.waitFor(isUpdate, 'persistence update');
  });

  test('several images come in up to maxImages, the text attachment is left out', async (t) => {
    const { discord, handler } = setup(t, { DISCORD_INGEST_MAX_IMAGES_PER_POST: '4' });
    const message = payloads['message-several'];
    const before = await discordRecords(client);

    await handler.onReactionAdd(payloads['reaction-several'].d);

    const added = (await discordRecords(client)).filter((r) => !before.some((b) => b.id === r.id));
    const images = message.attachments.filter((a) => a.content_type.startsWith('image/'));
    assert.deepEqual(
      added.map((r) => r.externalId).sort(),
      images.map((a) => externalId('unknown', payloads['reaction-several'].d.guild_id, a.url)).sort(),
    );
    assert.ok(added.every((r) => r.title === 'references for the title sequence'));
    const reply = discord.calls.find((c) => c.kind === 'sendMessage');
    assert.match(reply.body.content, new RegExp(`^Imported 3 image\\(s\\) from message ${message.id} `));
    assert.equal(reply.body.content.split('\n').length, 4);
    const update = await discord.waitFor(isUpdate, 'persistence update');
    assert.equal(update.body.content.split('\n').filter((line) => line.startsWith('✅')).length, 3);
  });

  test('a message without an image, or another emoji, does nothing', async (t) => {
    const { discord, handler, errors } = setup(t);
    const before = await discordRecords(client);

    await handler.onReactionAdd(payloads['reaction-text'].d);
    await handler.onReactionAdd(payloads['reaction-other-emoji'].d);

    assert.deepEqual((await discordRecords(client)).length, before.length);
    // The 📌 made the handler read the message; the 👍 did not even do that.
    assert.deepEqual(
      discord.calls.map((c) => c.kind + ':' + c.messageId),
      [`fetchMessage:${payloads['reaction-text'].d.message_id}`],
    );
    assert.deepEqual(errors, []);
  });

  test('a reaction in a DM imports with the dm externalId and a DM permalink', async (t) => {
    const { discord, handler } = setup(t);
    const reaction = payloads['reaction-dm'].d;
    const message = payloads['message-dm'];
    assert.equal(reaction.guild_id, undefined);
    const before = await discordRecords(client);

    await handler.onReactionAdd(reaction);

    const added = (await discordRecords(client)).filter((r) => !before.some((b) => b.id === r.id));
    assert.equal(added.length, 1);
    assert.equal(added[0].externalId, externalId('unknown', 'dm', message.attachments[0].url));
    assert.equal(added[0].sourceUrl, `https://discord.com/channels/@me/${message.channel_id}/${message.id}`);
    const reply = discord.calls.find((c) => c.kind === 'sendMessage');
    assert.equal(reply.channelId, message.channel_id);
    await discord.waitFor(isUpdate, 'persistence update');
  });

  test('reactions from elsewhere than the allowed guilds, or in DMs when off, do nothing', async (t) => {
    const { discord, handler } = setup(t, { DISCORD_ALLOWED_GUILDS: '1187000000000000001', DISCORD_ALLOW_DMS: '0' });
    const before = await discordRecords(client);

    await handler.onReactionAdd(payloads['reaction-attachment'].d);
    await handler.onReactionAdd(payloads['reaction-dm'].d);

    assert.equal((await discordRecords(client)).length, before.length);
    assert.deepEqual(discord.calls, []);
  });

  test('/pindeck import <link> of a message already imported says so, ephemeral', async (t) => {
    const { discord, handler } = setup(t);
    const interaction = payloads['interaction-import'].d;
    const linked = payloads['message-embed'];
    const before = await discordRecords(client);

    await handler.onInteraction(interaction);

    assert.equal((await discordRecords(client)).length, before.length);
    const record = before.find((r) => r.title === 'Volna — the long wave');
    assert.deepEqual(
      discord.calls.map((c) => c.kind),
      ['deferReply', 'fetchMessage', 'editReply'],
    );
    assert.equal(discord.calls[1].messageId, linked.id);
    assert.equal(
      discord.calls[2].body.content,
      `1 image(s) from message ${linked.id} already in Pindeck. sref: 2198764433.\n` +
        `• "Volna — the long wave" (\`${record.id}\`) — already there`,
    );
  });

  test('/pindeck import with a bad link, or a message Discord does not have, answers why', async (t) => {
    const { discord, handler } = setup(t);
    const interaction = payloads['interaction-import'].d;
    const withLink = (value) => {
      const copy = structuredClone(interaction);
      copy.data.options[0].options[0].value = value;
      return copy;
    };

    await handler.onInteraction(withLink('https://example.com/not/a/message'));
    await handler.onInteraction(withLink(`https://discord.com/channels/${interaction.guild_id}/${interaction.channel_id}/1187032286101635999`));

    const replies = discord.calls.filter((c) => c.kind === 'editReply').map((c) => c.body.content);
    assert.deepEqual(replies, [
      'Invalid message_link. Use a full Discord message URL.',
      'Import failed: could not fetch that message (Unknown Message).',
    ]);
  });

  test('/pindeck import of a new message replies, then follows up when persistence fails', async (t) => {
    // A second library whose object store refuses connections: persistence fails for real.
    const closed = await new Promise((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
    const failingDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pindeck-discord-bot-failing-'));
    const failing = await Client.open(failingDir);
    t.after(async () => {
      await failing.close();
      fs.rmSync(failingDir, { recursive: true, force: true });
    });
    failing.setFetchSettings({ allowPrivateNetwork: true });
    await failing.startPersistence({
      s3: { endpoint: `http://127.0.0.1:${closed}`, region: 'us-east-1', accessKey: 'AKIDTEST', secretKey: 'secret-never-shown' },
      maxAttempts: 1,
      pollIntervalMs: 50,
    });
    const discord = recordedDiscord(payloads);
    const handler = createHandler({ client: failing, config: handlerConfig({}), discord, log: { error: () => {} } });
    t.after(() => handler.stop());
    const interaction = payloads['interaction-import'].d;

    await handler.onInteraction(interaction);

    const reply = discord.calls.find((c) => c.kind === 'editReply');
    assert.match(reply.body.content, /^Imported 1 image\(s\) from message \d+ into Pindeck for <@\d+>\. sref: 2198764433\./);
    const followUp = await discord.waitFor((c) => c.kind === 'followUp', 'persistence follow-up');
    assert.equal(followUp.body.flags, EPHEMERAL);
    assert.match(followUp.body.content, /^Persistence failed for 1 of the 1 image\(s\) imported from message \d+\.\n⚠️ "Volna — the long wave" \(`[^`]+`\) could not be stored: ./);
    assert.doesNotMatch(followUp.body.content, /secret-never-shown/);
    const [record] = await discordRecords(failing);
    assert.equal(record.storagePersistStatus, 'failed');
  });
});
