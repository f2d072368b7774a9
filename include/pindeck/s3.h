/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libpindeck C ABI: the S3 client on its own (included by pindeck/pindeck.h), for hosts that want
 * to put, get, list and presign objects of one bucket of an S3-compatible store (RustFS, radosgw,
 * AWS) without a catalog. Requests are signed with SigV4, path-style, and retried on transient
 * failures (network errors, throttling, 5xx) with backoff.
 *
 * The conventions of pindeck.h hold: every function returns PD_OK or a negative pd_status, and
 * pd_last_error() names what was wrong; JSON text returned through `char **` is freed with
 * pd_string_free(), bytes with pd_bytes_free().
 *
 * Failures of every function here:
 *  - PD_ERR_INVALID: a NULL argument where one is required, malformed JSON, an unknown or mistyped
 *    key (the message names it), or an object key S3 refuses (empty, over 1024 bytes, a control
 *    character, a leading '/', "//", a "." or ".." segment); nothing is sent;
 *  - PD_ERR_S3: the store refused; pd_last_error_details() then holds "httpStatus", "s3Code"
 *    (such as "SignatureDoesNotMatch", "AccessDenied", "NoSuchBucket") and "requestId";
 *  - PD_ERR_NOT_FOUND: no object has the key (get and head; S3's 404, NoSuchKey for a GET,
 *    NotFound for a HEAD, whose answer has no body to say whether the bucket is missing instead),
 *    or a local file to read does not exist. Details then hold only "status" and "message", which
 *    names the key and bucket and, for the store's answer, its request id;
 *  - PD_ERR_NETWORK: the store could not be reached, or a transfer stalled or timed out, after
 *    the retries;
 *  - PD_ERR_IO: a local file could not be read or written;
 *  - PD_ERR_NOMEM: out of memory.
 * No message, detail or log line holds the secret key, the session token or a signature.
 *
 * Asynchronous forms (*_async) take the arguments of the blocking form, less its out-parameter,
 * plus a callback and `user`. They check their arguments, copy them (keys, options, bytes) and
 * open the local file to upload before returning: a failure there is returned at once and the
 * callback is never called. On PD_OK the callback is called exactly once, with what the blocking
 * form returns through out_json (NULL for pd_s3_delete_async) or its error, on a thread the handle
 * keeps for its callbacks (one at a time, in the order the calls finish). A callback may make any
 * call on the same handle, blocking ones included, except pd_s3_close; while it runs no transfer
 * waits for it, but the next callbacks do.
 *
 * A handle may be used from several threads at once.
 */
#ifndef PINDECK_S3_H
#define PINDECK_S3_H

#include <stddef.h>
#include <stdint.h>

#include "pindeck/pindeck.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A connection pool to one bucket of an S3-compatible store. */
typedef struct pd_s3 pd_s3;

/* Opens a client for the store and bucket `config_json` names. Nothing is sent: a wrong endpoint
 * or key shows in the first request.
 * `config_json` is an object with the keys "endpoint" (http(s)://host[:port], required), "region"
 * (default "us-east-1"), "accessKey" and "secretKey" (required), "sessionToken", "bucket" (S3's
 * bucket naming rules, required), "caFile" (a PEM bundle to trust instead of the system's),
 * "partSizeBytes" (the part size of multipart uploads: 5 MiB to 5 GiB, default 8 MiB) and
 * "multipartThresholdBytes" (bodies at least this big go up as multipart uploads: at least
 * partSizeBytes, default 32 MiB). Strings are strings, sizes whole numbers; a null counts as
 * absent.
 * NULL: from the environment, as persistence reads it (pindeck/persistence.hpp,
 * PersistenceConfig::from_env): the endpoint from PINDECK_S3_ENDPOINT, AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL; the region from PINDECK_S3_REGION, AWS_REGION or AWS_DEFAULT_REGION; the
 * keys from PINDECK_S3_ACCESS_KEY, PINDECK_S3_SECRET_KEY and PINDECK_S3_SESSION_TOKEN, or else
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; the CA file from
 * PINDECK_S3_CA_FILE or AWS_CA_BUNDLE; the bucket from PINDECK_S3_BUCKET (default "pindeck");
 * multipart sizes at their defaults.
 * On success *out is a handle to close with pd_s3_close(); on failure *out is NULL.
 * PD_ERR_INVALID: out NULL, malformed JSON (the message gives the byte offset, never the text,
 * which may hold the secret), an unknown key, a value of the wrong type or out of range, a
 * missing endpoint, key or bucket (the message names the key; from the environment, the
 * variables); PD_ERR_NOMEM. */
PD_EXPORT int pd_s3_open(const char* config_json, pd_s3** out);

/* Waits until every asynchronous call made on the handle has finished and its callback has
 * returned, then closes the connections and frees the handle. NULL is allowed. The handle must
 * not be used afterwards, nor closed from one of its callbacks (it would wait for itself). */
PD_EXPORT void pd_s3_close(pd_s3* s3);

/* Uploads the regular file at `path` as object `key`, reading it as it is sent (multipart at or
 * above multipartThresholdBytes, parts sent in parallel; an aborted multipart upload is cleaned
 * up). `options_json` (NULL for none): {"contentType" (default "application/octet-stream"),
 * "cacheControl", "metadata": {name: value} (sent as x-amz-meta-<name>: names of letters, digits,
 * '-' and '_', values printable ASCII)}.
 * *out_json receives {"key", "etag" (without its quotes; a multipart upload's ends in "-<parts>"),
 * "size", "multipart" (true or false), "parts"}, freed with pd_string_free().
 * The statuses above; PD_ERR_NOT_FOUND: no file at `path`; PD_ERR_INVALID also when `path` is not
 * a regular file (a directory, FIFO or device). */
PD_EXPORT int pd_s3_put_file(pd_s3* s3, const char* key, const char* path, const char* options_json,
                             char** out_json);

/* pd_s3_put_file from `size` bytes at `data` (which may be NULL when size is 0). */
PD_EXPORT int pd_s3_put_bytes(pd_s3* s3, const char* key, const void* data, size_t size,
                              const char* options_json, char** out_json);

/* Downloads object `key` into the file `path`: written beside it and renamed over it once the
 * whole object arrived, so a failure leaves `path` as it was. *out_json receives the object's
 * head, as pd_s3_head gives it, freed with pd_string_free().
 * The statuses above; PD_ERR_NOT_FOUND: no such object; PD_ERR_IO: `path` cannot be written. */
PD_EXPORT int pd_s3_get_file(pd_s3* s3, const char* key, const char* path, char** out_json);

/* Downloads object `key` into memory. On success *out_data receives the bytes (never NULL, even
 * for an empty object), to free with pd_bytes_free(), and *out_size their count; on failure
 * *out_data is NULL and *out_size 0. The statuses above; PD_ERR_NOT_FOUND: no such object. */
PD_EXPORT int pd_s3_get_bytes(pd_s3* s3, const char* key, unsigned char** out_data,
                              size_t* out_size);

/* What the store says about object `key`. *out_json receives {"key", "size", "etag" (without its
 * quotes), "contentType", "cacheControl" ("" when none), "lastModified" (ISO 8601 UTC, as
 * "2026-12-06T13:00:00Z"), "metadata": {name: value}}, freed with pd_string_free().
 * The statuses above; PD_ERR_NOT_FOUND: no such object. */
PD_EXPORT int pd_s3_head(pd_s3* s3, const char* key, char** out_json);

/* Deletes object `key`. Deleting a key that does not exist succeeds (S3's rule).
 * The statuses above. */
PD_EXPORT int pd_s3_delete(pd_s3* s3, const char* key);

/* Deletes the objects whose keys `keys_json` lists (a JSON array of strings, possibly empty), in
 * batches of 1000. *out_json receives {"deleted": [keys], "errors": [{"key", "code",
 * "message"}]}, freed with pd_string_free(): keys the store could not delete are listed in
 * "errors" (S3's code and message for each), not returned as a failure; keys that did not exist
 * count as deleted. The statuses above (PD_ERR_INVALID names the first bad key by its index). */
PD_EXPORT int pd_s3_delete_many(pd_s3* s3, const char* keys_json, char** out_json);

/* One page of the bucket's objects, in key order. `options_json` (NULL for none): {"prefix",
 * "delimiter" (keys with it after the prefix are rolled up into "commonPrefixes"), "startAfter",
 * "maxKeys" (1 to 1000, default 1000), "continuationToken" (the previous page's
 * "nextContinuationToken")}. *out_json receives {"objects": [{"key", "size", "etag" (without its
 * quotes), "lastModified" (ISO 8601 UTC)}], "commonPrefixes": [prefixes],
 * "nextContinuationToken": a string, or null on the last page}, freed with pd_string_free().
 * The statuses above. */
PD_EXPORT int pd_s3_list(pd_s3* s3, const char* options_json, char** out_json);

/* A URL anyone may use, without credentials, for `expires_seconds` (1 to 604800, 7 days) to GET
 * object `key` or to PUT its bytes (one plain PUT request, no multipart; the Content-Type the
 * uploader sends is stored), depending on `method`: "GET" or "PUT". Nothing is sent. *out_url
 * receives the URL, freed with pd_string_free(); it carries a signature, so treat it as a secret
 * for as long as it is valid. PD_ERR_INVALID: a NULL argument, another method, a lifetime out of
 * range, or a bad key. */
PD_EXPORT int pd_s3_presign(pd_s3* s3, const char* method, const char* key, int64_t expires_seconds,
                            char** out_url);

/* ---- Asynchronous forms (see the top of this header) -------------------------------------- */

/* Called once with the outcome of pd_s3_get_bytes_async: status PD_OK, the object's bytes (valid
 * only during the call; non-NULL even for an empty object) and their count, with error NULL; or
 * an error status, NULL, 0 and the message (valid only during the call), while pd_last_error()
 * and pd_last_error_details() describe the failure. */
typedef void (*pd_bytes_callback)(void* user, int status, const unsigned char* data, size_t size,
                                  const char* error);

/* For every asynchronous form: PD_ERR_INVALID (returned, no callback) for a NULL s3, key,
 * callback or other required argument, or what the blocking form refuses before sending;
 * otherwise PD_OK, and the callback gets status PD_OK and the JSON the blocking form returns, or
 * the blocking form's error status with NULL and the message. */
PD_EXPORT int pd_s3_put_file_async(pd_s3* s3, const char* key, const char* path,
                                   const char* options_json, pd_json_callback callback, void* user);
/* The bytes are copied before it returns. */
PD_EXPORT int pd_s3_put_bytes_async(pd_s3* s3, const char* key, const void* data, size_t size,
                                    const char* options_json, pd_json_callback callback,
                                    void* user);
PD_EXPORT int pd_s3_get_file_async(pd_s3* s3, const char* key, const char* path,
                                   pd_json_callback callback, void* user);
PD_EXPORT int pd_s3_get_bytes_async(pd_s3* s3, const char* key, pd_bytes_callback callback,
                                    void* user);
PD_EXPORT int pd_s3_head_async(pd_s3* s3, const char* key, pd_json_callback callback, void* user);
/* The callback gets PD_OK with json NULL. */
PD_EXPORT int pd_s3_delete_async(pd_s3* s3, const char* key, pd_json_callback callback, void* user);
PD_EXPORT int pd_s3_delete_many_async(pd_s3* s3, const char* keys_json, pd_json_callback callback,
                                      void* user);
PD_EXPORT int pd_s3_list_async(pd_s3* s3, const char* options_json, pd_json_callback callback,
                               void* user);

#ifdef __cplusplus
}
#endif

#endif
