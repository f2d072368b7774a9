/* SPDX-License-Identifier: Apache-2.0 */
/* The C ABI's sources (DESIGN §7) with real fetches from serve_files on 127.0.0.1: fetch
 * settings and their refusals, URL ingest (loopback refused by default, 404, not an image, once
 * only), a Discord message, a Pinterest pin and feed (as text and by URL), variations from a file
 * and from a URL (idempotent by generationArtifactKey), approval and rejection, NULL arguments and
 * a closed client. The images are small PNGs the test writes, each different. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"
#include "serve_files_process.h"

#define CHECK_INVALID_NAMING(call, part)     \
  do {                                       \
    CHECK_STATUS(call, PD_ERR_INVALID);      \
    CHECK_CONTAINS(pd_last_error(), (part)); \
  } while (0)

/* ---- small PNGs: stored (uncompressed) deflate, so no zlib is needed ---- */

static uint32_t crc_update(uint32_t crc, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc;
}

static void put_be32(unsigned char* p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

static void write_chunk(FILE* f, const char* type, const unsigned char* data, uint32_t size) {
  unsigned char head[8];
  put_be32(head, size);
  memcpy(head + 4, type, 4);
  uint32_t crc = crc_update(0xFFFFFFFFu, head + 4, 4);
  crc = crc_update(crc, data, size) ^ 0xFFFFFFFFu;
  unsigned char tail[4];
  put_be32(tail, crc);
  CHECK(fwrite(head, 1, 8, f) == 8);
  CHECK(size == 0 || fwrite(data, 1, size, f) == size);
  CHECK(fwrite(tail, 1, 4, f) == 4);
}

/* A (40 + seed) x 30 RGB gradient whose blue is the seed's: different bytes for each seed. */
static void write_png(const char* path, int seed) {
  const uint32_t width = 40u + (uint32_t)seed, height = 30u, row = 1u + 3u * width;
  const uint32_t raw_size = height * row;
  unsigned char* z = malloc(2 + 5 + raw_size + 4);
  CHECK(z != NULL && raw_size < 65536u);
  z[0] = 0x78;
  z[1] = 0x01;
  z[2] = 0x01; /* the final block, stored */
  z[3] = (unsigned char)(raw_size & 0xFF);
  z[4] = (unsigned char)(raw_size >> 8);
  z[5] = (unsigned char)(~raw_size & 0xFF);
  z[6] = (unsigned char)((~raw_size >> 8) & 0xFF);
  unsigned char* raw = z + 7;
  for (uint32_t y = 0; y < height; ++y) {
    unsigned char* line = raw + y * row;
    line[0] = 0;
    for (uint32_t x = 0; x < width; ++x) {
      line[1 + 3 * x] = (unsigned char)(x * 255u / width);
      line[2 + 3 * x] = (unsigned char)(y * 255u / height);
      line[3 + 3 * x] = (unsigned char)(seed * 37);
    }
  }
  uint32_t a = 1, b = 0;
  for (uint32_t i = 0; i < raw_size; ++i) {
    a = (a + raw[i]) % 65521u;
    b = (b + a) % 65521u;
  }
  put_be32(raw + raw_size, (b << 16) | a);

  unsigned char ihdr[13];
  put_be32(ihdr, width);
  put_be32(ihdr + 4, height);
  ihdr[8] = 8;  /* bit depth */
  ihdr[9] = 2;  /* RGB */
  ihdr[10] = 0; /* deflate */
  ihdr[11] = 0; /* adaptive filtering */
  ihdr[12] = 0; /* not interlaced */
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL);
  CHECK(fwrite("\x89PNG\r\n\x1a\n", 1, 8, f) == 8);
  write_chunk(f, "IHDR", ihdr, sizeof ihdr);
  write_chunk(f, "IDAT", z, 2 + 5 + raw_size + 4);
  write_chunk(f, "IEND", NULL, 0);
  CHECK(fclose(f) == 0);
  free(z);
}

static void write_text(const char* path, const char* text) {
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL);
  CHECK(fputs(text, f) >= 0);
  CHECK(fclose(f) == 0);
}

/* ---- reading the library's JSON ---- */

static int count_of(const char* text, const char* part) {
  int n = 0;
  for (const char* p = strstr(text, part); p != NULL; p = strstr(p + 1, part)) ++n;
  return n;
}

static int contains_nocase(const char* text, const char* part) {
  const size_t n = strlen(part);
  for (; *text; ++text) {
    size_t i = 0;
    while (i < n && text[i] && (text[i] | 0x20) == (part[i] | 0x20)) ++i;
    if (i == n) return 1;
  }
  return 0;
}

/* The record's array field `name` ("name":[...], no nested brackets), for tags. */
static void array_value(const char* json, const char* name, char* out, size_t size) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\":[", name);
  const char* start = strstr(json, key);
  CHECK(start != NULL);
  start += strlen(key) - 1;
  const char* end = strchr(start, ']');
  CHECK(end != NULL && (size_t)(end - start + 1) < size);
  memcpy(out, start, (size_t)(end - start + 1));
  out[end - start + 1] = '\0';
}

static void check_tags(const char* record, const char* const* wanted) {
  char tags[1024];
  array_value(record, "tags", tags, sizeof tags);
  for (; *wanted; ++wanted) {
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"%s\"", *wanted);
    CHECK_CONTAINS(tags, quoted);
  }
}

static int record_count(pd_client* client) {
  char* page = NULL;
  CHECK_STATUS(pd_record_list(client, "{\"limit\": 100}", &page), PD_OK);
  const int n = count_of(page, "\"id\":\"");
  pd_string_free(page);
  return n;
}

/* ---- the test ---- */

static char root_dir[512], www[600], www2[600], data_dir[600];
static int port, feed_port;

static void url_of(char* out, size_t size, const char* path) {
  snprintf(out, size, "http://127.0.0.1:%d%s", port, path);
}

static void check_fetch_settings(pd_client* client) {
  CHECK_INVALID_NAMING(pd_fetch_settings_set(client, "{\"allowPrivate\": true}"), "allowPrivate");
  CHECK_CONTAINS(pd_last_error(), "unknown");
  CHECK_INVALID_NAMING(pd_fetch_settings_set(client, "{\"maxBytes\": \"big\"}"), "maxBytes");
  CHECK_CONTAINS(pd_last_error(), "wrong type");
  CHECK_INVALID_NAMING(pd_fetch_settings_set(client, "{\"allowPrivateNetwork\": 1}"),
                       "allowPrivateNetwork");
  CHECK_INVALID_NAMING(pd_fetch_settings_set(client, "{\"connectTimeoutMs\": 2.5}"),
                       "connectTimeoutMs");
  CHECK_INVALID_NAMING(pd_fetch_settings_set(client, "{\"maxBytes\":"), "settings");
  CHECK_INVALID_NAMING(pd_fetch_settings_set(client, "[]"), "object");

  /* Not positive: refused naming the key as the C host wrote it. */
  const char* not_positive[] = {"{\"maxBytes\": 0}", "{\"maxBytes\": -1}",
                                "{\"connectTimeoutMs\": 0}", "{\"totalTimeoutMs\": -5}"};
  const char* named[] = {"maxBytes", "maxBytes", "connectTimeoutMs", "totalTimeoutMs"};
  for (size_t i = 0; i < sizeof not_positive / sizeof *not_positive; ++i) {
    CHECK_STATUS(pd_fetch_settings_set(client, not_positive[i]), PD_ERR_INVALID);
    if (!contains_nocase(pd_last_error(), named[i]) ||
        !contains_nocase(pd_last_error(), "positive")) {
      fprintf(stderr, "%s was refused with \"%s\", which does not name %s\n", not_positive[i],
              pd_last_error(), named[i]);
      exit(1);
    }
  }
}

/* Loopback is refused by default (and after a refused change of settings, still). */
static void check_url_refused_by_default(pd_client* client) {
  char url[256];
  url_of(url, sizeof url, "/a.png");
  char* out = (char*)1;
  CHECK_INVALID_NAMING(pd_ingest_url(client, url, NULL, &out), "loopback");
  CHECK(out == NULL);
  CHECK(record_count(client) == 0);
}

static void check_url_ingest(pd_client* client, char* id_out) {
  char url[256], messy[300];
  url_of(url, sizeof url, "/a.png");
  char* out = NULL;
  CHECK_STATUS(pd_ingest_url(client, url, "{\"tags\": [\"harbour\"]}", &out), PD_OK);
  CHECK_CONTAINS(out, "\"created\":true");
  char source_url[320];
  snprintf(source_url, sizeof source_url, "\"sourceUrl\":\"%s\"", url);
  CHECK_CONTAINS(out, source_url);
  CHECK_CONTAINS(out, "\"contentType\":\"image/png\"");
  const char* tags[] = {"harbour", "original", NULL};
  check_tags(out, tags);
  field_value(out, "id", id_out, 32);
  pd_string_free(out);

  /* Cleaned as a pasted URL is (unwrapped, or its trailing punctuation dropped): the same
   * sourceUrl, so the stored record. */
  const char* pasted[] = {"  <%s>\n", "%s)}.!"};
  for (size_t i = 0; i < sizeof pasted / sizeof *pasted; ++i) {
    snprintf(messy, sizeof messy, pasted[i], url);
    CHECK_STATUS(pd_ingest_url(client, messy, NULL, &out), PD_OK);
    CHECK_CONTAINS(out, "\"created\":false");
    char id[32];
    field_value(out, "id", id, sizeof id);
    CHECK_STR(id, id_out);
    pd_string_free(out);
  }

  url_of(url, sizeof url, "/missing.png");
  out = (char*)1;
  CHECK_STATUS(pd_ingest_url(client, url, NULL, &out), PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(pd_last_error(), "404");
  CHECK(out == NULL);
  url_of(url, sizeof url, "/page.png");
  CHECK_STATUS(pd_ingest_url(client, url, NULL, &out), PD_ERR_MEDIA);
  CHECK_INVALID_NAMING(pd_ingest_url(client, "  <> ) ", NULL, &out), "URL");
  url_of(url, sizeof url, "/b.png");
  CHECK_INVALID_NAMING(pd_ingest_url(client, url, "{\"title\": 5}", &out), "title");
  CHECK_INVALID_NAMING(pd_ingest_url(client, "ftp://127.0.0.1/a.png", NULL, &out), "ftp");

  /* maxBytes is applied: the 777 KB WebP is over a 100 000 byte limit. */
  CHECK_STATUS(
      pd_fetch_settings_set(client, "{\"allowPrivateNetwork\": true, \"maxBytes\": 100000}"),
      PD_OK);
  url_of(url, sizeof url, "/big.webp");
  CHECK_INVALID_NAMING(pd_ingest_url(client, url, NULL, &out), "limit");
  CHECK_STATUS(pd_fetch_settings_set(client,
                                     "{\"allowPrivateNetwork\": true, \"maxBytes\": "
                                     "41943040, \"connectTimeoutMs\": 5000, "
                                     "\"totalTimeoutMs\": 60000}"),
               PD_OK);
  CHECK(record_count(client) == 1);

  char* done = NULL;
  CHECK_STATUS(pd_wait_persisted(client, id_out, 60000, &done), PD_OK);
  CHECK_CONTAINS(done, "\"storagePersistStatus\":\"succeeded\"");
  pd_string_free(done);
}

static void discord_message(char* out, size_t size, const char* first, const char* second) {
  snprintf(out, size,
           "{\"id\": \"1180000000000000001\", \"channel_id\": \"1180000000000000002\", "
           "\"guild_id\": \"1180000000000000003\", \"content\": \"Night market sref 4242\", "
           "\"author\": {\"id\": \"99\", \"username\": \"gaffer\"}, \"embeds\": [], "
           "\"attachments\": ["
           "{\"id\": \"1\", \"filename\": \"market.png\", \"content_type\": \"image/png\", "
           "\"url\": \"http://127.0.0.1:%d%s\"}, "
           "{\"id\": \"2\", \"filename\": \"alley.png\", \"content_type\": \"image/png\", "
           "\"url\": \"http://127.0.0.1:%d%s\"}]}",
           port, first, port, second);
}

/* id_out receives the id of a Discord record, pending. */
static void check_discord(pd_client* client, char* id_out) {
  char message[2048];
  discord_message(message, sizeof message, "/att/market.png", "/att/alley.png");
  char* out = NULL;
  CHECK_STATUS(pd_ingest_discord_message(client, message,
                                         "{\"owner\": \"user-7\", \"maxImages\": 2, "
                                         "\"defaultTags\": [\"discord\", \"night\"]}",
                                         &out),
               PD_OK);
  CHECK(out[0] == '[');
  CHECK(count_of(out, "\"created\":true") == 2);
  CHECK(count_of(out, "\"sourceType\":\"discord\"") == 2);
  CHECK(count_of(out, "\"status\":\"pending\"") == 2);
  CHECK(count_of(out, "\"externalId\":\"discord:url:user-7:1180000000000000003:") == 2);
  CHECK(count_of(out, "\"uploadedBy\":\"user-7\"") == 2);
  CHECK(count_of(out, "\"sref\":\"4242\"") == 2);
  const char* tags[] = {"discord", "night", "sref:4242", "original", NULL};
  check_tags(strstr(out, "\"record\":"), tags);
  field_value(strstr(out, "\"record\":"), "id", id_out, 32);
  pd_string_free(out);

  /* Again: the stored records, nothing created. */
  CHECK_STATUS(
      pd_ingest_discord_message(client, message, "{\"owner\": \"user-7\", \"maxImages\": 2}", &out),
      PD_OK);
  CHECK(count_of(out, "\"created\":false") == 2 && count_of(out, "\"created\":true") == 0);
  pd_string_free(out);

  /* Without an owner the externalId says "unknown"; an image that fails is an error entry and
   * the other goes on. NULL options: one image at most. */
  discord_message(message, sizeof message, "/att/gone.png", "/att/market.png");
  CHECK_STATUS(pd_ingest_discord_message(client, message, "{\"maxImages\": 2}", &out), PD_OK);
  CHECK(count_of(out, "\"created\":") == 1);
  CHECK_CONTAINS(out, "\"externalId\":\"discord:url:unknown:1180000000000000003:");
  CHECK_CONTAINS(out, "\"error\":{");
  CHECK_CONTAINS(out, "\"status\":\"not_found\"");
  CHECK_CONTAINS(out, "gone.png");
  pd_string_free(out);
  CHECK_STATUS(pd_ingest_discord_message(client, message, NULL, &out), PD_OK);
  CHECK(count_of(out, "\"error\":{") + count_of(out, "\"created\":") == 1);
  pd_string_free(out);

  out = (char*)1;
  CHECK_INVALID_NAMING(
      pd_ingest_discord_message(client, "{\"channel_id\": \"1\", \"attachments\": []}", NULL, &out),
      "id");
  CHECK(out == NULL);
  CHECK_INVALID_NAMING(pd_ingest_discord_message(client, "not json", NULL, &out), "Discord");
  CHECK_INVALID_NAMING(pd_ingest_discord_message(client, message, "{\"max\": 2}", &out), "max");
  CHECK_INVALID_NAMING(pd_ingest_discord_message(client, message, "{\"maxImages\": \"2\"}", &out),
                       "maxImages");
  CHECK_INVALID_NAMING(pd_ingest_discord_message(client, message, "{\"maxImages\": 11}", &out),
                       "10");
}

static void check_pinterest_pin(pd_client* client, char* id_out) {
  char pin[512], url[256];
  url_of(url, sizeof url, "/pin.png");
  snprintf(pin, sizeof pin,
           "{\"pageUrl\": \"https://www.pinterest.com/pin/777/\", \"imageUrl\": \"%s\", "
           "\"title\": \"Rain\", \"description\": \"wet streets\", \"board\": \"Moods\"}",
           url);
  char* out = NULL;
  CHECK_STATUS(pd_ingest_pinterest_pin(client, pin, &out), PD_OK);
  CHECK_CONTAINS(out, "\"created\":true");
  CHECK_CONTAINS(out, "\"externalId\":\"pinterest:moods:777\"");
  CHECK_CONTAINS(out, "\"sourceType\":\"pinterest\"");
  CHECK_CONTAINS(out, "\"status\":\"pending\"");
  CHECK_CONTAINS(out, "\"title\":\"Rain\"");
  CHECK_CONTAINS(out, "\"sourceUrl\":\"https://www.pinterest.com/pin/777/\"");
  field_value(out, "id", id_out, 32);
  pd_string_free(out);
  CHECK_STATUS(pd_ingest_pinterest_pin(client, pin, &out), PD_OK);
  CHECK_CONTAINS(out, "\"created\":false");
  pd_string_free(out);

  snprintf(pin, sizeof pin,
           "{\"pageUrl\": \"https://www.pinterest.com/maker/\", \"imageUrl\": \"%s\"}", url);
  out = (char*)1;
  CHECK_INVALID_NAMING(pd_ingest_pinterest_pin(client, pin, &out), "pin");
  CHECK(out == NULL);
  CHECK_INVALID_NAMING(
      pd_ingest_pinterest_pin(client,
                              "{\"pageUrl\": \"https://www.pinterest.com/pin/778/\", "
                              "\"imageUrl\": \"ftp://127.0.0.1/pin.png\"}",
                              &out),
      "ftp");
  CHECK_INVALID_NAMING(pd_ingest_pinterest_pin(client,
                                               "{\"pageUrl\": \"https://www.pinterest.com/pin/"
                                               "779/\", \"image\": \"http://x/\"}",
                                               &out),
                       "image");
}

/* An RSS 2.0 feed of the board neon-nights whose items' images are on the server at `images`
 * (pin ids from `first`); its last item has no image. */
static void feed_text(char* out, size_t size, int first, const char* const* images, int count) {
  int n = snprintf(out, size,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>"
                   "<title>Neon</title><link>https://www.pinterest.com/maker/neon-nights/</link>"
                   "<description>Neon</description>");
  for (int i = 0; i < count; ++i) {
    n += snprintf(out + n, size - (size_t)n,
                  "<item><title>Pin %d</title><link>https://www.pinterest.com/pin/%d/</link>"
                  "<description>&lt;a href=\"/pin/%d/\"&gt;&lt;img src=\"http://127.0.0.1:%d%s\""
                  "&gt;&lt;/a&gt;Frame %d</description></item>",
                  first + i, first + i, first + i, port, images[i], i);
  }
  n += snprintf(out + n, size - (size_t)n,
                "<item><title>Bare</title><link>https://www.pinterest.com/pin/%d/</link>"
                "<description>no picture here</description></item></channel></rss>",
                first + count);
  CHECK((size_t)n < size);
}

static void check_pinterest_feed(pd_client* client) {
  char feed[4096];
  const char* images[] = {"/originals/aa/feed1.png", "/originals/aa/feed2.png"};
  feed_text(feed, sizeof feed, 10001, images, 2);
  char* out = NULL;
  CHECK_STATUS(pd_ingest_pinterest_feed(client, feed, NULL, &out), PD_OK);
  CHECK(count_of(out, "\"created\":true") == 2);
  CHECK_CONTAINS(out, "\"externalId\":\"pinterest:neon-nights:10001\"");
  CHECK_CONTAINS(out, "\"externalId\":\"pinterest:neon-nights:10002\"");
  CHECK(count_of(out, "\"sourceType\":\"pinterest\"") == 2);
  CHECK_CONTAINS(out, "\"status\":\"invalid\"");
  CHECK_CONTAINS(out, "no image");
  pd_string_free(out);

  /* The same pins under another board are other records. */
  CHECK_STATUS(pd_ingest_pinterest_feed(client, feed, "Film Stills", &out), PD_OK);
  CHECK(count_of(out, "\"externalId\":\"pinterest:film-stills:1000") == 2);
  CHECK(count_of(out, "\"created\":true") == 2);
  pd_string_free(out);
  CHECK_STATUS(pd_ingest_pinterest_feed(client, feed, NULL, &out), PD_OK);
  CHECK(count_of(out, "\"created\":false") == 2);
  pd_string_free(out);

  /* By URL: the feed is fetched from the second server, its images from the first. */
  char url[256];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/neon.rss", feed_port);
  CHECK_STATUS(pd_ingest_pinterest_feed(client, url, NULL, &out), PD_OK);
  CHECK(count_of(out, "\"created\":true") == 1);
  CHECK_CONTAINS(out, "\"externalId\":\"pinterest:neon-nights:20001\"");
  pd_string_free(out);
  snprintf(url, sizeof url, "http://127.0.0.1:%d/none.rss", feed_port);
  out = (char*)1;
  CHECK_STATUS(pd_ingest_pinterest_feed(client, url, NULL, &out), PD_ERR_NOT_FOUND);
  CHECK(out == NULL);
  CHECK_INVALID_NAMING(pd_ingest_pinterest_feed(client, "<html><body>hi</body></html>", NULL, &out),
                       "RSS");
}

static void check_variations(pd_client* client, const char* upload_id, const char* discord_id,
                             char* variation_id) {
  char path[700], url[256];
  snprintf(path, sizeof path, "%s/generated.png", root_dir);
  write_png(path, 20);
  char* out = NULL;
  /* variationType needs a parent in a record: the call names it. */
  CHECK_STATUS(pd_register_variation(client, upload_id, path,
                                     "{\"generationArtifactKey\": \"gen-file\", "
                                     "\"uploadedBy\": \"gen-bot\", \"variationType\": \"style\"}",
                                     &out),
               PD_OK);
  CHECK_CONTAINS(out, "\"variationType\":\"style\"");
  CHECK_CONTAINS(out, "\"created\":true");
  char parent[64];
  snprintf(parent, sizeof parent, "\"parentImageId\":\"%s\"", upload_id);
  CHECK_CONTAINS(out, parent);
  CHECK_CONTAINS(out, "\"generationArtifactKey\":\"gen-file\"");
  CHECK_CONTAINS(out, "\"uploadedBy\":\"gen-bot\"");
  CHECK_CONTAINS(out, "\"sourceType\":\"ai\"");
  CHECK_CONTAINS(out, "\"status\":\"active\"");
  const char* tags[] = {"harbour", "generated", "variation", NULL};
  check_tags(out, tags);
  field_value(out, "id", variation_id, 32);
  pd_string_free(out);

  /* The same key: the first record, and the file is not even read (it is gone). */
  CHECK(unlink(path) == 0);
  CHECK_STATUS(pd_register_variation(client, upload_id, path,
                                     "{\"generationArtifactKey\": \"gen-file\"}", &out),
               PD_OK);
  CHECK_CONTAINS(out, "\"created\":false");
  char id[32];
  field_value(out, "id", id, sizeof id);
  CHECK_STR(id, variation_id);
  pd_string_free(out);

  /* From a URL, under a Discord record: inherits discord and goes back to moderation. */
  url_of(url, sizeof url, "/gen/1.png");
  CHECK_STATUS(pd_register_variation(client, discord_id, url,
                                     "{\"generationArtifactKey\": \"gen-url\"}", &out),
               PD_OK);
  CHECK_CONTAINS(out, "\"created\":true");
  CHECK_CONTAINS(out, "\"sourceType\":\"discord\"");
  CHECK_CONTAINS(out, "\"status\":\"pending\"");
  field_value(out, "id", id, sizeof id);
  pd_string_free(out);
  CHECK_STATUS(pd_register_variation(client, discord_id, url,
                                     "{\"generationArtifactKey\": \"gen-url\"}", &out),
               PD_OK);
  CHECK_CONTAINS(out, "\"created\":false");
  char again[32];
  field_value(out, "id", again, sizeof again);
  CHECK_STR(again, id);
  pd_string_free(out);

  out = (char*)1;
  CHECK_STATUS(pd_register_variation(client, "0000000000000nope", url, NULL, &out),
               PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(pd_last_error(), "0000000000000nope");
  CHECK(out == NULL);
  CHECK_STATUS(pd_register_variation(client, upload_id, path, NULL, &out), PD_ERR_NOT_FOUND);
  url_of(url, sizeof url, "/gen/missing.png");
  CHECK_STATUS(pd_register_variation(client, upload_id, url, NULL, &out), PD_ERR_NOT_FOUND);
  CHECK_INVALID_NAMING(pd_register_variation(client, upload_id, path, "{\"tags\": 3}", &out),
                       "tags");
}

static void check_status_of(pd_client* client, const char* id, const char* status) {
  char* record = NULL;
  CHECK_STATUS(pd_record_get(client, id, &record), PD_OK);
  char expected[64];
  snprintf(expected, sizeof expected, "\"status\":\"%s\"", status);
  CHECK_CONTAINS(record, expected);
  pd_string_free(record);
}

static void check_moderation(pd_client* client, const char* upload_id, const char* discord_id,
                             const char* pin_id, const char* variation_id) {
  char ids[256];
  char* out = (char*)1;
  /* All or nothing: a missing id is named and nothing changes. */
  snprintf(ids, sizeof ids, "[\"%s\", \"0000000000000nope\"]", discord_id);
  CHECK_STATUS(pd_approve(client, ids, &out), PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(pd_last_error(), "0000000000000nope");
  CHECK(out == NULL);
  check_status_of(client, discord_id, "pending");
  CHECK_INVALID_NAMING(pd_approve(client, "[\"", &out), "ids_json");
  CHECK_STATUS(pd_approve(client, "[]", &out), PD_ERR_INVALID);
  CHECK_STATUS(pd_approve(client, "{\"ids\": 1}", &out), PD_ERR_INVALID);

  snprintf(ids, sizeof ids, "[\"%s\", \"%s\"]", discord_id, variation_id);
  CHECK_STATUS(pd_approve(client, ids, &out), PD_OK);
  CHECK(out[0] == '[');
  const char* first = strstr(out, discord_id);
  const char* second = strstr(out, variation_id);
  CHECK(first != NULL && second != NULL && first < second);
  CHECK(count_of(out, "\"status\":\"draft\"") == 1 && count_of(out, "\"status\":\"active\"") == 1);
  CHECK(strstr(out, "\"status\":\"draft\"") < second);
  pd_string_free(out);
  check_status_of(client, discord_id, "draft");
  check_status_of(client, variation_id, "active");

  /* A record with a variation is not rejected alone. */
  snprintf(ids, sizeof ids, "[\"%s\"]", upload_id);
  CHECK_STATUS(pd_reject(client, ids, &out), PD_ERR_CONFLICT);
  CHECK(out == NULL);
  snprintf(ids, sizeof ids, "[\"%s\", \"0000000000000nope\"]", pin_id);
  CHECK_STATUS(pd_reject(client, ids, &out), PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(pd_last_error(), "0000000000000nope");
  check_status_of(client, pin_id, "pending");
  CHECK_INVALID_NAMING(pd_reject(client, "nope", &out), "ids_json");
  CHECK_STATUS(pd_reject(client, "[]", &out), PD_ERR_INVALID);

  const int before = record_count(client);
  snprintf(ids, sizeof ids, "[\"%s\"]", pin_id);
  CHECK_STATUS(pd_reject(client, ids, &out), PD_OK);
  CHECK_CONTAINS(out, pin_id);
  pd_string_free(out);
  char* gone = (char*)1;
  CHECK_STATUS(pd_record_get(client, pin_id, &gone), PD_ERR_NOT_FOUND);
  CHECK(record_count(client) == before - 1);
}

static void check_null_arguments(pd_client* client) {
  char* out = (char*)1;
  CHECK_INVALID_NAMING(pd_fetch_settings_set(NULL, "{}"), "client");
  CHECK_INVALID_NAMING(pd_fetch_settings_set(client, NULL), "settings_json");
  CHECK_INVALID_NAMING(pd_ingest_url(NULL, "http://127.0.0.1/", NULL, &out), "client");
  CHECK_INVALID_NAMING(pd_ingest_url(client, NULL, NULL, &out), "url");
  CHECK(out == NULL);
  CHECK_INVALID_NAMING(pd_ingest_url(client, "http://127.0.0.1/", NULL, NULL), "out_json");
  CHECK_INVALID_NAMING(pd_ingest_discord_message(client, NULL, NULL, &out), "message_json");
  CHECK_INVALID_NAMING(pd_ingest_discord_message(client, "{}", NULL, NULL), "out_json");
  CHECK_INVALID_NAMING(pd_ingest_discord_message(NULL, "{}", NULL, &out), "client");
  CHECK_INVALID_NAMING(pd_ingest_pinterest_pin(client, NULL, &out), "pin_json");
  CHECK_INVALID_NAMING(pd_ingest_pinterest_pin(client, "{}", NULL), "out_json");
  CHECK_INVALID_NAMING(pd_ingest_pinterest_pin(NULL, "{}", &out), "client");
  CHECK_INVALID_NAMING(pd_ingest_pinterest_feed(client, NULL, NULL, &out), "feed");
  CHECK_INVALID_NAMING(pd_ingest_pinterest_feed(client, "<rss/>", NULL, NULL), "out_json");
  CHECK_INVALID_NAMING(pd_ingest_pinterest_feed(NULL, "<rss/>", NULL, &out), "client");
  CHECK_INVALID_NAMING(pd_register_variation(client, NULL, "/x.png", NULL, &out), "parent_id");
  CHECK_INVALID_NAMING(pd_register_variation(client, "a", NULL, NULL, &out), "image");
  CHECK_INVALID_NAMING(pd_register_variation(client, "a", "/x.png", NULL, NULL), "out_json");
  CHECK_INVALID_NAMING(pd_register_variation(NULL, "a", "/x.png", NULL, &out), "client");
  CHECK_INVALID_NAMING(pd_approve(client, NULL, &out), "ids_json");
  CHECK_INVALID_NAMING(pd_approve(client, "[\"a\"]", NULL), "out_json");
  CHECK_INVALID_NAMING(pd_approve(NULL, "[\"a\"]", &out), "client");
  CHECK_INVALID_NAMING(pd_reject(client, NULL, &out), "ids_json");
  CHECK_INVALID_NAMING(pd_reject(client, "[\"a\"]", NULL), "out_json");
  CHECK_INVALID_NAMING(pd_reject(NULL, "[\"a\"]", &out), "client");
  CHECK(out == NULL);
}

#define CHECK_MISUSE(call)                                         \
  do {                                                             \
    out = (char*)1;                                                \
    CHECK_STATUS(call, PD_ERR_MISUSE);                             \
    CHECK_CONTAINS(pd_last_error(), "used after pd_client_close"); \
    CHECK(out == NULL || out == (char*)1);                         \
  } while (0)

static void check_closed_client(void) {
  char dir[700];
  snprintf(dir, sizeof dir, "%s/closed", root_dir);
  pd_client* closed = NULL;
  CHECK_STATUS(pd_client_open(dir, &closed), PD_OK);
  pd_client_close(closed);
  char url[256];
  url_of(url, sizeof url, "/b.png");
  char* out;
  CHECK_MISUSE(pd_fetch_settings_set(closed, "{\"allowPrivateNetwork\": true}"));
  CHECK_MISUSE(pd_ingest_url(closed, url, NULL, &out));
  CHECK(out == NULL);
  CHECK_MISUSE(pd_ingest_discord_message(closed, "{}", NULL, &out));
  CHECK(out == NULL);
  CHECK_MISUSE(pd_ingest_pinterest_pin(closed, "{}", &out));
  CHECK(out == NULL);
  CHECK_MISUSE(pd_ingest_pinterest_feed(closed, "<rss/>", NULL, &out));
  CHECK(out == NULL);
  CHECK_MISUSE(pd_register_variation(closed, "a", url, NULL, &out));
  CHECK(out == NULL);
  CHECK_MISUSE(pd_approve(closed, "[\"a\"]", &out));
  CHECK(out == NULL);
  CHECK_MISUSE(pd_reject(closed, "[\"a\"]", &out));
  CHECK(out == NULL);
}

static void write_served_files(void) {
  char path[800];
  const char* const dirs[] = {"att", "originals", "originals/aa", "gen"};
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; ++i) {
    snprintf(path, sizeof path, "%s/%s", www, dirs[i]);
    CHECK(mkdir(path, 0700) == 0);
  }
  const char* const images[] = {"a.png",
                                "b.png",
                                "pin.png",
                                "att/market.png",
                                "att/alley.png",
                                "originals/aa/feed1.png",
                                "originals/aa/feed2.png",
                                "originals/aa/byurl.png",
                                "gen/1.png"};
  for (size_t i = 0; i < sizeof images / sizeof *images; ++i) {
    snprintf(path, sizeof path, "%s/%s", www, images[i]);
    write_png(path, (int)i + 1);
  }
  snprintf(path, sizeof path, "%s/page.png", www);
  write_text(path, "<!doctype html><title>not an image</title>");
  char command[2048];
  snprintf(command, sizeof command, "cp '%s/images/truchet-l.webp' '%s/big.webp'",
           PINDECK_TEST_DATA, www);
  CHECK(system(command) == 0);
}

int main(void) {
  make_temp_dir(root_dir, sizeof root_dir, "sources");
  snprintf(www, sizeof www, "%s/www", root_dir);
  snprintf(www2, sizeof www2, "%s/www2", root_dir);
  snprintf(data_dir, sizeof data_dir, "%s/data", root_dir);
  CHECK(mkdir(www, 0700) == 0 && mkdir(www2, 0700) == 0);
  write_served_files();
  port = start_serve_files(www);
  /* The feed served by URL names images on the first server, so it is written once that runs. */
  char feed[4096], path[700];
  const char* by_url[] = {"/originals/aa/byurl.png"};
  feed_text(feed, sizeof feed, 20001, by_url, 1);
  snprintf(path, sizeof path, "%s/neon.rss", www2);
  write_text(path, feed);
  feed_port = start_serve_files(www2);

  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(data_dir, &client), PD_OK);
  CHECK_STATUS(pd_persistence_start(client, "{\"pollIntervalMs\": 50}"), PD_OK);

  check_url_refused_by_default(client);
  check_fetch_settings(client);
  check_url_refused_by_default(client);
  CHECK_STATUS(pd_fetch_settings_set(client, "{\"allowPrivateNetwork\": true}"), PD_OK);

  char upload_id[32], discord_id[32], pin_id[32], variation_id[32];
  check_url_ingest(client, upload_id);
  check_discord(client, discord_id);
  check_pinterest_pin(client, pin_id);
  check_pinterest_feed(client);
  check_variations(client, upload_id, discord_id, variation_id);
  check_moderation(client, upload_id, discord_id, pin_id, variation_id);
  check_null_arguments(client);

  char* done = NULL;
  CHECK_STATUS(pd_wait_persisted(client, discord_id, 60000, &done), PD_OK);
  CHECK_CONTAINS(done, "\"storagePersistStatus\":\"succeeded\"");
  pd_string_free(done);
  pd_client_close(client);
  check_closed_client();

  stop_serve_files();
  char command[600];
  snprintf(command, sizeof command, "rm -rf '%s'", root_dir);
  CHECK(system(command) == 0);
  puts("capi sources: ok");
  return 0;
}
