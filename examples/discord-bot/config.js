// SPDX-License-Identifier: Apache-2.0
// The bot's settings, all from environment variables. The names follow Pindeck's own bot
// (services/discord-bot) where it has one, so an existing .env keeps working; persistence reads
// the library's own PINDECK_S3_* (or AWS_*) variables itself and is not configured here.
'use strict';

const path = require('node:path');

const HARD_MAX_IMAGES = 10; // the Discord source's own limit (pd_ingest_discord_message)

function list(raw) {
  return String(raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function flag(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be 1 or 0 (got ${JSON.stringify(raw)})`);
}

function maxImages(env) {
  const name = 'DISCORD_INGEST_MAX_IMAGES_PER_POST';
  const raw = env[name];
  if (raw === undefined || raw === '') return 1;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > HARD_MAX_IMAGES) {
    throw new Error(`${name} must be a whole number from 1 to ${HARD_MAX_IMAGES} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function snowflakes(env, name) {
  const values = list(env[name]);
  const bad = values.find((value) => !/^\d{17,20}$/.test(value));
  if (bad !== undefined) {
    throw new Error(`${name} must be comma-separated Discord ids (got ${JSON.stringify(bad)})`);
  }
  return values;
}

// What the handler needs; everything has a default, so tests build it from {}.
function handlerConfig(env = process.env) {
  const emojis = list(env.DISCORD_INGEST_EMOJIS || '📌');
  return {
    emojis,
    maxImages: maxImages(env),
    owner: env.PINDECK_USER_ID || undefined,
    defaultTags: env.DISCORD_INGEST_DEFAULT_TAGS === undefined ? ['discord', 'imported'] : list(env.DISCORD_INGEST_DEFAULT_TAGS),
    allowedGuilds: snowflakes(env, 'DISCORD_ALLOWED_GUILDS'),
    allowDms: flag(env, 'DISCORD_ALLOW_DMS', true),
  };
}

// Everything bot.js needs to run: the handler's settings plus the connection and the catalog.
function botConfig(env = process.env) {
  if (!env.DISCORD_TOKEN) throw new Error('DISCORD_TOKEN is not set (the bot token from the Discord Developer Portal)');
  const applicationId = env.DISCORD_CLIENT_ID || undefined;
  if (applicationId !== undefined && !/^\d{17,20}$/.test(applicationId)) {
    throw new Error(`DISCORD_CLIENT_ID must be the application's id (got ${JSON.stringify(applicationId)})`);
  }
  return {
    ...handlerConfig(env),
    token: env.DISCORD_TOKEN,
    applicationId,
    dataDir: path.resolve(env.PINDECK_DATA_DIR || 'pindeck-data'),
  };
}

// The pindeck Node package: PINDECK_NODE_PACKAGE, else the checkout's bindings/node.
function pindeckPackagePath(env = process.env) {
  return env.PINDECK_NODE_PACKAGE || path.join(__dirname, '..', '..', 'bindings', 'node', 'lib', 'index.js');
}

module.exports = { handlerConfig, botConfig, pindeckPackagePath, HARD_MAX_IMAGES };
