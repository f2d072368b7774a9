/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libpindeck C ABI (C99).
 *
 * Conventions, as in sqlite and libgit2:
 *  - every function returns a status code (PD_OK or a negative pd_status) unless it says otherwise;
 *  - on failure, pd_last_error() gives a message for this thread naming what was wrong;
 *  - handles are opaque and freed by their own *_free / *_close function;
 *  - strings the library returns through a `char **` are owned by the caller and freed with
 *    pd_string_free(); strings returned as `const char *` belong to the library;
 *  - records cross the boundary as UTF-8 JSON text using Pindeck's camelCase field names.
 *
 * Closed handles: pd_client_open hands out a handle the library keeps until the process ends, and
 * pd_client_close destroys the client behind it but never the handle. A call with a closed
 * client (or a second pd_client_close) therefore finds the handle marked closed and returns
 * PD_ERR_MISUSE instead of touching freed memory, at the cost of one atomic load per call and a
 * few bytes per closed client. A handle is never reused, so a stale one cannot reach a client
 * opened later. Not detected: a pointer pd_client_open never returned, and closing a client while
 * other threads are still inside calls on it (finish or join them first), as in sqlite.
 */
#ifndef PINDECK_H
#define PINDECK_H

#include <stddef.h>
#include <stdint.h>

#include "pindeck/export.h"
#include "pindeck/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pd_status {
  PD_OK = 0,
  PD_ERR_INVALID = -1,   /* an argument or record field is invalid; the message names it */
  PD_ERR_NOT_FOUND = -2, /* no such record, object or file */
  PD_ERR_CONFLICT = -3,  /* a uniqueness or lineage rule refuses the change */
  PD_ERR_IO = -4,        /* the file system refused: missing, read-only, a file for a folder */
  PD_ERR_DATABASE = -5,  /* the catalog is corrupt, locked for too long or unwritable */
  PD_ERR_MEDIA = -6,     /* not an image, undecodable, or over the pixel limit */
  PD_ERR_NETWORK = -7,   /* a connection failed, timed out or was reset */
  PD_ERR_S3 = -8,        /* the object store answered with an error */
  PD_ERR_NOMEM = -9,     /* out of memory */
  PD_ERR_INTERNAL = -10, /* a bug: please report it with the message */
  PD_ERR_CLOSED = -11,   /* the client was closed while the operation was in flight */
  PD_ERR_MISUSE = -12    /* the library was called wrongly: a client used after pd_client_close */
} pd_status;

/* PD_VERSION_NUMBER of the library actually loaded (may differ from the header's at run time). */
PD_EXPORT int pd_version(void);
/* "major.minor.patch" of the library actually loaded. */
PD_EXPORT const char* pd_version_string(void);

/* A stable lower-case name for a status code, such as "invalid" or "not_found". */
PD_EXPORT const char* pd_status_name(int status);

/* The message of the last failed call on this thread; "" when none has failed. Valid until the
 * next call into the library from this thread. */
PD_EXPORT const char* pd_last_error(void);

/* Details of the last failed call on this thread as a JSON object, valid as pd_last_error():
 * {"status": pd_status_name, "message"} and, for PD_ERR_S3, "httpStatus" (a number), "s3Code"
 * (such as "NoSuchBucket") and "requestId"; "{}" when no call has failed. Never holds a secret. */
PD_EXPORT const char* pd_last_error_details(void);

/* Frees a string the library returned through a `char **`. NULL is allowed. */
PD_EXPORT void pd_string_free(char* s);

/* Called once with the outcome of an asynchronous call (the *_async functions): status PD_OK and
 * the result's JSON (what the blocking form returns through out_json; NULL when it returns
 * nothing), or an error status, NULL and the message. Both strings are valid only during the call;
 * during it pd_last_error() and pd_last_error_details() describe the failure. It runs on a library
 * thread, must not block for long, and may call into the library except to close the client or
 * handle the call was made on. */
typedef void (*pd_json_callback)(void* user, int status, const char* json, const char* error);

/* ---- Log ---------------------------------------------------------------------------------- */

typedef enum pd_log_level {
  PD_LOG_DEBUG = 0,
  PD_LOG_INFO = 1,
  PD_LOG_WARNING = 2,
  PD_LOG_ERROR = 3
} pd_log_level;

/* Receives one log message (UTF-8, one line, no trailing newline), valid only during the call. */
typedef void (*pd_log_fn)(void* user, int level, const char* message);

/* Sends the library's log messages at `min_level` (a pd_log_level) and above to `sink`, for the
 * whole process, replacing the previous sink. The log holds what is not the error of a call, such
 * as libvips' warnings about a damaged image it could still decode. By default (and after
 * pd_set_log_sink(NULL, NULL, 0)) messages are dropped, or written to stderr as
 * "pindeck: <level>: <message>" when the environment variable PINDECK_LOG is "stderr": the
 * library never writes to the host's stderr unless asked. The sink is called on a library thread,
 * one call at a time; once this returns the previous sink is not called again. It must return
 * quickly and must not call pd_set_log_sink.
 * PD_ERR_INVALID: `min_level` is not a pd_log_level (nothing is changed). */
PD_EXPORT int pd_set_log_sink(pd_log_fn sink, void* user, int min_level);

/* ---- Client and records ------------------------------------------------------------------- */

/* Limits on a record (the same as pindeck::limits in pindeck/record.hpp), refused with
 * PD_ERR_INVALID naming the field and the limit. People's text in characters (Unicode code
 * points), machine text in bytes. No control character (U+0000-U+001F, U+007F-U+009F) in any
 * text field, except newline and tab in the multi-line description and storagePersistError. */
#define PD_MAX_TITLE_CHARS 300
#define PD_MAX_DESCRIPTION_CHARS 10000
#define PD_MAX_CATEGORY_CHARS 100
#define PD_MAX_LABEL_CHARS 100 /* genre, style, shot (never empty when given) */
#define PD_MAX_TAG_CHARS 100   /* each tag */
#define PD_MAX_TAGS 100        /* tags on one record */
#define PD_MAX_NAME_CHARS 200  /* group, projectName, moodboardName, source */
#define PD_MAX_SREF_CHARS 1000
#define PD_MAX_MODIFICATION_MODE_CHARS 200
#define PD_MAX_VARIATION_DETAIL_CHARS 2000
#define PD_MAX_PERSIST_ERROR_CHARS 4000
#define PD_MAX_ID_BYTES 256           /* uniqueId, uploadedBy, parentImageId */
#define PD_MAX_EXTERNAL_KEY_BYTES 512 /* externalId, generationArtifactKey */
#define PD_MAX_URL_BYTES 8192         /* sourceUrl, imageUrl, previewUrl, derivativeUrls */
#define PD_MAX_CONTENT_TYPE_BYTES 255
#define PD_MAX_COLORS 5
/* uploadedAt and ingestedAt: 0 to 9999-12-31T23:59:59.999Z in ms. */
#define PD_MAX_TIME_MS INT64_C(253402300799999)
/* projectOrder, variationCount, likes, views, width, height, byteSize: 0 to 2^53 - 1. */
#define PD_MAX_COUNT INT64_C(9007199254740991)
/* The JSON text of one record (pd_record_create, upload metadata) or one patch. */
#define PD_MAX_RECORD_JSON_BYTES 1048576
/* Records in one pd_record_create_batch, and the JSON text of one batch. */
#define PD_MAX_BATCH_RECORDS 1000
#define PD_MAX_BATCH_JSON_BYTES 16777216
/* storageBucket follows S3's bucket rules, storagePath, previewStoragePath and
 * derivativeStoragePaths the object key rules (DESIGN §3: [a-z0-9/_.-], no "..", at most 1024
 * bytes), storageId is 32 lowercase hex digits, sha256 64, parentImageId names a stored record.
 * aiStatus is "queued", "processing", "completed" or "failed"; variationType "shot_type" or
 * "style", and only on a record with a parentImageId. likes and views are on every record (0 when
 * not given) and cannot be unset. */

/* A client owns a data directory and the catalog in it. One client may be used from many threads
 * at once, and several processes may open the same data directory. */
typedef struct pd_client pd_client;

/* Opens `data_dir`, creating it and its catalog (data_dir/catalog.sqlite) on first use.
 * On success *out is a client to close with pd_client_close(); on failure *out is NULL.
 * PD_ERR_IO: data_dir is a file, cannot be created, or cannot be written (on a read-only file
 * system, or without write permission: the message says which); PD_ERR_DATABASE: the catalog is
 * corrupt, read-only (the message says why) or from a newer library. */
PD_EXPORT int pd_client_open(const char* data_dir, pd_client** out);

/* As pd_client_open, with the catalog at `catalog`: "sqlite:<path>", or a "postgresql://" URL in
 * libpq's syntax naming a database that many hosts share (DESIGN §6, scale-out). NULL or "": the
 * environment variable PINDECK_CATALOG_URL when set, else sqlite:<data_dir>/catalog.sqlite, as
 * pd_client_open does.
 * PD_ERR_INVALID: a location that is neither (nothing is created); PD_ERR_NETWORK: the server
 * cannot be reached; PD_ERR_DATABASE: the server refused (authentication, no such database) or
 * the catalog is from a newer library. Messages name the server as
 * postgresql://user@host:port/database, never with the password. Otherwise the errors of
 * pd_client_open. */
PD_EXPORT int pd_client_open_catalog(const char* data_dir, const char* catalog, pd_client** out);

/* Closes a client. NULL is allowed. Closing a closed client changes nothing; pd_last_error() then
 * says so (status PD_ERR_MISUSE, which this void function cannot return). */
PD_EXPORT void pd_client_close(pd_client* client);

/* Stores a new record given as a JSON object (every field optional; id is assigned by the
 * library, so it must be left out). *out_json receives the stored record, with id, uniqueId and
 * uploadedAt filled in. A record whose externalId (or generationArtifactKey) is already stored is
 * not stored again: the stored record is returned, with PD_OK.
 * PD_ERR_INVALID: malformed JSON, a wrong type, an unknown field or enum value, a value over its
 * limit (above) or with a control character, JSON text over PD_MAX_RECORD_JSON_BYTES;
 * PD_ERR_CONFLICT: the uniqueId is already used, or parentImageId names no stored record;
 * PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_record_create(pd_client* client, const char* record_json, char** out_json);

/* Stores a JSON array of records in one transaction: all or none. *out_json receives
 * {"records": [...], "created": [true|false, ...]} (false where an existing record was returned).
 * The statuses of pd_record_create, the message naming the record by its index in the batch;
 * PD_ERR_INVALID also for more than PD_MAX_BATCH_RECORDS records or JSON text over
 * PD_MAX_BATCH_JSON_BYTES. */
PD_EXPORT int pd_record_create_batch(pd_client* client, const char* records_json, char** out_json);

/* The record with this id as JSON. PD_ERR_NOT_FOUND when there is none; PD_ERR_MISUSE: the client
 * was closed. */
PD_EXPORT int pd_record_get(pd_client* client, const char* id, char** out_json);

/* Applies a partial update: a JSON object with only the fields to change; null unsets an optional
 * field. The whole result is validated before anything is written. *out_json receives the updated
 * record. id cannot be changed; title, category, tags, uniqueId and uploadedAt cannot be unset.
 * Every field the patch changes must follow the rules of pd_record_create (a field stored by an
 * older version that breaks a newer rule may stay as it is). PD_ERR_INVALID: as for
 * pd_record_create; PD_ERR_NOT_FOUND: no such record; PD_ERR_CONFLICT: a unique field is taken, or
 * parentImageId names no record or would make the record its own ancestor; PD_ERR_MISUSE: the
 * client was closed. */
PD_EXPORT int pd_record_update(pd_client* client, const char* id, const char* patch_json,
                               char** out_json);

/* Deletes a record with its tags, search entry and pending persist job, and removes its
 * original, preview and derivatives from the object store they went to and its staged copy
 * (never an object another record names). The removal is queued durably with the deletion and
 * carried out before the call returns when the store can be reached; otherwise it stays queued
 * and the persistence workers finish it (a crash finishes it after restart). A pending record
 * whose persist job is running is deleted at once; its objects go once that job's uploads end.
 * PD_OK: the record is deleted. PD_ERR_INVALID: client or id is NULL. PD_ERR_NOT_FOUND: no
 * record has this id. PD_ERR_CONFLICT: other records name it as their parentImageId (delete
 * them first, or use pd_records_delete with "family"). PD_ERR_DATABASE: the catalog could not
 * be written; nothing changed. PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_record_delete(pd_client* client, const char* id);

/* Deletes several records in one transaction, all or nothing, cleaning up as pd_record_delete
 * does. `request_json` is an object with either "ids": [record ids] or "where": {the filters of
 * pd_record_list; "order", "limit" and "cursor" are ignored; at least one filter}, and optionally
 * "family": true (also delete every variation of each record, and theirs; without it a record
 * whose variations are not all deleted with it is refused) and "dryRun": true (change nothing;
 * report what would go). *out_json receives {"dryRun": bool, "deleted": [{"id", "title",
 * "objectKeys": [keys removed from the object store]}, ...] (variations before their parents),
 * "cleanupPending": the number of deleted records whose objects or staged copy are still queued
 * for removal (their store unreachable, or a persist job still uploading)}; free it with
 * pd_string_free(). A "where" matching nothing deletes nothing (PD_OK, "deleted": []).
 * PD_OK. PD_ERR_INVALID: a NULL argument, malformed JSON, an unknown field, both or neither of
 * "ids" and "where", an empty "ids", a "where" without a filter, a bad filter value.
 * PD_ERR_NOT_FOUND: an id names no record (nothing is deleted). PD_ERR_CONFLICT: a record has
 * variations not deleted with it (nothing is deleted). PD_ERR_DATABASE: the catalog could not
 * be written; nothing changed. PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_records_delete(pd_client* client, const char* request_json, char** out_json);

/* Lists records. `query_json` (NULL for all) is an object with optional keys:
 *   "category", "group", "projectName", "moodboardName", "sourceType", "status", "genre",
 *   "style", "shot", "aiStatus", "variationType": exact match;
 *   "tag": a tag, or "tags": [tags] (records carrying all of them); "originalsOnly": true;
 *   "color": records with a palette colour near this one ("#rgb", "#rgba", "#rrggbb" or
 *   "#rrggbbaa", '#' optional, any case, alpha ignored), that is within "colorDistance" (a number
 *   from 0 to 765, default 78) in redmean distance;
 *   "order": "uploadedAt" (newest first, the default), "project" (projectOrder, then title) or
 *   "closeness" (needs "color": the record's nearest palette colour first);
 *   "limit": 1 to 1000 (default 50); "cursor": the nextCursor of the previous page.
 * *out_json receives {"records": [...], "nextCursor": "..."}; nextCursor is null on the last
 * page. PD_OK. PD_ERR_INVALID: client or out_json NULL, malformed JSON, or a bad query (an
 * unknown key, a wrong type, a bad colour or distance, "closeness" without "color", a cursor of
 * another order), the message naming the key; PD_ERR_DATABASE: the catalog could not be read;
 * PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_record_list(pd_client* client, const char* query_json, char** out_json);

/* Full-text search over title, description, tags and sref: every word of `text` must match (the
 * last one also as a prefix when it has 3 characters or more), best matches first. `query_json`
 * takes the filters (with "color" and "colorDistance"), "limit" and "cursor" of pd_record_list()
 * (NULL for none); "order" may only be "closeness" (with "color": nearest first instead of best
 * matches first). The answer has the same shape. PD_OK. PD_ERR_INVALID: a NULL argument, `text`
 * without a word or not valid UTF-8, or a bad query as for pd_record_list ("order": "project"
 * too); PD_ERR_DATABASE: the catalog could not be read; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_record_search(pd_client* client, const char* text, const char* query_json,
                               char** out_json);

/* ---- Lineage and project rows (DESIGN §8) ------------------------------------------------- */

/* How many parent links pd_record_root and pd_record_family follow up from a record. */
#define PD_MAX_LINEAGE_DEPTH 12
/* The most records pd_record_family returns; a larger family is cut, nearest generations kept. */
#define PD_MAX_FAMILY_RECORDS 1000
/* The most ids one pd_project_set_order takes. */
#define PD_MAX_PROJECT_ORDER_IDS 10000

/* The parent of record `id`: *out_json receives the parent record as JSON, or the JSON text
 * "null" when the record is an original (has no parentImageId).
 * PD_ERR_INVALID: client, id or out_json is NULL; PD_ERR_NOT_FOUND: no record has this id;
 * PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_record_parent(pd_client* client, const char* id, char** out_json);

/* One page of the children (variations) of record `id`. `query_json` (NULL for none) takes the
 * filters, "order", "limit" and "cursor" of pd_record_list ("originalsOnly" is refused: children
 * never are); newest first by default. *out_json receives {"records": [...], "nextCursor": ...}
 * as pd_record_list does; pass nextCursor back (with the same id and query) for the next page.
 * PD_ERR_INVALID: a NULL argument, a bad query or cursor; PD_ERR_NOT_FOUND: no record has this
 * id; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_record_children(pd_client* client, const char* id, const char* query_json,
                                 char** out_json);

/* The root of record `id`: its topmost ancestor, or the record itself when it is an original,
 * following at most PD_MAX_LINEAGE_DEPTH parent links. *out_json receives the root record.
 * PD_ERR_INVALID: a NULL argument; PD_ERR_NOT_FOUND: no record has this id; PD_ERR_CONFLICT: the
 * root is more than PD_MAX_LINEAGE_DEPTH levels up (the message names the limit and the ancestor
 * PD_MAX_LINEAGE_DEPTH levels up, from which a host can go on); PD_ERR_MISUSE: the client was
 * closed. */
PD_EXPORT int pd_record_root(pd_client* client, const char* id, char** out_json);

/* The whole family of record `id`: its root (as pd_record_root) and every descendant of the root
 * at any depth. *out_json receives {"rootId": "...", "records": [the root, then its children,
 * grandchildren, ... newest first within a generation], "complete": false when the family has
 * more than PD_MAX_FAMILY_RECORDS records and only that many, the nearest generations, are
 * given}. The statuses of pd_record_root. */
PD_EXPORT int pd_record_family(pd_client* client, const char* id, char** out_json);

/* Orders the project row `project_name`: `ids_json` is a JSON array of record ids, and each
 * record's projectOrder becomes its 0-based index in it; the project's records not named keep
 * their relative order after them, renumbered from the array's length. One transaction: on any
 * error nothing changes. *out_changed (may be NULL) receives how many records' projectOrder
 * changed. pd_record_list with "order": "project" then returns the records in this order.
 * PD_ERR_INVALID: client, project_name or ids_json is NULL, project_name is empty, ids_json is
 * not an array of strings, is empty or longer than PD_MAX_PROJECT_ORDER_IDS, names an id twice,
 * or names records not in this project (named in the message; they are not moved into it: update
 * their projectName first); PD_ERR_NOT_FOUND: ids no record has (named in the message);
 * PD_ERR_DATABASE: the catalog could not be written; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_project_set_order(pd_client* client, const char* project_name,
                                   const char* ids_json, size_t* out_changed);

/* Counts over the records `query_json` selects (NULL for all; the filters of pd_record_list,
 * whose "order", "limit" and "cursor" are ignored), read at one moment. *out_json receives
 * {"total": n, "category": [{"value": "Film", "count": 3}, ...], "group": [...], "genre": [...],
 * "style": [...], "projectName": [...], "moodboardName": [...], "sourceType": [...],
 * "status": [...]}: each list most common first, then by value (bytewise); records without a value
 * for a field are not in its list ("total" minus the list's counts is how many). Free it with
 * pd_string_free(). PD_OK. PD_ERR_INVALID: out_json NULL, malformed JSON, an unknown key or a bad
 * filter value, named; PD_ERR_DATABASE: the catalog could not be read; PD_ERR_MISUSE: the client
 * was closed. */
PD_EXPORT int pd_record_stats(pd_client* client, const char* query_json, char** out_json);

/* The counters of pd_record_increment. */
typedef enum pd_counter { PD_COUNTER_LIKES = 0, PD_COUNTER_VIEWS = 1 } pd_counter;

/* Adds `delta` (negative to take away) to the record's likes or views (a pd_counter) in one
 * statement, so increments from many threads and processes on one data directory all count.
 * *out_value (may be NULL) receives the new value. PD_OK. PD_ERR_INVALID: client or id NULL, an
 * unknown counter, or a result that would be negative or over PD_MAX_COUNT (the message says so;
 * nothing changes); PD_ERR_NOT_FOUND: no record has this id; PD_ERR_DATABASE: the catalog could
 * not be written; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_record_increment(pd_client* client, const char* id, int counter, int64_t delta,
                                  int64_t* out_value);

/* ---- Media: palette and derivatives ------------------------------------------------------- */

/* The colour palette of packed 8-bit pixels, exactly as Pindeck computes it: up to five
 * lowercase "#rrggbb", most dominant first. `pixels` holds width*height*channels bytes, row-major;
 * channels is 3 (RGB) or 4 (RGBA, pixels with alpha below 128 are ignored). On success
 * *colors_json is a JSON array of strings such as ["#1e3cc8","#dc2828"] (possibly [] when the
 * pixels have no meaningful colour), freed with pd_string_free(). PD_ERR_INVALID for a NULL
 * argument, channels other than 3 or 4, a zero width or height, or a size that overflows. */
PD_EXPORT int pd_palette_from_pixels(const unsigned char* pixels, size_t width, size_t height,
                                     int channels, char** colors_json);

/* The colour palette of an encoded image (JPEG, PNG, WebP, GIF, AVIF, HEIC, TIFF): decoded,
 * orientation applied, shrunk to fit 160x160, alpha dropped, then as pd_palette_from_pixels.
 * PD_ERR_MEDIA for bytes that are not a decodable image or declare more than 100 megapixels. */
PD_EXPORT int pd_palette_from_image(const unsigned char* bytes, size_t size, char** colors_json);

/* ---- Sources (DESIGN §7) -------------------------------------------------------------------
 * Each source fetches images from URLs through the safe fetcher (http and https only, at most 5
 * redirects, no credentials in URLs, no loopback, private, carrier-grade NAT, link-local or cloud
 * metadata, unspecified, multicast or broadcast address unless the fetch settings allow private
 * networks; 40 MiB at most by default) straight into the first-stage store, and goes on as an
 * upload does (see pd_upload_file): the record is stored "pending" and persisted by the workers.
 * A fetch that fails stores nothing. Statuses of a fetch: PD_ERR_INVALID naming the rule that
 * refused a URL, or saying the body is over the size limit; PD_ERR_NOT_FOUND for an answer 404 or
 * 410; PD_ERR_NETWORK for a connection that failed or timed out and any other error status;
 * PD_ERR_MEDIA when the bytes are no image. Every function here also returns PD_ERR_INVALID for a
 * NULL argument (except those that say NULL is allowed) and PD_ERR_MISUSE for a closed client.
 * A "created" result is {"created": bool, "record": {...}}: created is false when a record with
 * the same externalId (or generationArtifactKey, or for pd_ingest_url the same sourceUrl) was
 * already stored; it is returned and nothing was fetched. Results of several images are an array
 * of {"imageUrl", "created", "record"} or, for an image that failed (the others go on),
 * {"imageUrl", "error": {"status": "network" (a pd_status_name), "message"}}. Free every
 * *out_json with pd_string_free(). */

/* Sets how the sources fetch from now on: `settings_json` is an object with optional keys
 * "allowPrivateNetwork" (false; true lets every address rule pass, for tests and a library
 * importing from its own network), "maxBytes" (41943040), "connectTimeoutMs" (10000),
 * "totalTimeoutMs" (300000). PD_ERR_INVALID: malformed JSON, an unknown key, a wrong type, a
 * value that is not positive. */
PD_EXPORT int pd_fetch_settings_set(pd_client* client, const char* settings_json);

/* Fetches the image at `url` and ingests it with `metadata_json` (NULL for none; a record object).
 * The URL is cleaned as Pindeck cleans a pasted one (white space trimmed, <url> unwrapped, a
 * trailing run of >])},.;!? dropped) and becomes the record's sourceUrl unless the metadata has
 * one; the tag "original" is added. *out_json receives a created result. PD_ERR_INVALID also for a
 * URL that is empty once cleaned and for bad metadata. */
PD_EXPORT int pd_ingest_url(pd_client* client, const char* url, const char* metadata_json,
                            char** out_json);

/* Imports the images of a Discord message: `message_json` is Discord's message object, with
 * "guild_id" when it was posted in a server. Images are picked, ranked and named as Pindeck's bot
 * does (title, description, sourceUrl, sref, tags, externalId
 * "discord:url:<owner>:<guild|dm>:<hash>"), each a record with status "pending" and sourceType
 * "discord". `options_json` (NULL for the defaults) has optional keys "owner" (the records'
 * uploadedBy; "unknown" in the externalId when absent), "defaultTags" (["discord", "imported"])
 * and "maxImages" (1, at most 10). *out_json receives the results, one per image ([] for a message
 * without an image). PD_ERR_INVALID: the message is not JSON or lacks "id" or "channel_id", or an
 * option is bad. */
PD_EXPORT int pd_ingest_discord_message(pd_client* client, const char* message_json,
                                        const char* options_json, char** out_json);

/* pd_ingest_url and pd_ingest_discord_message without blocking, following the rule of the
 * asynchronous calls (see pd_upload_file_async): the callback gets the JSON they would return. */
PD_EXPORT int pd_ingest_url_async(pd_client* client, const char* url, const char* metadata_json,
                                  pd_json_callback callback, void* user);
PD_EXPORT int pd_ingest_discord_message_async(pd_client* client, const char* message_json,
                                              const char* options_json, pd_json_callback callback,
                                              void* user);

/* Imports a Pinterest pin: `pin_json` is {"pageUrl": "https://www.pinterest.com/pin/<id>/",
 * "imageUrl", and optional "title", "description", "board"}; the record has externalId
 * "pinterest:<board>:<pin id>", status "pending", sourceType "pinterest". *out_json receives a
 * created result. PD_ERR_INVALID: no pin id in pageUrl, an image URL that is not http or https,
 * an unknown key. */
PD_EXPORT int pd_ingest_pinterest_pin(pd_client* client, const char* pin_json, char** out_json);

/* Imports every pin of a Pinterest board's RSS 2.0 feed: `feed` is the feed's text, or its URL
 * (http:// or https://, fetched through the safe fetcher). `board` (NULL: the one the feed names)
 * is named in the externalIds and tags. *out_json receives the results, one per item; an item
 * without an image or pin id is an error result with status "invalid". PD_ERR_INVALID: the text is
 * not an RSS 2.0 feed; the fetch statuses for a feed URL. */
PD_EXPORT int pd_ingest_pinterest_feed(pd_client* client, const char* feed, const char* board,
                                       char** out_json);

/* Registers a generated image as a variation of the record `parent_id`: `image` is a file path,
 * or a URL when it starts with http:// or https://. The record inherits from its parent and
 * lineage as DESIGN §7 says (title, category, group, projectName, moodboardName, uniqueId, tags
 * plus "generated" and "variation", sref, sourceUrl; sourceType "discord" or "pinterest" and
 * status "pending" when a record within 12 levels up came from there, else "ai" and "active");
 * `metadata_json` (NULL for none) gives the rest ("generationArtifactKey", "uploadedBy",
 * "modificationMode", "variationDetail", "variationType", ...). Idempotent: a
 * generationArtifactKey already stored gives that record, created false, and nothing is read.
 * *out_json receives a created result. PD_ERR_NOT_FOUND: no record parent_id, or no such file;
 * the statuses of pd_upload_file or of a fetch. */
PD_EXPORT int pd_register_variation(pd_client* client, const char* parent_id, const char* image,
                                    const char* metadata_json, char** out_json);

/* Approves records waiting for moderation, in one transaction: `ids_json` is a JSON array of
 * record ids. An active record stays so; one from Discord or Pinterest becomes "draft", any other
 * "active". *out_json receives the records as stored, in the order given. All or nothing:
 * PD_ERR_INVALID for malformed JSON or no ids, PD_ERR_NOT_FOUND naming a missing id. */
PD_EXPORT int pd_approve(pd_client* client, const char* ids_json, char** out_json);

/* Rejects records: they are deleted with everything they stored, all or nothing, as
 * pd_records_delete deletes {"ids": ids}; *out_json receives its report. PD_ERR_INVALID for
 * malformed JSON or no ids, PD_ERR_NOT_FOUND naming a missing id, PD_ERR_CONFLICT for a record
 * with variations not rejected with it. */
PD_EXPORT int pd_reject(pd_client* client, const char* ids_json, char** out_json);

/* ---- Persistence -------------------------------------------------------------------------- */

/* Starts the client's background persistence workers. `config_json` (NULL: from the environment,
 * see below) is an object with optional keys: "bucket" (default "pindeck"), "keyPrefix"
 * ("media-uploads"), "s3": {"endpoint", "region", "accessKey", "secretKey", "sessionToken",
 * "publicBaseUrl", "caFile"} (absent: the embedded local object store in data_dir/objects),
 * "maxInFlight" (2: images decoded at once), "maxUploading" (8: images already derived that
 * may still be uploading meanwhile), "cpuThreads" (0 = cores), "maxAttempts" (3),
 * "retryMinDelayMs" (2000), "retryMaxDelayMs" (20000), "leaseMs" (30000), "pollIntervalMs" (500),
 * "maxUploadBytes", "stagingOrphanAgeMs" (3600000: staged copies no record names are deleted at
 * start when older), "createBucket" (false: a missing S3 bucket is never created; jobs then fail
 * naming it), "stagingDir" (data_dir/staging: the first-stage store, an absolute path; a directory
 * on a mount shared by hosts that share a catalog lets any of their workers persist what any of
 * them staged; PINDECK_STAGING_DIR in the environment).
 * Without this call, the first upload, backfill or wait starts the workers from the environment
 * (PINDECK_S3_* first, then the standard AWS_* variables; the list is in pindeck/persistence.hpp,
 * PersistenceConfig::from_env): S3 when an endpoint is set, else the local object store.
 * Needs no network: the object store is reached by the workers before their first upload, so
 * uploads are accepted (and stay "pending") while it is down or misconfigured.
 * Every setting is checked before anything starts; PD_ERR_INVALID names the first one out of its
 * range and the range: bucket (S3's bucket rules), keyPrefix (the object key rules of DESIGN §3,
 * at most 512 bytes, may be ""), maxInFlight 1-64, maxUploading 0-1024, cpuThreads 0-256,
 * maxAttempts 1-100, retryMinDelayMs 0-86400000, retryMaxDelayMs retryMinDelayMs-86400000,
 * leaseMs 100-86400000, pollIntervalMs 10-3600000, maxUploadBytes 1-5497558138880 (5 TiB),
 * stagingOrphanAgeMs 0-31536000000, s3.endpoint http(s)://host[:port]; s3.endpoint and
 * s3.publicBaseUrl at most 4096 bytes; stagingDir absolute, at most 4000 bytes.
 * PD_ERR_CONFLICT: the workers already run; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_persistence_start(pd_client* client, const char* config_json);

/* Uploads an image: the bytes are hashed and staged durably, checked to be an image, and the
 * record is stored at once (storagePersistStatus "pending", storageProvider "convex") together
 * with its persistence job; workers then make the derivatives and palette and persist everything.
 * `metadata_json` (NULL for none) is a record object with the fields the host chooses (title,
 * tags, ...). *out_json receives the stored record.
 * PD_ERR_MEDIA: empty, not an image, truncated (cut short), or too many pixels; PD_ERR_INVALID:
 * bad metadata, or `path` is not a regular file (a FIFO, directory, device or socket, refused
 * without blocking); PD_ERR_NOT_FOUND / PD_ERR_IO: the file cannot be read, or the disk of the
 * data directory is full ("the disk is full"); PD_ERR_MISUSE: the client was closed. Nothing is
 * stored on failure. */
PD_EXPORT int pd_upload_file(pd_client* client, const char* path, const char* metadata_json,
                             char** out_json);

/* The same from a buffer; `file_name` (may be NULL) names the image when it has no title. The
 * statuses of pd_upload_file. */
PD_EXPORT int pd_upload_bytes(pd_client* client, const void* data, size_t size,
                              const char* file_name, const char* metadata_json, char** out_json);

/* Asynchronous calls (pd_upload_file_async, pd_upload_bytes_async, pd_ingest_url_async,
 * pd_ingest_discord_message_async) follow one rule. The call checks only its pointers and the
 * client, copies every argument (strings, metadata and bytes: the caller may free or reuse them
 * as soon as it returns) and returns at once; the blocking form then runs on one of the client's
 * two background threads, and `callback` gets exactly what it would return: its status, the JSON
 * it would put in *out_json, and on failure its message (pd_last_error() and
 * pd_last_error_details() describe the failure during the callback). So:
 *  - returned, and `callback` is never called: PD_ERR_INVALID for a NULL client, callback or
 *    required pointer; PD_ERR_MISUSE for a closed client;
 *  - through `callback`, exactly once: everything else, including malformed JSON, with the
 *    statuses of the blocking form; PD_ERR_CLOSED when the client is closed before the call
 *    started (pd_client_close waits for calls already running, and completes the others so).
 * Calls beyond the two that run queue up in order; any number may be pending. */

/* pd_upload_file without blocking. */
PD_EXPORT int pd_upload_file_async(pd_client* client, const char* path, const char* metadata_json,
                                   pd_json_callback callback, void* user);

/* pd_upload_bytes without blocking; the bytes are copied before it returns. PD_ERR_INVALID (as
 * returned): data is NULL while size is not 0. */
PD_EXPORT int pd_upload_bytes_async(pd_client* client, const void* data, size_t size,
                                    const char* file_name, const char* metadata_json,
                                    pd_json_callback callback, void* user);

/* Fills `buffer` with up to `capacity` bytes; returns how many (0 at the end, negative on error).
 */
typedef int64_t (*pd_read_fn)(void* user, void* buffer, size_t capacity);

/* The same from a stream read through `read` (memory use does not grow with the size). The
 * statuses of pd_upload_file. */
PD_EXPORT int pd_upload_stream(pd_client* client, pd_read_fn read, void* user,
                               const char* file_name, const char* metadata_json, char** out_json);

/* Reschedules persistence of up to `limit` (1 to 200; the CLI's default is 50) records still only
 * in the first-stage store (storageProvider "convex" with a storageId, any sourceType), such as
 * those that failed. Those that may heal or that the host fixed (server down, credentials, a
 * missing bucket) come first, the least recently backfilled first; those that failed for good (an
 * undecodable image) are skipped: see pd_backfill_ex. *out_count (may be NULL) receives how many.
 * PD_ERR_INVALID: `limit` out of range or client NULL; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_backfill(pd_client* client, int limit, int* out_count);

/* pd_backfill_ex flag: also reschedule records whose persistence failed for good; they come after
 * every other. */
#define PD_BACKFILL_INCLUDE_PERMANENT 1u

/* pd_backfill with flags (0 or PD_BACKFILL_INCLUDE_PERMANENT).
 * PD_ERR_INVALID: `limit` out of range, an unknown flag, or client NULL. */
PD_EXPORT int pd_backfill_ex(pd_client* client, int limit, unsigned int flags, int* out_count);

/* The persistence queue as the catalog holds it: every host's jobs when hosts share a catalog.
 * Reads the catalog only; starts no worker. *out_json receives {"queued": n, "claimed": n,
 * "retryLater": n, "failed": n, "queuedBySite": {"<site id>": n, ...}}: jobs not settled, of those
 * the ones a worker holds and the ones waiting for their next attempt, the jobs that gave up, and
 * the queued per first-stage store holding their bytes ("" for jobs any worker may take). Free it
 * with pd_string_free(). PD_OK. PD_ERR_INVALID: client or out_json NULL; PD_ERR_DATABASE: the
 * catalog could not be read; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_queue_counts(pd_client* client, char** out_json);

/* What this client's own workers did since persistence started, exactly: *out_json receives
 * {"claimed": n, "succeeded": n, "retried": n, "failed": n, "released": n, "inFlight": n}. A
 * claimed job is in flight until it ends as succeeded (persisted), retried (an attempt failed; it
 * waits for its next), failed (gave up) or released (its record was deleted or persisted
 * meanwhile, or the catalog took no outcome), so claimed is the sum of the other five. All zero
 * while persistence does not run; never starts it. Free it with pd_string_free(). PD_OK.
 * PD_ERR_INVALID: client or out_json NULL; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_worker_counts(pd_client* client, char** out_json);

/* Samples the record's colour palette again from its staged copy, or else from its original in
 * the object store this client persists to (local or S3; persistence starts as for an upload),
 * and stores it as the record's "colors", which "color" queries then find. *out_json receives the
 * record as stored; free it with pd_string_free(). PD_OK. PD_ERR_INVALID: a NULL argument, or
 * persistence settings from the environment that are wrong; PD_ERR_NOT_FOUND: no record has this
 * id, or neither its staged copy nor its original is in this client's stores (the message names
 * them); PD_ERR_MEDIA: the bytes are not a decodable image; PD_ERR_NETWORK, PD_ERR_S3: the
 * object store could not be read; PD_ERR_IO: a local file could not be read; PD_ERR_DATABASE: the
 * catalog could not be written; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_resample_palette(pd_client* client, const char* id, char** out_json);

/* Blocks until the record's storagePersistStatus is "succeeded" or "failed", or `timeout_ms`
 * passes (then the record is returned still "pending"). *out_json receives the record.
 * PD_ERR_NOT_FOUND: no such record; PD_ERR_CLOSED: the client was closed during the wait;
 * PD_ERR_MISUSE: the client was closed before the call. */
PD_EXPORT int pd_wait_persisted(pd_client* client, const char* id, int64_t timeout_ms,
                                char** out_json);

/* Called once with the outcome of pd_wait_persisted_async: status PD_OK and the record's JSON, or
 * an error status, NULL and the message. Both strings are valid only during the call. It runs on
 * a library thread. */
typedef void (*pd_record_callback)(void* user, int status, const char* record_json,
                                   const char* error);

/* pd_wait_persisted without blocking: returns at once; `callback` gets the outcome. No thread is
 * held while the wait lasts, so any number may be pending. Closing the client first completes the
 * wait with PD_ERR_CLOSED. PD_ERR_MISUSE (returned, no callback): the client was closed before the
 * call. */
PD_EXPORT int pd_wait_persisted_async(pd_client* client, const char* id, int64_t timeout_ms,
                                      pd_record_callback callback, void* user);

/* Reads the object stored under `key` (a record's "storagePath", "previewStoragePath" or one of
 * its "derivativeStoragePaths") whole, from the object store the client's settings name: the one
 * persistence runs with, else the one the environment names (the local store in the data directory
 * by default); persistence is not started. On success *out_data receives the bytes, to free with
 * pd_bytes_free(), and *out_size their count; on failure *out_data is NULL and *out_size 0.
 * PD_ERR_INVALID: a NULL argument, or a key the library would never write; PD_ERR_NOT_FOUND: no
 * such object (the message names key and bucket); PD_ERR_IO or PD_ERR_S3: the store could not be
 * read; PD_ERR_NOMEM; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_object_read(pd_client* client, const char* key, unsigned char** out_data,
                             size_t* out_size);

/* Frees bytes the library handed out (pd_object_read). NULL is allowed. */
PD_EXPORT void pd_bytes_free(unsigned char* data);
/* Called by pd_verify after each batch of records (on the calling thread) with how many of the
 * matching records are done (this run and the interrupted run it continues) out of how many, and
 * the objects checked so far. Return nonzero to go on, 0 to stop: the position is kept and the
 * next pd_verify with the same options continues from it. */
typedef int (*pd_verify_progress)(void* user, uint64_t records_done, uint64_t records_total,
                                  uint64_t objects_checked);

/* Verifies (and with "repair" repairs) the objects of persisted records (DESIGN §6.9): each
 * record's original (size and content type as recorded), preview and derivatives (whole, of their
 * format, at the right width) in the object store the persistence settings name, and, when no
 * filter is given, the objects under the key prefix that no record names (orphans).
 * `options_json` (NULL for the defaults) is an object with optional keys: "where": {the filters
 * of pd_record_list; "order", "limit" and "cursor" are ignored}; "repair": true (rebuild missing
 * or damaged derivatives from the original, re-upload a missing original from its staged copy);
 * "deleteOrphans": true (only without "where"); "maxInFlight": 1 to 64 (requests at once,
 * default 16); "restart": true (ignore the saved position of an interrupted run). `progress` may
 * be NULL. *out_json receives the report, freed with pd_string_free(): {"complete": false when
 * `progress` stopped the run, "resumed", "recordsChecked", "recordsNotPersisted",
 * "recordsOtherStore", "objectsChecked", "findings": [{"recordId", "role" ("original",
 * "preview", "small", "medium", "large"), "key", "problem" ("missing", "truncated",
 * "wrongContentType"), "detail", "repair" ("notAttempted", "repaired", "unrepairable",
 * "failed"), "repairError" (when the repair failed)}], "orphansChecked", "orphans": [{"key",
 * "deleted"}]}.
 * PD_OK, also when objects are missing or damaged (the report says which). PD_ERR_INVALID: a NULL
 * client or out_json, malformed JSON, an unknown key, a bad filter or a value out of range, named;
 * "deleteOrphans" with "where". PD_ERR_CONFLICT: a run with the same "where", "repair" and
 * "deleteOrphans" is in progress on this data directory (in this process or another).
 * PD_ERR_NETWORK: the object store could not be reached; PD_ERR_S3:
 * it refused a request (the position reached is kept for the next run). PD_ERR_IO: the data
 * directory could not be written. PD_ERR_DATABASE: the catalog could not be read.
 * PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_verify(pd_client* client, const char* options_json, pd_verify_progress progress,
                        void* user, char** out_json);

#ifdef __cplusplus
}
#endif

/* The other topics of the C ABI, one header each. */
#include "pindeck/derive.h"
#include "pindeck/events.h"
#include "pindeck/s3.h"

#endif
