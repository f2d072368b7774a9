/* SPDX-License-Identifier: Apache-2.0 */
/* The C ABI's S3 client (pindeck/s3.h) against the real radosgw of the CTest fixture: put from a
 * file, a buffer and as a multipart upload, get to a file and a buffer, head, delete, delete many,
 * list page by page, presigned GET and PUT used with plain HTTP (libcurl), every asynchronous
 * form, opening from the environment, and errors from real failures (a wrong secret, missing
 * objects and files, bad settings). */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "http_request.h"
#include "pindeck/pindeck.h"
#include "read_whole_file.h"
#include "s3_test_env.h"

static struct s3_test_server server;
static char prefix[64]; /* every key of this run starts with it */
static char dir[256];   /* local files of this run */

static void config_json(char* out, size_t size, const char* secret, const char* extra) {
  snprintf(out, size,
           "{\"endpoint\":\"%s\",\"region\":\"%s\",\"accessKey\":\"%s\",\"secretKey\":\"%s\","
           "\"bucket\":\"%s\"%s}",
           server.endpoint, server.region, server.access_key, secret, server.bucket,
           extra ? extra : "");
}

static pd_s3* open_s3(const char* extra) {
  char config[1024];
  config_json(config, sizeof config, server.secret_key, extra);
  pd_s3* s3 = NULL;
  CHECK_STATUS(pd_s3_open(config, &s3), PD_OK);
  CHECK(s3 != NULL);
  return s3;
}

static void key_of(char* out, size_t size, const char* name) {
  snprintf(out, size, "%s%s", prefix, name);
}

/* Deterministic bytes that differ from seed to seed. */
static unsigned char* make_bytes(size_t size, uint32_t seed) {
  unsigned char* data = malloc(size);
  CHECK(data != NULL);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    data[i] = (unsigned char)x;
  }
  return data;
}

static void write_file(const char* path, const unsigned char* data, size_t size) {
  FILE* file = fopen(path, "wb");
  CHECK(file != NULL);
  CHECK(fwrite(data, 1, size, file) == size);
  CHECK(fclose(file) == 0);
}

static void check_object(pd_s3* s3, const char* key, const unsigned char* data, size_t size) {
  unsigned char* got = NULL;
  size_t got_size = 0;
  CHECK_STATUS(pd_s3_get_bytes(s3, key, &got, &got_size), PD_OK);
  CHECK(got != NULL);
  CHECK(got_size == size);
  CHECK(memcmp(got, data, size) == 0);
  pd_bytes_free(got);
}

/* The details of the last failure have the status and message only. */
static void check_plain_details(const char* status_name) {
  const char* details = pd_last_error_details();
  char expected[64];
  snprintf(expected, sizeof expected, "\"status\":\"%s\"", status_name);
  CHECK_CONTAINS(details, expected);
  CHECK_CONTAINS(details, "\"message\":");
  CHECK(strstr(details, "httpStatus") == NULL);
  CHECK(strstr(details, "s3Code") == NULL);
  CHECK(strstr(details, "requestId") == NULL);
}

static void test_refusals_without_a_request(void) {
  pd_s3* s3 = (pd_s3*)&server; /* any non-NULL pointer: *out must be cleared on failure */
  char config[1024];

  CHECK_STATUS(pd_s3_open("{}", NULL), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "out");
  check_plain_details("invalid");

  CHECK_STATUS(pd_s3_open("{\"endpoint\": ", &s3), PD_ERR_INVALID);
  CHECK(s3 == NULL);
  CHECK_CONTAINS(pd_last_error(), "not valid JSON");

  /* Malformed right after the secret: the message must not quote it. */
  snprintf(config, sizeof config, "{\"secretKey\":\"%s\" \"bucket\"", server.secret_key);
  CHECK_STATUS(pd_s3_open(config, &s3), PD_ERR_INVALID);
  CHECK(strstr(pd_last_error(), server.secret_key) == NULL);
  CHECK(strstr(pd_last_error_details(), server.secret_key) == NULL);

  config_json(config, sizeof config, server.secret_key, ",\"colour\":\"blue\"");
  CHECK_STATUS(pd_s3_open(config, &s3), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "\"colour\"");

  config_json(config, sizeof config, server.secret_key, ",\"partSizeBytes\":\"5MiB\"");
  CHECK_STATUS(pd_s3_open(config, &s3), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "\"partSizeBytes\"");

  config_json(config, sizeof config, server.secret_key, ",\"partSizeBytes\":1024");
  CHECK_STATUS(pd_s3_open(config, &s3), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "\"partSizeBytes\"");

  config_json(config, sizeof config, server.secret_key,
              ",\"partSizeBytes\":10485760,\"multipartThresholdBytes\":5242880");
  CHECK_STATUS(pd_s3_open(config, &s3), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "\"multipartThresholdBytes\"");

  snprintf(config, sizeof config, "{\"endpoint\":\"%s\",\"accessKey\":7,\"secretKey\":\"x\"}",
           server.endpoint);
  CHECK_STATUS(pd_s3_open(config, &s3), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "\"accessKey\" must be a string");

  snprintf(config, sizeof config,
           "{\"endpoint\":\"%s\",\"accessKey\":\"a\",\"secretKey\":\"b\",\"bucket\":\"\"}",
           server.endpoint);
  CHECK_STATUS(pd_s3_open(config, &s3), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "\"bucket\" must not be empty");
  check_plain_details("invalid");

  snprintf(config, sizeof config,
           "{\"endpoint\":\"%s\",\"accessKey\":\"a\",\"secretKey\":\"b\",\"bucket\":\"Bad_Name\"}",
           server.endpoint);
  CHECK_STATUS(pd_s3_open(config, &s3), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "\"bucket\"");

  snprintf(config, sizeof config,
           "{\"endpoint\":\"ftp://x\",\"accessKey\":\"a\",\"secretKey\":\"b\",\"bucket\":\"bk1\"}");
  CHECK_STATUS(pd_s3_open(config, &s3), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "endpoint");

  snprintf(config, sizeof config, "{\"endpoint\":\"%s\",\"secretKey\":\"b\",\"bucket\":\"bk1\"}",
           server.endpoint);
  CHECK_STATUS(pd_s3_open(config, &s3), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "\"accessKey\" is required");

  /* NULL arguments and bad options on an open client, none of which sends anything. */
  s3 = open_s3(NULL);
  char* json = (char*)"not cleared";
  unsigned char* data = (unsigned char*)"not cleared";
  size_t size = 99;
  CHECK_STATUS(pd_s3_put_bytes(NULL, "k", "x", 1, NULL, &json), PD_ERR_INVALID);
  CHECK(json == NULL);
  CHECK_CONTAINS(pd_last_error(), "s3");
  CHECK_STATUS(pd_s3_put_bytes(s3, NULL, "x", 1, NULL, &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "key");
  CHECK_STATUS(pd_s3_put_bytes(s3, "k", NULL, 1, NULL, &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "data");
  CHECK_STATUS(pd_s3_put_bytes(s3, "k", "x", 1, NULL, NULL), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_put_file(s3, "k", NULL, NULL, &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_get_file(s3, "k", NULL, &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_get_bytes(s3, "k", &data, NULL), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_get_bytes(s3, "k", NULL, &size), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_get_bytes(s3, NULL, &data, &size), PD_ERR_INVALID);
  CHECK(data == NULL && size == 0);
  CHECK_STATUS(pd_s3_head(s3, NULL, &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_delete(s3, NULL), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_delete_many(s3, NULL, &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_list(s3, NULL, NULL), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_presign(s3, NULL, "k", 60, &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_presign(s3, "GET", "k", 60, NULL), PD_ERR_INVALID);
  check_plain_details("invalid");

  CHECK_STATUS(pd_s3_put_bytes(s3, "a//b", "x", 1, NULL, &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "'a//b'");
  CHECK_STATUS(pd_s3_put_bytes(s3, "k", "x", 1, "{\"contentTyp\":\"a/b\"}", &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "\"contentTyp\"");
  CHECK_STATUS(pd_s3_put_bytes(s3, "k", "x", 1, "{\"metadata\":{\"a b\":\"c\"}}", &json),
               PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "'a b'");
  CHECK_STATUS(pd_s3_list(s3, "{\"maxKeys\":0}", &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "\"maxKeys\"");
  CHECK_STATUS(pd_s3_list(s3, "{\"maxKeys\":1001}", &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_list(s3, "[]", &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_delete_many(s3, "[\"ok\", 3]", &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "keys_json[1]");
  CHECK_STATUS(pd_s3_delete_many(s3, "{\"keys\":[]}", &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_presign(s3, "DELETE", "k", 60, &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "DELETE");
  CHECK_STATUS(pd_s3_presign(s3, "GET", "k", 0, &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_presign(s3, "GET", "k", 604801, &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "expires_seconds");

  /* A directory is not something to upload. */
  CHECK_STATUS(pd_s3_put_file(s3, "k", dir, NULL, &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "not a regular file");
  pd_s3_close(s3);
  pd_s3_close(NULL);
}

static void test_put_get_head_delete(void) {
  pd_s3* s3 = open_s3(NULL);
  char key[256], path[512], back[512];
  char* json = NULL;
  const size_t size = 100000;
  unsigned char* data = make_bytes(size, 1);

  /* From a buffer, with headers and metadata. */
  key_of(key, sizeof key, "buffer.bin");
  CHECK_STATUS(pd_s3_put_bytes(s3, key, data, size,
                               "{\"contentType\":\"image/x-test\",\"cacheControl\":\"max-age=60\","
                               "\"metadata\":{\"source\":\"c-test\"}}",
                               &json),
               PD_OK);
  CHECK_CONTAINS(json, "\"size\":100000");
  CHECK_CONTAINS(json, "\"multipart\":false");
  char put_etag[128];
  field_value(json, "etag", put_etag, sizeof put_etag);
  CHECK(strlen(put_etag) == 32); /* an MD5, without S3's quotes */
  pd_string_free(json);
  check_object(s3, key, data, size);

  CHECK_STATUS(pd_s3_head(s3, key, &json), PD_OK);
  CHECK_CONTAINS(json, "\"size\":100000");
  CHECK_CONTAINS(json, "\"contentType\":\"image/x-test\"");
  CHECK_CONTAINS(json, "\"cacheControl\":\"max-age=60\"");
  CHECK_CONTAINS(json, "\"metadata\":{\"source\":\"c-test\"}");
  char value[128];
  field_value(json, "etag", value, sizeof value);
  CHECK_STR(value, put_etag);
  field_value(json, "key", value, sizeof value);
  CHECK_STR(value, key);
  field_value(json, "lastModified", value, sizeof value);
  /* ISO 8601 of this year or later: 2026-12-06T13:00:00Z */
  CHECK(strlen(value) == 20 && value[4] == '-' && value[10] == 'T' && value[19] == 'Z');
  CHECK(strncmp(value, "2026", 4) >= 0);
  pd_string_free(json);

  /* To a file, which gets the head. */
  snprintf(back, sizeof back, "%s/back.bin", dir);
  CHECK_STATUS(pd_s3_get_file(s3, key, back, &json), PD_OK);
  CHECK_CONTAINS(json, "\"contentType\":\"image/x-test\"");
  pd_string_free(json);
  size_t back_size = 0;
  unsigned char* back_data = read_whole_file(back, &back_size);
  CHECK(back_size == size && memcmp(back_data, data, size) == 0);
  free(back_data);

  /* From a file. */
  unsigned char* other = make_bytes(4321, 2);
  snprintf(path, sizeof path, "%s/upload.bin", dir);
  write_file(path, other, 4321);
  key_of(key, sizeof key, "file.bin");
  CHECK_STATUS(pd_s3_put_file(s3, key, path, NULL, &json), PD_OK);
  CHECK_CONTAINS(json, "\"size\":4321");
  pd_string_free(json);
  check_object(s3, key, other, 4321);
  CHECK_STATUS(pd_s3_head(s3, key, &json), PD_OK);
  CHECK_CONTAINS(json, "\"contentType\":\"application/octet-stream\"");
  pd_string_free(json);

  /* An empty object is still bytes the caller frees. */
  key_of(key, sizeof key, "empty");
  CHECK_STATUS(pd_s3_put_bytes(s3, key, NULL, 0, NULL, &json), PD_OK);
  pd_string_free(json);
  unsigned char* empty = NULL;
  size_t empty_size = 99;
  CHECK_STATUS(pd_s3_get_bytes(s3, key, &empty, &empty_size), PD_OK);
  CHECK(empty != NULL && empty_size == 0);
  pd_bytes_free(empty);

  /* Delete, then the object is gone: PD_ERR_NOT_FOUND, and deleting again still succeeds. */
  key_of(key, sizeof key, "file.bin");
  CHECK_STATUS(pd_s3_delete(s3, key), PD_OK);
  CHECK_STATUS(pd_s3_head(s3, key, &json), PD_ERR_NOT_FOUND);
  CHECK(json == NULL);
  CHECK_CONTAINS(pd_last_error(), key);
  check_plain_details("not_found");
  CHECK_STATUS(pd_s3_delete(s3, key), PD_OK);
  key_of(key, sizeof key, "buffer.bin");
  CHECK_STATUS(pd_s3_delete(s3, key), PD_OK);
  key_of(key, sizeof key, "empty");
  CHECK_STATUS(pd_s3_delete(s3, key), PD_OK);

  free(other);
  free(data);
  pd_s3_close(s3);
}

static void test_multipart(void) {
  /* S3's smallest parts: ~11 MiB goes up in three. */
  pd_s3* s3 = open_s3(",\"partSizeBytes\":5242880,\"multipartThresholdBytes\":5242880");
  const size_t size = (11u << 20) + 777;
  unsigned char* data = make_bytes(size, 3);
  char key[256], path[512];
  char* json = NULL;

  key_of(key, sizeof key, "multipart-buffer.bin");
  CHECK_STATUS(pd_s3_put_bytes(s3, key, data, size, NULL, &json), PD_OK);
  CHECK_CONTAINS(json, "\"multipart\":true");
  CHECK_CONTAINS(json, "\"parts\":3");
  char etag[128];
  field_value(json, "etag", etag, sizeof etag);
  CHECK(strlen(etag) > 2 && strcmp(etag + strlen(etag) - 2, "-3") == 0);
  pd_string_free(json);
  check_object(s3, key, data, size);
  CHECK_STATUS(pd_s3_delete(s3, key), PD_OK);

  snprintf(path, sizeof path, "%s/big.bin", dir);
  write_file(path, data, size);
  key_of(key, sizeof key, "multipart-file.bin");
  CHECK_STATUS(pd_s3_put_file(s3, key, path, NULL, &json), PD_OK);
  CHECK_CONTAINS(json, "\"parts\":3");
  pd_string_free(json);
  check_object(s3, key, data, size);
  CHECK_STATUS(pd_s3_delete(s3, key), PD_OK);
  free(data);
  pd_s3_close(s3);
}

static void test_list_pages_and_delete_many(void) {
  pd_s3* s3 = open_s3(NULL);
  const char* names[] = {"list/a", "list/b", "list/c", "list/d", "list/e"};
  char key[256];
  char* json = NULL;
  for (size_t i = 0; i < 5; ++i) {
    key_of(key, sizeof key, names[i]);
    CHECK_STATUS(pd_s3_put_bytes(s3, key, names[i], strlen(names[i]), NULL, &json), PD_OK);
    pd_string_free(json);
  }

  char list_prefix[256];
  key_of(list_prefix, sizeof list_prefix, "list/");
  char token[1024] = "";
  size_t seen = 0, pages = 0;
  for (;;) {
    char options[2048];
    if (token[0] != '\0') {
      snprintf(options, sizeof options,
               "{\"prefix\":\"%s\",\"maxKeys\":2,\"continuationToken\":\"%s\"}", list_prefix,
               token);
    } else {
      snprintf(options, sizeof options, "{\"prefix\":\"%s\",\"maxKeys\":2}", list_prefix);
    }
    CHECK_STATUS(pd_s3_list(s3, options, &json), PD_OK);
    ++pages;
    /* Each object of the page, in key order, with its size. */
    const char* at = json;
    while ((at = strstr(at, "{\"etag\":")) != NULL) {
      char listed[256];
      field_value(at, "key", listed, sizeof listed);
      key_of(key, sizeof key, names[seen]);
      CHECK_STR(listed, key);
      char size_field[32];
      snprintf(size_field, sizeof size_field, "\"size\":%zu", strlen(names[seen]));
      CHECK_CONTAINS(at, size_field);
      CHECK_CONTAINS(at, "\"lastModified\":\"20");
      ++seen;
      ++at;
    }
    if (strstr(json, "\"nextContinuationToken\":null") != NULL) {
      pd_string_free(json);
      break;
    }
    field_value(json, "nextContinuationToken", token, sizeof token);
    pd_string_free(json);
    CHECK(pages < 10);
  }
  CHECK(seen == 5);
  CHECK(pages == 3);

  /* A delimiter rolls keys up into common prefixes. */
  char options[512];
  snprintf(options, sizeof options, "{\"prefix\":\"%s\",\"delimiter\":\"/\"}", prefix);
  CHECK_STATUS(pd_s3_list(s3, options, &json), PD_OK);
  char rolled[300];
  snprintf(rolled, sizeof rolled, "\"commonPrefixes\":[\"%s\"]", list_prefix);
  CHECK_CONTAINS(json, rolled);
  pd_string_free(json);

  /* Delete many, with a key that never existed: all deleted, no errors. */
  char keys[2048] = "[";
  for (size_t i = 0; i < 5; ++i) {
    key_of(key, sizeof key, names[i]);
    snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "\"%s\",", key);
  }
  key_of(key, sizeof key, "list/never-there");
  snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "\"%s\"]", key);
  CHECK_STATUS(pd_s3_delete_many(s3, keys, &json), PD_OK);
  CHECK_CONTAINS(json, "\"errors\":[]");
  for (size_t i = 0; i < 5; ++i) {
    char quoted[300];
    key_of(key, sizeof key, names[i]);
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    CHECK_CONTAINS(json, quoted);
  }
  pd_string_free(json);
  snprintf(options, sizeof options, "{\"prefix\":\"%s\"}", list_prefix);
  CHECK_STATUS(pd_s3_list(s3, options, &json), PD_OK);
  CHECK_CONTAINS(json, "\"objects\":[]");
  CHECK_CONTAINS(json, "\"nextContinuationToken\":null");
  pd_string_free(json);

  CHECK_STATUS(pd_s3_delete_many(s3, "[]", &json), PD_OK);
  CHECK_STR(json, "{\"deleted\":[],\"errors\":[]}");
  pd_string_free(json);
  pd_s3_close(s3);
}

/* What a plain HTTP request (libcurl, no credentials) got. */
static void test_presigned_urls(void) {
  pd_s3* s3 = open_s3(NULL);
  char key[256], path[512];
  char* json = NULL;
  char* url = NULL;
  unsigned char* data = make_bytes(6000, 4);

  key_of(key, sizeof key, "shared/photo +1.jpg");
  CHECK_STATUS(pd_s3_put_bytes(s3, key, data, 6000, NULL, &json), PD_OK);
  pd_string_free(json);
  CHECK_STATUS(pd_s3_presign(s3, "GET", key, 300, &url), PD_OK);
  CHECK(strncmp(url, server.endpoint, strlen(server.endpoint)) == 0);
  CHECK_CONTAINS(url, "X-Amz-Signature=");
  CHECK_CONTAINS(url, "X-Amz-Expires=300");
  CHECK(strstr(url, server.secret_key) == NULL);
  struct http_body body = {NULL, 0};
  CHECK(http_request(url, NULL, 0, &body) == 200);
  CHECK(body.size == 6000 && memcmp(body.data, data, 6000) == 0);
  free(body.data);
  pd_string_free(url);
  CHECK_STATUS(pd_s3_delete(s3, key), PD_OK);

  /* A presigned PUT takes a plain upload, which then reads back. */
  unsigned char* upload = make_bytes(9000, 5);
  snprintf(path, sizeof path, "%s/presigned-put.bin", dir);
  write_file(path, upload, 9000);
  key_of(key, sizeof key, "shared/dropped.bin");
  CHECK_STATUS(pd_s3_presign(s3, "PUT", key, 300, &url), PD_OK);
  body.data = NULL;
  body.size = 0;
  CHECK(http_request(url, path, 9000, &body) == 200);
  free(body.data);
  check_object(s3, key, upload, 9000);
  /* The signature covers the method: the PUT URL does not read. */
  body.data = NULL;
  body.size = 0;
  CHECK(http_request(url, NULL, 0, &body) == 403);
  free(body.data);
  pd_string_free(url);
  CHECK_STATUS(pd_s3_delete(s3, key), PD_OK);

  free(upload);
  free(data);
  pd_s3_close(s3);
}

/* ---- asynchronous forms ------------------------------------------------------------------- */

struct outcome {
  pthread_mutex_t mutex;
  pthread_cond_t done;
  int called;
  int status;
  char json[4096];    /* the JSON, or the error message */
  char details[4096]; /* pd_last_error_details() during the callback */
  unsigned char* bytes;
  size_t size;
  pthread_t thread;
};

static void outcome_init(struct outcome* o) {
  memset(o, 0, sizeof *o);
  pthread_mutex_init(&o->mutex, NULL);
  pthread_cond_init(&o->done, NULL);
}

static void outcome_set(struct outcome* o, int status, const char* text) {
  pthread_mutex_lock(&o->mutex);
  o->status = status;
  snprintf(o->json, sizeof o->json, "%s", text ? text : "(null)");
  snprintf(o->details, sizeof o->details, "%s", pd_last_error_details());
  o->thread = pthread_self();
  ++o->called;
  pthread_cond_signal(&o->done);
  pthread_mutex_unlock(&o->mutex);
}

static void on_json(void* user, int status, const char* json, const char* error) {
  if (status == PD_OK) CHECK(error == NULL);
  if (status != PD_OK) CHECK(json == NULL && error != NULL && strcmp(error, pd_last_error()) == 0);
  outcome_set(user, status, status == PD_OK ? json : error);
}

static void on_bytes(void* user, int status, const unsigned char* data, size_t size,
                     const char* error) {
  struct outcome* o = user;
  if (status == PD_OK) {
    CHECK(data != NULL && error == NULL);
    o->bytes = malloc(size + 1);
    CHECK(o->bytes != NULL);
    memcpy(o->bytes, data, size);
    o->size = size;
  } else {
    CHECK(data == NULL && size == 0 && error != NULL);
  }
  outcome_set(o, status, error);
}

static void wait_for(struct outcome* o) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 60;
  pthread_mutex_lock(&o->mutex);
  while (!o->called) CHECK(pthread_cond_timedwait(&o->done, &o->mutex, &deadline) == 0);
  pthread_mutex_unlock(&o->mutex);
  CHECK(o->called == 1);
}

/* A callback making a blocking call on the same handle, which the header allows. */
struct chained {
  pd_s3* s3;
  char key[256];
  struct outcome head;
};

static void head_from_callback(void* user, int status, const char* json, const char* error) {
  struct chained* c = user;
  (void)json;
  CHECK(status == PD_OK && error == NULL);
  char* head = NULL;
  const int head_status = pd_s3_head(c->s3, c->key, &head);
  outcome_set(&c->head, head_status, head);
  pd_string_free(head);
}

static void test_async_forms(void) {
  pd_s3* s3 = open_s3(NULL);
  char key[256], path[512], back[512];
  struct outcome o;
  unsigned char* data = make_bytes(50000, 6);

  /* put_bytes_async copies the bytes before returning: they are scribbled over at once. */
  key_of(key, sizeof key, "async/bytes.bin");
  unsigned char* scratch = malloc(50000);
  CHECK(scratch != NULL);
  memcpy(scratch, data, 50000);
  outcome_init(&o);
  CHECK_STATUS(
      pd_s3_put_bytes_async(s3, key, scratch, 50000, "{\"contentType\":\"text/x-a\"}", on_json, &o),
      PD_OK);
  memset(scratch, 0, 50000);
  free(scratch);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_OK);
  CHECK_CONTAINS(o.json, "\"size\":50000");
  CHECK(!pthread_equal(o.thread, pthread_self()));
  check_object(s3, key, data, 50000);

  outcome_init(&o);
  CHECK_STATUS(pd_s3_get_bytes_async(s3, key, on_bytes, &o), PD_OK);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_OK);
  CHECK(o.size == 50000 && memcmp(o.bytes, data, 50000) == 0);
  free(o.bytes);

  outcome_init(&o);
  CHECK_STATUS(pd_s3_head_async(s3, key, on_json, &o), PD_OK);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_OK);
  CHECK_CONTAINS(o.json, "\"contentType\":\"text/x-a\"");

  snprintf(back, sizeof back, "%s/async-back.bin", dir);
  outcome_init(&o);
  CHECK_STATUS(pd_s3_get_file_async(s3, key, back, on_json, &o), PD_OK);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_OK);
  CHECK_CONTAINS(o.json, "\"size\":50000");
  size_t back_size = 0;
  unsigned char* back_data = read_whole_file(back, &back_size);
  CHECK(back_size == 50000 && memcmp(back_data, data, 50000) == 0);
  free(back_data);

  snprintf(path, sizeof path, "%s/async-upload.bin", dir);
  write_file(path, data, 20000);
  char file_key[256];
  key_of(file_key, sizeof file_key, "async/file.bin");
  outcome_init(&o);
  CHECK_STATUS(pd_s3_put_file_async(s3, file_key, path, NULL, on_json, &o), PD_OK);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_OK);
  CHECK_CONTAINS(o.json, "\"size\":20000");
  check_object(s3, file_key, data, 20000);

  char async_prefix[256], options[512];
  key_of(async_prefix, sizeof async_prefix, "async/");
  snprintf(options, sizeof options, "{\"prefix\":\"%s\",\"maxKeys\":1}", async_prefix);
  outcome_init(&o);
  CHECK_STATUS(pd_s3_list_async(s3, options, on_json, &o), PD_OK);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_OK);
  CHECK_CONTAINS(o.json, key); /* "async/bytes.bin" sorts first */
  CHECK(strstr(o.json, "\"nextContinuationToken\":null") == NULL);

  outcome_init(&o);
  CHECK_STATUS(pd_s3_delete_async(s3, file_key, on_json, &o), PD_OK);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_OK);
  CHECK_STR(o.json, "(null)");
  char* json = NULL;
  CHECK_STATUS(pd_s3_head(s3, file_key, &json), PD_ERR_NOT_FOUND);

  char keys[600];
  snprintf(keys, sizeof keys, "[\"%s\"]", key);
  outcome_init(&o);
  CHECK_STATUS(pd_s3_delete_many_async(s3, keys, on_json, &o), PD_OK);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_OK);
  CHECK_CONTAINS(o.json, "\"deleted\":[\"");
  CHECK_CONTAINS(o.json, "\"errors\":[]");

  /* Failures reach the callback, with the details set while it runs. */
  outcome_init(&o);
  CHECK_STATUS(pd_s3_get_bytes_async(s3, key, on_bytes, &o), PD_OK);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(o.details, "\"status\":\"not_found\"");
  outcome_init(&o);
  CHECK_STATUS(pd_s3_head_async(s3, key, on_json, &o), PD_OK);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(o.json, key);

  /* Refused arguments are returned at once and the callback is never called. */
  outcome_init(&o);
  CHECK_STATUS(pd_s3_head_async(s3, "a//b", on_json, &o), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_head_async(s3, key, NULL, &o), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "callback");
  CHECK_STATUS(pd_s3_put_file_async(s3, key, "/nonexistent/pindeck.bin", NULL, on_json, &o),
               PD_ERR_NOT_FOUND);
  CHECK_STATUS(pd_s3_put_bytes_async(s3, key, "x", 1, "{\"bad\":1}", on_json, &o), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_list_async(s3, "{\"maxKeys\":-1}", on_json, &o), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_delete_many_async(s3, "[1]", on_json, &o), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_get_file_async(s3, key, "", on_json, &o), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_get_bytes_async(NULL, key, on_bytes, &o), PD_ERR_INVALID);
  CHECK_STATUS(pd_s3_delete_async(s3, key, NULL, &o), PD_ERR_INVALID);

  /* A callback may make blocking calls on its own handle. */
  struct chained chain;
  chain.s3 = s3;
  key_of(chain.key, sizeof chain.key, "async/chained.bin");
  outcome_init(&chain.head);
  CHECK_STATUS(pd_s3_put_bytes_async(s3, chain.key, data, 1234, NULL, head_from_callback, &chain),
               PD_OK);
  wait_for(&chain.head);
  CHECK_STATUS(chain.head.status, PD_OK);
  CHECK_CONTAINS(chain.head.json, "\"size\":1234");
  CHECK_STATUS(pd_s3_delete(s3, chain.key), PD_OK);

  /* Closing waits for every call in flight: all callbacks have run when it returns. */
  enum { kInFlight = 8 };
  struct outcome many[kInFlight];
  for (int i = 0; i < kInFlight; ++i) {
    char name[64];
    snprintf(name, sizeof name, "async/closing-%d.bin", i);
    key_of(key, sizeof key, name);
    outcome_init(&many[i]);
    CHECK_STATUS(pd_s3_put_bytes_async(s3, key, data, 30000, NULL, on_json, &many[i]), PD_OK);
  }
  pd_s3_close(s3);
  for (int i = 0; i < kInFlight; ++i) {
    CHECK(many[i].called == 1);
    CHECK_STATUS(many[i].status, PD_OK);
  }
  s3 = open_s3(NULL);
  for (int i = 0; i < kInFlight; ++i) {
    char name[64];
    snprintf(name, sizeof name, "async/closing-%d.bin", i);
    key_of(key, sizeof key, name);
    check_object(s3, key, data, 30000);
    CHECK_STATUS(pd_s3_delete(s3, key), PD_OK);
  }
  free(data);
  pd_s3_close(s3);
}

/* ---- the environment, and failures the server reports --------------------------------------- */

static void test_from_environment(void) {
  const char* others[] = {"AWS_ENDPOINT_URL_S3",     "AWS_ENDPOINT_URL",  "AWS_REGION",
                          "AWS_DEFAULT_REGION",      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                          "AWS_SESSION_TOKEN",       "AWS_CA_BUNDLE",     "PINDECK_S3_CA_FILE",
                          "PINDECK_S3_SESSION_TOKEN"};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; ++i) unsetenv(others[i]);
  unsetenv("PINDECK_S3_ENDPOINT");
  pd_s3* s3 = (pd_s3*)&server;
  CHECK_STATUS(pd_s3_open(NULL, &s3), PD_ERR_INVALID);
  CHECK(s3 == NULL);
  CHECK_CONTAINS(pd_last_error(), "PINDECK_S3_ENDPOINT");

  setenv("PINDECK_S3_ENDPOINT", server.endpoint, 1);
  setenv("PINDECK_S3_REGION", server.region, 1);
  setenv("PINDECK_S3_ACCESS_KEY", server.access_key, 1);
  setenv("PINDECK_S3_SECRET_KEY", server.secret_key, 1);
  setenv("PINDECK_S3_BUCKET", server.bucket, 1);
  CHECK_STATUS(pd_s3_open(NULL, &s3), PD_OK);
  char key[256];
  char* json = NULL;
  key_of(key, sizeof key, "from-env.txt");
  CHECK_STATUS(pd_s3_put_bytes(s3, key, "env", 3, NULL, &json), PD_OK);
  pd_string_free(json);
  pd_s3_close(s3);

  /* The bucket came from PINDECK_S3_BUCKET: a client opened with JSON for it sees the object. */
  s3 = open_s3(NULL);
  check_object(s3, key, (const unsigned char*)"env", 3);
  CHECK_STATUS(pd_s3_delete(s3, key), PD_OK);
  pd_s3_close(s3);

  setenv("PINDECK_S3_BUCKET", "Not_A_Bucket", 1);
  CHECK_STATUS(pd_s3_open(NULL, &s3), PD_ERR_INVALID);
  unsetenv("PINDECK_S3_BUCKET");
  unsetenv("PINDECK_S3_SECRET_KEY");
  CHECK_STATUS(pd_s3_open(NULL, &s3), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "PINDECK_S3_SECRET_KEY");
  unsetenv("PINDECK_S3_ENDPOINT");
  unsetenv("PINDECK_S3_REGION");
  unsetenv("PINDECK_S3_ACCESS_KEY");
}

static void test_server_failures(void) {
  /* A wrong secret: S3's refusal with its HTTP status, code and request id, and no secret. */
  const char* wrong_secret = "wrongSecretKey/pindeck-c-test-000000000001";
  char config[1024];
  config_json(config, sizeof config, wrong_secret, NULL);
  pd_s3* s3 = NULL;
  CHECK_STATUS(pd_s3_open(config, &s3), PD_OK);
  char key[256];
  char* json = NULL;
  key_of(key, sizeof key, "denied.txt");
  CHECK_STATUS(pd_s3_put_bytes(s3, key, "no", 2, NULL, &json), PD_ERR_S3);
  CHECK(json == NULL);
  const char* details = pd_last_error_details();
  CHECK_CONTAINS(details, "\"status\":\"s3\"");
  CHECK_CONTAINS(details, "\"httpStatus\":403");
  CHECK_CONTAINS(details, "\"s3Code\":\"SignatureDoesNotMatch\"");
  char request_id[256];
  field_value(details, "requestId", request_id, sizeof request_id);
  CHECK(request_id[0] != '\0');
  CHECK_CONTAINS(pd_last_error(), request_id);
  CHECK_CONTAINS(pd_last_error(), "SignatureDoesNotMatch");
  CHECK(strstr(pd_last_error(), wrong_secret) == NULL);
  CHECK(strstr(details, wrong_secret) == NULL);
  CHECK(strstr(pd_last_error(), server.secret_key) == NULL);

  /* The same through a callback, where the details describe the failure while it runs. */
  struct outcome o;
  outcome_init(&o);
  CHECK_STATUS(pd_s3_list_async(s3, NULL, on_json, &o), PD_OK);
  wait_for(&o);
  CHECK_STATUS(o.status, PD_ERR_S3);
  CHECK_CONTAINS(o.details, "\"httpStatus\":403");
  CHECK_CONTAINS(o.details, "\"s3Code\":\"SignatureDoesNotMatch\"");
  CHECK(strstr(o.details, wrong_secret) == NULL);
  pd_s3_close(s3);

  /* A bucket that does not exist stays an S3 error, naming it. */
  char other[1024];
  snprintf(other, sizeof other,
           "{\"endpoint\":\"%s\",\"region\":\"%s\",\"accessKey\":\"%s\",\"secretKey\":\"%s\","
           "\"bucket\":\"pindeck-no-such-bucket-c\"}",
           server.endpoint, server.region, server.access_key, server.secret_key);
  CHECK_STATUS(pd_s3_open(other, &s3), PD_OK);
  CHECK_STATUS(pd_s3_list(s3, NULL, &json), PD_ERR_S3);
  CHECK_CONTAINS(pd_last_error_details(), "\"s3Code\":\"NoSuchBucket\"");
  pd_s3_close(s3);

  /* Missing objects and files. */
  s3 = open_s3(NULL);
  key_of(key, sizeof key, "never-written.bin");
  unsigned char* data = (unsigned char*)"x";
  size_t size = 9;
  CHECK_STATUS(pd_s3_get_bytes(s3, key, &data, &size), PD_ERR_NOT_FOUND);
  CHECK(data == NULL && size == 0);
  CHECK_CONTAINS(pd_last_error(), "NoSuchKey");
  check_plain_details("not_found");
  char path[512];
  snprintf(path, sizeof path, "%s/keep.bin", dir);
  write_file(path, (const unsigned char*)"kept", 4);
  CHECK_STATUS(pd_s3_get_file(s3, key, path, &json), PD_ERR_NOT_FOUND);
  size_t kept_size = 0;
  unsigned char* kept = read_whole_file(path, &kept_size);
  CHECK(kept_size == 4 && memcmp(kept, "kept", 4) == 0);
  free(kept);
  CHECK_STATUS(pd_s3_head(s3, key, &json), PD_ERR_NOT_FOUND);

  snprintf(path, sizeof path, "%s/no-such-file.bin", dir);
  CHECK_STATUS(pd_s3_put_file(s3, key, path, NULL, &json), PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(pd_last_error(), "no-such-file.bin");
  check_plain_details("not_found");
  pd_s3_close(s3);

  /* Nothing listens on the discard port: a network error after the retries. */
  snprintf(other, sizeof other,
           "{\"endpoint\":\"http://127.0.0.1:9\",\"accessKey\":\"a\",\"secretKey\":\"b\","
           "\"bucket\":\"%s\"}",
           server.bucket);
  CHECK_STATUS(pd_s3_open(other, &s3), PD_OK);
  CHECK_STATUS(pd_s3_delete(s3, "k"), PD_ERR_NETWORK);
  check_plain_details("network");
  pd_s3_close(s3);
}

int main(void) {
  server = load_s3_test_server();
  snprintf(prefix, sizeof prefix, "c-capi-s3-%ld-%ld/", (long)getpid(), (long)time(NULL));
  make_temp_dir(dir, sizeof dir, "s3");
  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);

  test_refusals_without_a_request();
  test_put_get_head_delete();
  test_multipart();
  test_list_pages_and_delete_many();
  test_presigned_urls();
  test_async_forms();
  test_from_environment();
  test_server_failures();

  curl_global_cleanup();
  char command[300];
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  CHECK(system(command) == 0);
  puts("capi_s3_test: ok");
  return 0;
}
