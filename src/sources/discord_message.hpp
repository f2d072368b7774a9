// SPDX-License-Identifier: Apache-2.0
// The discord source (DESIGN §7): turns a Discord message, as the host got it from Discord, into
// the images to import and the records they become, the way Pindeck's Discord bot
// (services/discord-bot) does, so that externalIds match the records Pindeck already holds.
// Nothing here talks to Discord or fetches anything: the host passes the message, ingest fetches.
//
// The message is Discord's message object (GET /channels/{id}/messages/{id}, or the `message` of a
// MESSAGE_CREATE event): `id` and `channel_id` are required; `guild_id` (absent or null in a DM),
// `content`, `attachments` (`url`, `content_type`) and `embeds` (`title`, `description`, `url`,
// `image.url`, `author.name`) are read when present. Anything else (a MESSAGE_REACTION_ADD's
// `user_id` or `member` beside them, `author`, `timestamp`, ...) is ignored: Pindeck's bot owns the
// records it imports by its configured Pindeck user, never by the reacting Discord user, so the
// host passes that owner in DiscordOptions::owner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/source_item.hpp"

namespace pindeck::sources {

struct DiscordOptions {
  std::string owner;  // the record's uploadedBy; "unknown" in the externalId when empty
  std::vector<std::string> default_tags{"discord", "imported"};  // trimmed, empty ones dropped
  std::string category = "General";  // the bot's DISCORD_INGEST_DEFAULT_CATEGORY
  int max_images = 1;                // 1..10
  // The time of the "Discord import <ISO time>" title when the message id is not a snowflake
  // (the bot uses the message's creation time, which a snowflake holds).
  std::int64_t now_ms = 0;
};

// The images a Discord message holds, best first, each with the record it becomes (title,
// description, category, tags, sourceType=discord, source=Discord, sourceUrl, sref, externalId,
// uploadedBy, status=pending; the record's imageUrl is left to ingest). Throws
// Error(Errc::invalid) naming what is wrong: not JSON / not an object, `id` or `channel_id` missing
// or not a non-empty string, `guild_id` not a string, max_images out of 1..10, now_ms out of
// 0..limits::time_ms, an owner, category or default tag a record cannot hold. A message without
// any image gives an empty vector (the caller reports it).
std::vector<SourceItem> discord_items(std::string_view message_json, const DiscordOptions& options);

// The externalId of an image URL as Pindeck's bot computes it:
// discord:url:<owner|unknown>:<guild id|dm>:<first 20 hex of SHA-256 of the canonical key>.
std::string discord_external_id(std::string_view owner, std::string_view guild_id_or_empty,
                                std::string_view image_url);

// The steps of discord_items, exposed for tests and for hosts that want one of them.

// The URL's identity across sizes and formats: its lower-case host (no port, no user) and path;
// for twimg.com media, <host>/media/<id>.<format query or extension>. Lower case throughout. A
// string that is not an http(s) URL gives itself trimmed and lower-cased.
std::string discord_canonical_key(std::string_view image_url);

// A captured URL without the punctuation that ends a sentence around it ( >]),.;!? ), trimmed,
// with `&amp;` turned back into `&`.
std::string discord_clean_url(std::string_view raw);

// Whether a (cleaned) URL is an http(s) image worth importing: an image extension or format
// query, and none of avatars, emoji, favicons, icons, logos, sprites, Twitter's non-media images.
bool discord_is_importable_image(std::string_view url);

// The bot's preference: pbs.twimg.com/media/ +100, Discord attachments +90, name=orig +15,
// name=large +10, /thumb -20.
int discord_image_score(std::string_view url);

// Candidates cleaned, filtered, deduplicated by canonical key (the first kept) and ranked (stable:
// equal scores keep their order).
std::vector<std::string> discord_pick_images(const std::vector<std::string>& candidates);

// The first `sref 12345`, `sref: 12345`, `sref number 12345`, `#sref-12345` or `sref_12345` (two
// digits or more, case ignored) in `text`: its digits.
std::optional<std::string> discord_find_sref(std::string_view text);

}  // namespace pindeck::sources
