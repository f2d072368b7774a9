/* SPDX-License-Identifier: Apache-2.0 */
/* Issue 9's proof scenario through the C ABI, against the real S3 server of the CTest fixture:
 * upload three sample images with a tag, wait until they are persisted, list them with a filter,
 * fetch one original through a presigned URL with plain HTTP (libcurl), delete a record and see
 * it gone from the catalog and the store; then each error class from a real failure (a missing
 * file, not an image, bad metadata, a wrong S3 secret), none of which changes the catalog. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "http_request.h"
#include "pindeck/pindeck.h"
#include "read_whole_file.h"
#include "s3_test_env.h"

static const char* const samples[] = {PINDECK_TEST_DATA "/images/flow-5120x2880.jpg",
                                      PINDECK_TEST_DATA "/images/safelanding-5120x2880.jpg",
                                      PINDECK_TEST_DATA "/images/truchet-l.webp"};
#define SAMPLE_COUNT (sizeof samples / sizeof samples[0])

/* The fixture's S3 server. */
static struct s3_test_server server;

/* A pd_s3 handle on the fixture's bucket, signing with `secret`. */
static pd_s3* open_s3(const char* secret) {
  char config[1024];
  snprintf(config, sizeof config,
           "{\"endpoint\":\"%s\",\"region\":\"%s\",\"accessKey\":\"%s\",\"secretKey\":\"%s\","
           "\"bucket\":\"%s\"}",
           server.endpoint, server.region, server.access_key, secret, server.bucket);
  pd_s3* s3 = NULL;
  CHECK_STATUS(pd_s3_open(config, &s3), PD_OK);
  CHECK(s3 != NULL);
  return s3;
}

/* ---- the scenario ---- */

/* How many times `part` occurs in `text`. */
static int occurrences(const char* text, const char* part) {
  int n = 0;
  for (const char* at = strstr(text, part); at != NULL; at = strstr(at + 1, part)) ++n;
  return n;
}

/* The records tagged `tag` are exactly the first `count` of `ids`. */
static void check_listed(pd_client* client, const char* tag, char ids[][64], int count) {
  char query[128];
  snprintf(query, sizeof query, "{\"tag\": \"%s\"}", tag);
  char* json = NULL;
  CHECK_STATUS(pd_record_list(client, query, &json), PD_OK);
  CHECK(occurrences(json, "\"id\":\"") == count);
  for (int i = 0; i < count; ++i) {
    char field[128];
    snprintf(field, sizeof field, "\"id\":\"%s\"", ids[i]);
    CHECK_CONTAINS(json, field);
  }
  CHECK_CONTAINS(json, "\"nextCursor\":null");
  pd_string_free(json);
}

/* The error classes, each from a real failure; none stores anything. */
static void check_errors(pd_client* client, const char* dir, const char* persisted_key) {
  char* json = (char*)"not cleared";
  CHECK_STATUS(pd_upload_file(client, "/no/such/dir/missing.jpg", NULL, &json), PD_ERR_NOT_FOUND);
  CHECK(json == NULL);
  CHECK_CONTAINS(pd_last_error(), "missing.jpg");

  char notes[600];
  snprintf(notes, sizeof notes, "%s/notes.jpg", dir);
  FILE* file = fopen(notes, "w");
  CHECK(file != NULL);
  CHECK(fputs("a shopping list, not a picture\n", file) >= 0);
  CHECK(fclose(file) == 0);
  CHECK_STATUS(pd_upload_file(client, notes, NULL, &json), PD_ERR_MEDIA);
  CHECK(json == NULL);
  CHECK_CONTAINS(pd_last_error(), "notes.jpg");

  CHECK_STATUS(pd_upload_file(client, samples[0], "{\"projectOrder\": -1}", &json), PD_ERR_INVALID);
  CHECK(json == NULL);
  CHECK_CONTAINS(pd_last_error(), "projectOrder");

  const char wrong_secret[] = "not-the-secret-of-this-key";
  pd_s3* s3 = open_s3(wrong_secret);
  CHECK_STATUS(pd_s3_head(s3, persisted_key, &json), PD_ERR_S3);
  CHECK(json == NULL);
  const char* details = pd_last_error_details();
  CHECK_CONTAINS(details, "\"status\":\"s3\"");
  CHECK_CONTAINS(details, "\"httpStatus\":403");
  CHECK(strstr(details, wrong_secret) == NULL && strstr(pd_last_error(), wrong_secret) == NULL);
  CHECK(strstr(details, server.secret_key) == NULL);
  pd_s3_close(s3);
}

int main(void) {
  server = load_s3_test_server();
  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  char dir[512], config[2048], tag[64], prefix[64];
  make_temp_dir(dir, sizeof dir, "scenario");
  snprintf(tag, sizeof tag, "scenario-%ld", (long)getpid());
  snprintf(prefix, sizeof prefix, "capi-scenario-%ld", (long)getpid());

  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(dir, &client), PD_OK);
  snprintf(config, sizeof config,
           "{\"bucket\": \"%s\", \"keyPrefix\": \"%s\", \"pollIntervalMs\": 50, "
           "\"s3\": {\"endpoint\": \"%s\", \"region\": \"%s\", \"accessKey\": \"%s\", "
           "\"secretKey\": \"%s\"}}",
           server.bucket, prefix, server.endpoint, server.region, server.access_key,
           server.secret_key);
  CHECK_STATUS(pd_persistence_start(client, config), PD_OK);

  /* A record without the tag, which the filter must leave out. */
  char* json = NULL;
  CHECK_STATUS(pd_record_create(client, "{\"title\": \"Untagged\", \"tags\": [\"other\"]}", &json),
               PD_OK);
  pd_string_free(json);

  char ids[SAMPLE_COUNT][64];
  for (size_t i = 0; i < SAMPLE_COUNT; ++i) {
    char metadata[256];
    snprintf(metadata, sizeof metadata, "{\"title\": \"Sample %zu\", \"tags\": [\"%s\"]}", i, tag);
    CHECK_STATUS(pd_upload_file(client, samples[i], metadata, &json), PD_OK);
    CHECK_CONTAINS(json, "\"storagePersistStatus\":\"pending\"");
    field_value(json, "id", ids[i], sizeof ids[i]);
    pd_string_free(json);
  }

  char original[1024] = {0};
  for (size_t i = 0; i < SAMPLE_COUNT; ++i) {
    CHECK_STATUS(pd_wait_persisted(client, ids[i], 120000, &json), PD_OK);
    CHECK_CONTAINS(json, "\"storagePersistStatus\":\"succeeded\"");
    char path[1024];
    field_value(json, "storagePath", path, sizeof path);
    CHECK(strncmp(path, prefix, strlen(prefix)) == 0 && path[strlen(prefix)] == '/');
    if (i == 0) snprintf(original, sizeof original, "%s", path);
    pd_string_free(json);
  }

  check_listed(client, tag, ids, (int)SAMPLE_COUNT);

  /* The first record's original through a presigned URL: the uploaded file, byte for byte. */
  pd_s3* s3 = open_s3(server.secret_key);
  char* url = NULL;
  CHECK_STATUS(pd_s3_presign(s3, "GET", original, 300, &url), PD_OK);
  CHECK(strstr(url, server.secret_key) == NULL);
  struct http_body body = {NULL, 0};
  CHECK(http_request(url, NULL, 0, &body) == 200);
  pd_string_free(url);
  size_t size = 0;
  unsigned char* expected = read_whole_file(samples[0], &size);
  CHECK(body.size == size && memcmp(body.data, expected, size) == 0);
  free(expected);
  free(body.data);

  /* Deleting it removes the record and its objects. */
  CHECK_STATUS(pd_s3_head(s3, original, &json), PD_OK);
  pd_string_free(json);
  CHECK_STATUS(pd_record_delete(client, ids[0]), PD_OK);
  CHECK_STATUS(pd_record_get(client, ids[0], &json), PD_ERR_NOT_FOUND);
  CHECK(json == NULL);
  CHECK_STATUS(pd_s3_head(s3, original, &json), PD_ERR_NOT_FOUND);
  CHECK(json == NULL);
  check_listed(client, tag, ids + 1, (int)SAMPLE_COUNT - 1);

  char kept[1024];
  CHECK_STATUS(pd_record_get(client, ids[1], &json), PD_OK);
  field_value(json, "storagePath", kept, sizeof kept);
  pd_string_free(json);
  check_errors(client, dir, kept);
  check_listed(client, tag, ids + 1, (int)SAMPLE_COUNT - 1);
  CHECK_STATUS(pd_record_list(client, NULL, &json), PD_OK);
  CHECK(occurrences(json, "\"id\":\"") == (int)SAMPLE_COUNT);
  pd_string_free(json);

  /* Leave the shared bucket as it was. */
  for (size_t i = 1; i < SAMPLE_COUNT; ++i) CHECK_STATUS(pd_record_delete(client, ids[i]), PD_OK);
  CHECK_STATUS(pd_s3_head(s3, kept, &json), PD_ERR_NOT_FOUND);
  pd_s3_close(s3);
  pd_client_close(client);
  curl_global_cleanup();
  char command[600];
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  CHECK(system(command) == 0);
  puts("capi scenario: ok");
  return 0;
}
