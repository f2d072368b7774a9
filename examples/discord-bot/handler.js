// SPDX-License-Identifier: Apache-2.0
// What the bot does, apart from talking to Discord: given the raw gateway payload of a reaction or
// of a slash command, it fetches the message through `discord`, imports its images with the
// pindeck client's Discord source, and sends the replies Pindeck's own bot sends, then one update
// per import once persistence has succeeded or failed for every record it created.
//
// `discord` is an object of small functions bot.js implements over Discord's REST API (the test
// records their calls instead):
//   fetchMessage(channelId, messageId) -> Promise<message object>  (GET /channels/{c}/messages/{m})
//   sendMessage(channelId, body)                                   (POST /channels/{c}/messages)
//   deferReply(interaction)            acknowledges a command within Discord's 3 seconds, ephemeral
//   editReply(interaction, body)       replaces the deferred reply
//   followUp(interaction, body)        a further ephemeral message (valid for 15 minutes)
'use strict';

const COMMAND_TYPE = { SUB_COMMAND: 1, STRING: 3 };
const APPLICATION_COMMAND = 2; // an interaction's type for a slash command
const EPHEMERAL = 1 << 6;
const CONTENT_LIMIT = 2000; // Discord refuses longer message content

// The slash command, as registered with Discord (PUT /applications/{id}/commands).
const COMMANDS = [
  {
    name: 'pindeck',
    description: 'Pindeck image library',
    options: [
      {
        type: COMMAND_TYPE.SUB_COMMAND,
        name: 'import',
        description: 'Import the images of a Discord message into Pindeck',
        options: [
          {
            type: COMMAND_TYPE.STRING,
            name: 'message_link',
            description: 'The message link (Copy Message Link on the message)',
            required: true,
          },
        ],
      },
    ],
  },
];

const MESSAGE_LINK = /^<?https:\/\/(?:(?:canary|ptb)\.)?discord(?:app)?\.com\/channels\/(\d+|@me)\/(\d+)\/(\d+)\/?>?$/;

// Keyboards and clients differ in whether an emoji carries the variation selector U+FE0F.
function bareEmoji(text) {
  return text.replace(/\uFE0F/g, '');
}

// How a configured trigger is compared with a reaction's emoji: custom emoji (<:name:id>, or the
// bare id) by id, since they can be renamed; unicode emoji by their text.
function triggerKey(spec) {
  const custom = spec.match(/^<a?:\w+:(\d+)>$/) ?? spec.match(/^(\d{17,20})$/);
  return custom ? `id:${custom[1]}` : `name:${bareEmoji(spec)}`;
}

function reactionKey(emoji) {
  return emoji?.id ? `id:${emoji.id}` : `name:${bareEmoji(emoji?.name ?? '')}`;
}

function parseMessageLink(link) {
  const match = MESSAGE_LINK.exec(String(link ?? '').trim());
  if (!match) return null;
  return { guildId: match[1] === '@me' ? null : match[1], channelId: match[2], messageId: match[3] };
}

function clip(text) {
  return text.length <= CONTENT_LIMIT ? text : `${text.slice(0, CONTENT_LIMIT - 1)}…`;
}

function quoted(record) {
  return `"${record.title}" (\`${record.id}\`)`;
}

// The reply to an import: one sentence as Pindeck's bot words it, then a line per image.
function importSummary(messageId, results, actorId) {
  const created = results.filter((r) => r.created === true);
  const existing = results.filter((r) => r.created === false);
  const failed = results.filter((r) => r.error);
  const sref = results.find((r) => r.record?.sref)?.record.sref;
  const head = [];
  if (created.length > 0) {
    head.push(`Imported ${created.length} image(s) from message ${messageId} into Pindeck${actorId ? ` for <@${actorId}>` : ''}.`);
  }
  if (existing.length > 0) head.push(`${existing.length} image(s) from message ${messageId} already in Pindeck.`);
  if (failed.length > 0) head.push(`${failed.length} image(s) failed.`);
  if (sref && failed.length < results.length) head.push(`sref: ${sref}.`);
  const lines = results.map((r) => {
    if (r.error) return `• <${r.imageUrl}> failed: ${r.error.message}`; // <>: no link preview
    return `• ${quoted(r.record)}${r.created ? ' — waiting for persistence' : ' — already there'}`;
  });
  return clip([head.join(' '), ...lines].join('\n'));
}

function persistenceSummary(batch) {
  const lines = batch.settled.map(({ record, status, error }) =>
    status === 'succeeded' ? `✅ ${quoted(record)} stored.` : `⚠️ ${quoted(record)} could not be stored: ${error}`,
  );
  const failures = batch.settled.filter((s) => s.status === 'failed').length;
  const head = failures === 0
    ? `Persisted the ${batch.settled.length} image(s) imported from message ${batch.messageId}.`
    : `Persistence failed for ${failures} of the ${batch.settled.length} image(s) imported from message ${batch.messageId}.`;
  return clip([head, ...lines].join('\n'));
}

function createHandler({ client, config, discord, log = console }) {
  const triggers = new Set(config.emojis.map(triggerKey));
  // Record id -> the import it belongs to, until its persistence succeeds or fails.
  const watched = new Map();

  function allowed(guildId) {
    if (!guildId) return config.allowDms;
    return config.allowedGuilds.length === 0 || config.allowedGuilds.includes(guildId);
  }

  function ingestOptions() {
    const options = { maxImages: config.maxImages, defaultTags: config.defaultTags };
    if (config.owner) options.owner = config.owner;
    return options;
  }

  async function settle(id, status, error) {
    const batch = watched.get(id);
    if (!batch || (status !== 'succeeded' && status !== 'failed')) return;
    watched.delete(id);
    batch.settled.push({ record: batch.records.get(id), status, error });
    if (batch.settled.length < batch.records.size) return;
    try {
      await batch.update({ content: persistenceSummary(batch), allowed_mentions: { parse: [] } });
    } catch (e) {
      log.error(`Could not post the persistence update of message ${batch.messageId}: ${e.message}`);
    }
  }

  async function watch(messageId, results, update) {
    const created = results.filter((r) => r.created === true).map((r) => r.record);
    if (created.length === 0) return;
    const batch = { messageId, update, records: new Map(created.map((r) => [r.id, r])), settled: [] };
    for (const record of created) watched.set(record.id, batch);
    // A record can settle before the import call returns, while nobody watched it: ask once.
    for (const record of created) {
      try {
        const now = await client.get(record.id);
        await settle(record.id, now.storagePersistStatus, now.storagePersistError);
      } catch (e) {
        log.error(`Could not read record ${record.id} back: ${e.message}`);
      }
    }
  }

  // Imports `message`; returns the results, or throws the library's error.
  async function importMessage(message, actorId, reply, update) {
    const results = await client.ingestDiscordMessage(message, ingestOptions());
    if (results.length === 0) return results;
    await reply(importSummary(message.id, results, actorId));
    await watch(message.id, results, update);
    return results;
  }

  // MESSAGE_REACTION_ADD's `d`. Resolves once the reply is sent (persistence updates come later).
  async function onReactionAdd(reaction) {
    if (!triggers.has(reactionKey(reaction.emoji))) return;
    if (reaction.member?.user?.bot) return;
    const guildId = reaction.guild_id ?? null;
    if (!allowed(guildId)) return;
    let message;
    try {
      message = await discord.fetchMessage(reaction.channel_id, reaction.message_id);
    } catch (e) {
      log.error(`Could not fetch message ${reaction.message_id} to import it: ${e.message}`);
      return;
    }
    // GET /channels/{c}/messages/{m} leaves guild_id out; the Discord source needs it.
    message = { ...message, guild_id: guildId };
    const reference = { message_id: message.id, channel_id: message.channel_id, fail_if_not_exists: false };
    const send = (body) => discord.sendMessage(message.channel_id, { ...body, message_reference: reference });
    const reply = (content) =>
      send({ content, allowed_mentions: { parse: [], users: [reaction.user_id], replied_user: false } });
    try {
      await importMessage(message, reaction.user_id, reply, send);
    } catch (e) {
      log.error(`Import of message ${message.id} failed: ${e.message}`);
      await reply(`Import failed: ${e.message}`);
    }
  }

  // INTERACTION_CREATE's `d`. Resolves once the reply is sent (persistence updates come later).
  async function onInteraction(interaction) {
    if (interaction.type !== APPLICATION_COMMAND || interaction.data?.name !== 'pindeck') return;
    const sub = interaction.data.options?.find((o) => o.type === COMMAND_TYPE.SUB_COMMAND);
    if (sub?.name !== 'import') return;
    await discord.deferReply(interaction);
    const answer = (content) =>
      discord.editReply(interaction, { content: clip(content), allowed_mentions: { parse: [] } });
    const link = parseMessageLink(sub.options?.find((o) => o.name === 'message_link')?.value);
    if (!link) {
      await answer('Invalid message_link. Use a full Discord message URL.');
      return;
    }
    if (!allowed(interaction.guild_id ?? null) || !allowed(link.guildId)) {
      await answer('Pindeck imports are not enabled there.');
      return;
    }
    let message;
    try {
      message = await discord.fetchMessage(link.channelId, link.messageId);
    } catch (e) {
      await answer(`Import failed: could not fetch that message (${e.message}).`);
      return;
    }
    message = { ...message, guild_id: link.guildId };
    const actorId = interaction.member?.user?.id ?? interaction.user?.id;
    const update = (body) => discord.followUp(interaction, { ...body, flags: EPHEMERAL });
    try {
      const results = await importMessage(message, actorId, answer, update);
      if (results.length === 0) await answer('No image URLs found in that message.');
    } catch (e) {
      await answer(`Import failed: ${e.message}`);
    }
  }

  const onPersistStatus = (event) => {
    settle(event.id, event.status, event.error);
  };
  client.on('persistStatus', onPersistStatus);

  return {
    onReactionAdd,
    onInteraction,
    // Stops listening to the client (before closing it).
    stop() {
      client.off('persistStatus', onPersistStatus);
    },
  };
}

module.exports = { createHandler, parseMessageLink, COMMANDS, EPHEMERAL };
