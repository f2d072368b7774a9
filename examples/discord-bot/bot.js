#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Pindeck's Discord bot: connects to Discord with discord.js and hands the raw gateway payloads
// of reactions and slash commands to handler.js, with Discord's REST API for fetching messages and
// replying. The handler reads Discord's own JSON (what pindeck's Discord source takes), so nothing
// goes through discord.js's caches and no partials are needed, in servers or in DMs.
'use strict';

const { Client, Events, GatewayIntentBits, InteractionResponseType, MessageFlags, Routes } = require('discord.js');
const { botConfig, pindeckPackagePath } = require('./config');
const { createHandler, COMMANDS } = require('./handler');

function discordApi(rest) {
  // Interaction tokens authorize their own callbacks; the bot token is not sent with them.
  return {
    fetchMessage: (channelId, messageId) => rest.get(Routes.channelMessage(channelId, messageId)),
    sendMessage: (channelId, body) => rest.post(Routes.channelMessages(channelId), { body }),
    deferReply: (interaction) =>
      rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: { type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: MessageFlags.Ephemeral } },
        auth: false,
      }),
    editReply: (interaction, body) =>
      rest.patch(Routes.webhookMessage(interaction.application_id, interaction.token, '@original'), { body, auth: false }),
    followUp: (interaction, body) =>
      rest.post(Routes.webhook(interaction.application_id, interaction.token), { body, auth: false }),
  };
}

async function registerCommands(rest, applicationId, guildIds) {
  // Guild commands show up at once; global ones are for a bot open to every server.
  if (guildIds.length === 0) {
    await rest.put(Routes.applicationCommands(applicationId), { body: COMMANDS });
    return;
  }
  for (const guildId of guildIds) {
    await rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body: COMMANDS });
  }
}

async function main() {
  const config = botConfig();
  const { Client: Pindeck } = require(pindeckPackagePath());
  const pindeck = await Pindeck.open(config.dataDir);
  // No configuration here: the library reads PINDECK_S3_* (or AWS_*) itself.
  await pindeck.startPersistence();

  const discordClient = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.DirectMessageReactions,
      // Privileged: without it Discord sends messages without content, attachments or embeds.
      GatewayIntentBits.MessageContent,
    ],
  });
  const handler = createHandler({ client: pindeck, config, discord: discordApi(discordClient.rest) });

  const run = (what, promise) => promise.catch((e) => console.error(`${what} failed: ${e.message}`));
  discordClient.on(Events.Raw, (packet) => {
    if (packet.t === 'MESSAGE_REACTION_ADD') run('Reaction', handler.onReactionAdd(packet.d));
    if (packet.t === 'INTERACTION_CREATE') run('Command', handler.onInteraction(packet.d));
  });
  discordClient.once(Events.ClientReady, (ready) => {
    run(
      'Registering /pindeck',
      registerCommands(discordClient.rest, config.applicationId ?? ready.application.id, config.allowedGuilds),
    );
    console.log(`Logged in as ${ready.user.tag}; ${config.emojis.join(' ')} or /pindeck import bring images into ${config.dataDir}`);
  });

  const shutdown = async () => {
    await discordClient.destroy();
    handler.stop();
    await pindeck.close();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  try {
    await discordClient.login(config.token);
  } catch (e) {
    await shutdown();
    throw e;
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
