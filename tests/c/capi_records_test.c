/* SPDX-License-Identifier: Apache-2.0 */
/* The client and record functions of the C ABI, including bad input: status codes, pd_last_error
 * text, NULL out-parameters on failure, and nothing written. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"

/* The number of records a list answer holds: ids are the only fields named "id". */
static int count_records(pd_client* client) {
  char* page = NULL;
  CHECK_STATUS(pd_record_list(client, "{\"limit\":1000}", &page), PD_OK);
  int n = 0;
  for (const char* p = page; (p = strstr(p, "\"id\":")) != NULL; p += 5) n++;
  pd_string_free(page);
  return n;
}

static void test_open_errors(const char* tmp) {
  pd_client* client = (pd_client*)1;
  CHECK_STATUS(pd_client_open(NULL, &client), PD_ERR_INVALID);
  CHECK(client == NULL);
  CHECK_STR(pd_last_error(), "data_dir must not be NULL");
  CHECK_STATUS(pd_client_open(tmp, NULL), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "out must not be NULL");

  char file[600];
  snprintf(file, sizeof file, "%s/plain-file", tmp);
  FILE* f = fopen(file, "w");
  CHECK(f != NULL);
  fputs("not a folder", f);
  fclose(f);
  CHECK_STATUS(pd_client_open(file, &client), PD_ERR_IO);
  CHECK(client == NULL);
  CHECK_CONTAINS(pd_last_error(), "is not a directory");
}

static void test_round_trip(pd_client* client) {
  char* out = NULL;
  CHECK_STATUS(pd_record_create(client,
                                "{\"title\":\"Flow \\\"x\\\"; DROP TABLE records;\",\"tags\":"
                                "[\"river\",\"\\u6620\\u753b\"],\"category\":\"Film\","
                                "\"projectOrder\":2,\"description\":\"a\\nb\"}",
                                &out),
               PD_OK);
  CHECK_STR(pd_last_error(), "");
  char id[64];
  field_value(out, "id", id, sizeof id);
  CHECK(strlen(id) == 17);
  CHECK_CONTAINS(out, "\"uniqueId\":\"img-");
  CHECK_CONTAINS(out, "\"description\":\"a\\nb\"");
  CHECK_CONTAINS(out, "\"title\":\"Flow \\\"x\\\"; DROP TABLE records;\"");
  pd_string_free(out);

  CHECK_STATUS(pd_record_get(client, id, &out), PD_OK);
  CHECK_CONTAINS(out, "\"tags\":[\"river\",\"\xe6\x98\xa0\xe7\x94\xbb\"]");
  pd_string_free(out);

  CHECK_STATUS(pd_record_update(client, id, "{\"status\":\"draft\",\"description\":null}", &out),
               PD_OK);
  CHECK_CONTAINS(out, "\"status\":\"draft\"");
  CHECK(strstr(out, "description") == NULL);
  pd_string_free(out);

  CHECK_STATUS(pd_record_list(client, "{\"status\":\"draft\",\"tag\":\"river\"}", &out), PD_OK);
  CHECK_CONTAINS(out, id);
  CHECK_CONTAINS(out, "\"nextCursor\":null");
  pd_string_free(out);

  CHECK_STATUS(pd_record_search(client, "river", NULL, &out), PD_OK);
  CHECK_CONTAINS(out, id);
  pd_string_free(out);

  CHECK_STATUS(pd_record_delete(client, id), PD_OK);
  CHECK_STATUS(pd_record_get(client, id, &out), PD_ERR_NOT_FOUND);
  CHECK(out == NULL);
  CHECK_CONTAINS(pd_last_error(), "no record with id");
}

static void test_external_id_is_idempotent(pd_client* client) {
  char *a = NULL, *b = NULL;
  int before = count_records(client);
  CHECK_STATUS(pd_record_create(client, "{\"title\":\"pin\",\"externalId\":\"pinterest:b:1\"}", &a),
               PD_OK);
  CHECK_STATUS(
      pd_record_create(client, "{\"title\":\"again\",\"externalId\":\"pinterest:b:1\"}", &b),
      PD_OK);
  CHECK_STR(b, a);
  CHECK(count_records(client) == before + 1);
  pd_string_free(a);
  pd_string_free(b);
}

/* Each bad record is refused with `status`, a message containing `message`, and no record. */
static void expect_create_refused(pd_client* client, const char* json, int status,
                                  const char* message) {
  int before = count_records(client);
  char* out = (char*)1;
  CHECK_STATUS(pd_record_create(client, json, &out), status);
  CHECK(out == NULL);
  CHECK_CONTAINS(pd_last_error(), message);
  CHECK(count_records(client) == before);
}

static void test_bad_input(pd_client* client) {
  expect_create_refused(client, "{\"title\": \"x\",", PD_ERR_INVALID, "record: malformed JSON");
  expect_create_refused(client, "[1,2]", PD_ERR_INVALID, "record: must be a JSON object");
  expect_create_refused(client, "{\"title\":\"bad \xff byte\"}", PD_ERR_INVALID,
                        "record: malformed JSON");
  expect_create_refused(client, "{\"sourceType\":\"myspace\"}", PD_ERR_INVALID,
                        "sourceType: unknown value \"myspace\"");
  expect_create_refused(client, "{\"colors\":[\"#FFFFFF\"]}", PD_ERR_INVALID,
                        "colors[0]: \"#FFFFFF\" is not a lowercase #rrggbb colour");
  expect_create_refused(client, "{\"projectOrder\":1.5}", PD_ERR_INVALID,
                        "projectOrder: must be a whole number");
  expect_create_refused(client, "{\"projectOrder\":-2}", PD_ERR_INVALID,
                        "projectOrder: must not be negative");
  expect_create_refused(client, "{\"tags\":[\"\"]}", PD_ERR_INVALID,
                        "tags[0]: must not be an empty string");
  expect_create_refused(client, "{\"title\":7}", PD_ERR_INVALID, "title: must be a string");
  expect_create_refused(client, "{\"id\":\"mine\"}", PD_ERR_INVALID,
                        "id: is assigned by the library");

  char* out = (char*)1;
  CHECK_STATUS(pd_record_create(NULL, "{}", &out), PD_ERR_INVALID);
  CHECK(out == NULL);
  CHECK_STR(pd_last_error(), "client must not be NULL");
  CHECK_STATUS(pd_record_create(client, NULL, &out), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "record_json must not be NULL");
  CHECK_STATUS(pd_record_create(client, "{}", NULL), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "out_json must not be NULL");
  CHECK_STATUS(pd_record_get(client, NULL, &out), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "id must not be NULL");
  CHECK_STATUS(pd_record_delete(client, NULL), PD_ERR_INVALID);
  CHECK_STATUS(pd_record_search(client, NULL, NULL, &out), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "text must not be NULL");

  CHECK_STATUS(pd_record_list(client, "{\"colour\":\"red\"}", &out), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "query.colour: unknown field");
  CHECK_STATUS(pd_record_list(client, "{\"status\":\"gone\"}", &out), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "query.status: unknown value \"gone\"");
  CHECK_STATUS(pd_record_list(client, "{\"limit\":0}", &out), PD_ERR_INVALID);
  CHECK_STATUS(pd_record_list(client, "{\"cursor\":\"bogus\"}", &out), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "cursor:");
  CHECK_STATUS(pd_record_list(client, "{", &out), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "query: malformed JSON");
  CHECK_STATUS(pd_record_search(client, "  ", NULL, &out), PD_ERR_INVALID);
  CHECK(out == NULL);

  /* A refused update changes nothing. */
  char* stored = NULL;
  CHECK_STATUS(pd_record_create(client, "{\"title\":\"keep me\"}", &stored), PD_OK);
  char id[64];
  field_value(stored, "id", id, sizeof id);
  CHECK_STATUS(pd_record_update(client, id, "{\"title\":\"changed\",\"status\":\"bogus\"}", &out),
               PD_ERR_INVALID);
  CHECK(out == NULL);
  CHECK_CONTAINS(pd_last_error(), "status: unknown value \"bogus\"");
  CHECK_STATUS(pd_record_update(client, id, "not json", &out), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "patch: malformed JSON");
  char* now = NULL;
  CHECK_STATUS(pd_record_get(client, id, &now), PD_OK);
  CHECK_STR(now, stored);
  pd_string_free(now);
  pd_string_free(stored);

  /* A successful call clears the previous error. */
  CHECK_STATUS(pd_record_list(client, NULL, &out), PD_OK);
  CHECK_STR(pd_last_error(), "");
  pd_string_free(out);
}

static void test_paging(pd_client* client) {
  char* out = NULL;
  CHECK_STATUS(pd_record_create_batch(
                   client,
                   "[{\"title\":\"p1\",\"group\":\"pg\"},{\"title\":\"p2\",\"group\":\"pg\"},"
                   "{\"title\":\"p3\",\"group\":\"pg\"}]",
                   &out),
               PD_OK);
  CHECK_CONTAINS(out, "\"created\":[true,true,true]");
  pd_string_free(out);

  CHECK_STATUS(pd_record_create_batch(client, "[{\"title\":\"ok\"},{\"tags\":[5]}]", &out),
               PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "record 1 of the batch: tags[0]: must be a string, not a number");

  CHECK_STATUS(pd_record_list(client, "{\"group\":\"pg\",\"limit\":2}", &out), PD_OK);
  char cursor[256];
  field_value(out, "nextCursor", cursor, sizeof cursor);
  pd_string_free(out);
  char query[512];
  snprintf(query, sizeof query, "{\"group\":\"pg\",\"limit\":2,\"cursor\":\"%s\"}", cursor);
  CHECK_STATUS(pd_record_list(client, query, &out), PD_OK);
  CHECK_CONTAINS(out, "\"title\":\"p1\"");
  CHECK_CONTAINS(out, "\"nextCursor\":null");
  pd_string_free(out);
}

int main(void) {
  char tmp[512];
  make_temp_dir(tmp, sizeof tmp, "records");
  test_open_errors(tmp);

  char data[700];
  snprintf(data, sizeof data, "%s/data/nested", tmp);
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(data, &client), PD_OK);
  CHECK(client != NULL);
  test_round_trip(client);
  test_external_id_is_idempotent(client);
  test_bad_input(client);
  test_paging(client);
  pd_client_close(client);
  pd_client_close(NULL);

  char cmd[800];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  CHECK(system(cmd) == 0);
  puts("capi records: ok");
  return 0;
}
