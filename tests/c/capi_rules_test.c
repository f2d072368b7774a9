/* SPDX-License-Identifier: Apache-2.0 */
/* What pd_record_create, pd_record_update, pd_record_search and pd_persistence_start refuse:
 * values the rest of the library refuses (object keys with "..", a storageId that is a path, a
 * time no date can show, a parent that does not exist), control characters, fields over their
 * limit, invalid UTF-8, and settings out of range. Each refusal names the field and changes
 * nothing; each limit itself is accepted. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"

static int count_records(pd_client* client) {
  char* page = NULL;
  CHECK_STATUS(pd_record_list(client, "{\"limit\":1000}", &page), PD_OK);
  int n = 0;
  for (const char* p = page; (p = strstr(p, "\"id\":")) != NULL; p += 5) n++;
  pd_string_free(page);
  return n;
}

static void refused(pd_client* client, const char* json, int status, const char* message) {
  const int before = count_records(client);
  char* out = (char*)1;
  CHECK_STATUS(pd_record_create(client, json, &out), status);
  CHECK(out == NULL);
  CHECK_CONTAINS(pd_last_error(), message);
  CHECK(count_records(client) == before);
}

static char* created(pd_client* client, const char* json) {
  char* out = NULL;
  CHECK_STATUS(pd_record_create(client, json, &out), PD_OK);
  return out;
}

/* {"<field>":"<count times unit>"} in memory the caller frees. */
static char* record_with_repeated(const char* field, const char* unit, size_t count) {
  const size_t unit_len = strlen(unit);
  char* json = malloc(strlen(field) + unit_len * count + 16);
  CHECK(json != NULL);
  char* p = json + sprintf(json, "{\"%s\":\"", field);
  for (size_t i = 0; i < count; ++i, p += unit_len) memcpy(p, unit, unit_len);
  strcpy(p, "\"}");
  return json;
}

static void test_what_the_rest_refuses(pd_client* client) {
  refused(client, "{\"storagePath\":\"media-uploads/../../etc/passwd\"}", PD_ERR_INVALID,
          "storagePath: object key must not contain a \".\" or \"..\" segment");
  refused(client, "{\"derivativeStoragePaths\":{\"small\":\"a/../b\"}}", PD_ERR_INVALID,
          "derivativeStoragePaths.small: object key must not contain");
  refused(client, "{\"storageId\":\"../../../../etc/passwd\"}", PD_ERR_INVALID,
          "storageId: must be 32 lowercase hexadecimal digits");
  refused(client, "{\"storageBucket\":\"UPPER\"}", PD_ERR_INVALID,
          "storageBucket: bucket \"UPPER\" is not a valid S3 bucket name");
  refused(client, "{\"uploadedAt\":9223372036854775807}", PD_ERR_INVALID,
          "uploadedAt: must be at most 253402300799999 (9999-12-31T23:59:59.999Z)");
  refused(client, "{\"ingestedAt\":253402300800000}", PD_ERR_INVALID,
          "ingestedAt: must be at most");
  refused(client, "{\"width\":9007199254740992}", PD_ERR_INVALID,
          "width: must be at most 9007199254740991");
  refused(client, "{\"parentImageId\":\"0000000000000nope\"}", PD_ERR_CONFLICT,
          "parentImageId: no record with id \"0000000000000nope\"");

  char* at_limit = created(client,
                           "{\"uploadedAt\":253402300799999,\"storageId\":"
                           "\"0123456789abcdef0123456789abcdef\",\"storagePath\":\"a/b.jpg\"}");
  CHECK_CONTAINS(at_limit, "\"uploadedAt\":253402300799999");
  char parent[64];
  field_value(at_limit, "id", parent, sizeof parent);
  pd_string_free(at_limit);
  char child_json[256];
  snprintf(child_json, sizeof child_json, "{\"title\":\"child\",\"parentImageId\":\"%s\"}", parent);
  char* child = created(client, child_json);
  char child_id[64];
  field_value(child, "id", child_id, sizeof child_id);
  pd_string_free(child);

  /* An update may not point a record at a missing parent or at its own descendant. */
  char* out = (char*)1;
  CHECK_STATUS(
      pd_record_update(client, child_id, "{\"parentImageId\":\"0000000000000nope\"}", &out),
      PD_ERR_CONFLICT);
  CHECK(out == NULL);
  char patch[128];
  snprintf(patch, sizeof patch, "{\"parentImageId\":\"%s\"}", child_id);
  CHECK_STATUS(pd_record_update(client, parent, patch, &out), PD_ERR_CONFLICT);
  CHECK_CONTAINS(pd_last_error(), "would make the record its own ancestor");
  snprintf(patch, sizeof patch, "{\"parentImageId\":\"%s\"}", parent);
  CHECK_STATUS(pd_record_update(client, parent, patch, &out), PD_ERR_CONFLICT);
}

static void test_control_characters(pd_client* client) {
  refused(client, "{\"title\":\"x\\u001b[2Jy\"}", PD_ERR_INVALID,
          "title: contains the control character U+001B at character 1; a one-line field takes "
          "no control characters");
  refused(client, "{\"title\":\"two\\nlines\"}", PD_ERR_INVALID,
          "title: contains the control "
          "character U+000A");
  refused(client, "{\"tags\":[\"ok\",\"t\\tab\"]}", PD_ERR_INVALID,
          "tags[1]: contains the control");
  refused(client, "{\"category\":\"\\u009b\"}", PD_ERR_INVALID,
          "category: contains the control character U+009B");
  refused(client, "{\"description\":\"bell\\u0007\"}", PD_ERR_INVALID,
          "description: contains the control character U+0007 at character 4; only newline and "
          "tab are allowed");
  char* ok = created(client, "{\"description\":\"line 1\\n\\tline 2\"}");
  CHECK_CONTAINS(ok, "\"description\":\"line 1\\n\\tline 2\"");
  char id[64];
  field_value(ok, "id", id, sizeof id);

  char* out = (char*)1;
  CHECK_STATUS(pd_record_update(client, id, "{\"title\":\"\\u001b]0;pwned\\u0007\"}", &out),
               PD_ERR_INVALID);
  CHECK(out == NULL);
  CHECK_CONTAINS(pd_last_error(), "title: contains the control character U+001B");
  char* now = NULL;
  CHECK_STATUS(pd_record_get(client, id, &now), PD_OK);
  CHECK_STR(now, ok);
  pd_string_free(now);
  pd_string_free(ok);
}

static void test_limits(pd_client* client) {
  char* json = record_with_repeated("description", "\xc3\xa9", 10000); /* 10000 characters */
  char* ok = created(client, json);
  pd_string_free(ok);
  free(json);
  json = record_with_repeated("description", "d", 10001);
  refused(client, json, PD_ERR_INVALID,
          "description: must be at most 10000 characters (got 10001)");
  free(json);
  json = record_with_repeated("sref", "s", 1001);
  refused(client, json, PD_ERR_INVALID, "sref: must be at most 1000 characters (got 1001)");
  free(json);
  json = record_with_repeated("sourceUrl", "u", 8193);
  refused(client, json, PD_ERR_INVALID, "sourceUrl: must be at most 8192 bytes (got 8193)");
  free(json);

  /* The 50 MB description: refused before it is parsed. */
  json = record_with_repeated("description", "x", 50u << 20);
  refused(client, json, PD_ERR_INVALID, "record: JSON text of 52428818 bytes is over the limit");
  free(json);

  /* 101 tags in a batch: the whole batch is refused. */
  char batch[2048];
  char* p = batch + sprintf(batch, "[{\"title\":\"fine\"},{\"tags\":[");
  for (int i = 0; i < 101; ++i) p += sprintf(p, "%s\"t%d\"", i ? "," : "", i);
  strcpy(p, "]}]");
  const int before = count_records(client);
  char* out = (char*)1;
  CHECK_STATUS(pd_record_create_batch(client, batch, &out), PD_ERR_INVALID);
  CHECK(out == NULL);
  CHECK_STR(pd_last_error(), "record 1 of the batch: tags: at most 100 tags are allowed (got 101)");
  CHECK(count_records(client) == before);

  /* A batch over its size limits is refused before it is parsed or read. */
  char* big = record_with_repeated("description", "x", PD_MAX_BATCH_JSON_BYTES);
  CHECK_STATUS(pd_record_create_batch(client, big, &out), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "bytes is over the limit of 16777216 bytes for a batch");
  free(big);
  const size_t many = PD_MAX_BATCH_RECORDS + 1;
  char* list = malloc(many * 3 + 2);
  CHECK(list != NULL);
  char* q = list;
  *q++ = '[';
  for (size_t i = 0; i < many; ++i) q += sprintf(q, "%s{}", i ? "," : "");
  strcpy(q, "]");
  CHECK_STATUS(pd_record_create_batch(client, list, &out), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "records: a batch holds at most 1000 records (got 1001)");
  free(list);
  CHECK(count_records(client) == before);

  /* Upload metadata follows the same rules; nothing is staged or stored. */
  CHECK_STATUS(pd_upload_bytes(client, "x", 1, "x.png", "{\"title\":\"a\\u0000b\"}", &out),
               PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "title: contains the control character U+0000");
  CHECK(count_records(client) == before);
}

static void test_search_refuses_invalid_utf8(pd_client* client) {
  char* out = (char*)1;
  CHECK_STATUS(pd_record_search(client, "caf\xe9", NULL, &out), PD_ERR_INVALID);
  CHECK(out == NULL);
  CHECK_STR(pd_last_error(), "text: is not valid UTF-8 (at byte 3)");
  CHECK_STATUS(pd_record_search(client, "caf\xc3\xa9", NULL, &out), PD_OK);
  pd_string_free(out);
}

static void test_settings(const char* dir) {
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(dir, &client), PD_OK);
  static const char* const bad[][2] = {
      {"{\"keyPrefix\":\"../../x\"}", "keyPrefix is invalid: prefix must not contain a \".\""},
      {"{\"keyPrefix\":\"/etc\"}", "keyPrefix is invalid: prefix must not start with '/'"},
      {"{\"keyPrefix\":\"UPPER case!\"}", "keyPrefix is invalid: prefix may only contain"},
      {"{\"cpuThreads\":-3}", "cpuThreads must be 0 to 256 (0: one per core) (got -3)"},
      {"{\"maxUploadBytes\":-1}", "maxUploadBytes must not be negative (got -1)"},
      {"{\"maxUploadBytes\":0}", "maxUploadBytes must be 1 to 5497558138880 bytes (got 0)"},
      {"{\"maxInFlight\":1e9}", "maxInFlight must be 1 to 64 (got 1000000000)"},
      {"{\"maxInFlight\":1e30}", "maxInFlight is out of range"},
      {"{\"maxInFlight\":2.5}", "maxInFlight must be a whole number, not 2.5"},
      {"{\"maxUploading\":-1}", "maxUploading must be 0 to 1024 (got -1)"},
      {"{\"maxAttempts\":0}", "maxAttempts must be 1 to 100 (got 0)"},
      {"{\"leaseMs\":5}", "leaseMs must be 100 to 86400000 ms (got 5)"},
      {"{\"retryMinDelayMs\":500,\"retryMaxDelayMs\":100}",
       "retryMaxDelayMs must be 500 to 86400000 ms (got 100)"},
      {"{\"s3\":{\"endpoint\":\"ftp://x\"}}", "s3.endpoint is invalid"},
      {"{\"stagingDir\":\"shared/staging\"}",
       "stagingDir must be an absolute path (got 'shared/staging')"},
      {"{\"stagingDir\":5}", "\"stagingDir\" has the wrong type"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    CHECK_STATUS(pd_persistence_start(client, bad[i][0]), PD_ERR_INVALID);
    CHECK_CONTAINS(pd_last_error(), "persistence config: ");
    CHECK_CONTAINS(pd_last_error(), bad[i][1]);
  }
  /* Nothing started: a good config still can, exactly once; its store is where it says. */
  char staging[300];
  snprintf(staging, sizeof staging, "%s-staging", dir);
  char good[400];
  snprintf(good, sizeof good,
           "{\"keyPrefix\":\"\",\"maxInFlight\":64,\"maxUploading\":0,\"stagingDir\":\"%s\"}",
           staging);
  CHECK_STATUS(pd_persistence_start(client, good), PD_OK);
  CHECK_STATUS(pd_persistence_start(client, NULL), PD_ERR_CONFLICT);
  struct stat made;
  CHECK(stat(staging, &made) == 0 && S_ISDIR(made.st_mode));
  pd_client_close(client);
}

int main(void) {
  char dir[] = "/tmp/pindeck-capi-rules-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char data[256];
  snprintf(data, sizeof data, "%s/records", dir);
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(data, &client), PD_OK);
  test_what_the_rest_refuses(client);
  test_control_characters(client);
  test_limits(client);
  test_search_refuses_invalid_utf8(client);
  pd_client_close(client);

  snprintf(data, sizeof data, "%s/settings", dir);
  test_settings(data);

  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
  puts("capi rules: ok");
  return 0;
}
