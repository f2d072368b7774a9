/* SPDX-License-Identifier: Apache-2.0 */
/* pd_record_stats and pd_record_increment from C, with Pindeck's genre, style, shot, aiStatus and
 * variationType fields and their filters: answers, refusals naming what was wrong, NULL and
 * zeroed out-parameters on failure, and nothing changed by a refused call. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"

/* Creates a record and copies its id into `id` (17 characters). */
static void create(pd_client* client, const char* json, char id[32]) {
  char* out = NULL;
  CHECK_STATUS(pd_record_create(client, json, &out), PD_OK);
  const char* start = strstr(out, "\"id\":\"");
  CHECK(start != NULL);
  start += 6;
  CHECK(strlen(start) > 17 && start[17] == '"');
  memcpy(id, start, 17);
  id[17] = '\0';
  pd_string_free(out);
}

static void test_fields_and_filters(pd_client* client, const char* parent) {
  char id[32];
  char json[256];
  snprintf(json, sizeof json,
           "{\"title\":\"var\",\"parentImageId\":\"%s\",\"variationType\":\"style\","
           "\"genre\":\"Noir\",\"aiStatus\":\"queued\"}",
           parent);
  create(client, json, id);

  char* out = NULL;
  CHECK_STATUS(pd_record_get(client, id, &out), PD_OK);
  CHECK_CONTAINS(out, "\"variationType\":\"style\"");
  CHECK_CONTAINS(out, "\"aiStatus\":\"queued\"");
  CHECK_CONTAINS(out, "\"likes\":0");
  CHECK_CONTAINS(out, "\"views\":0");
  pd_string_free(out);

  CHECK_STATUS(pd_record_list(client, "{\"variationType\":\"style\"}", &out), PD_OK);
  CHECK_CONTAINS(out, "\"title\":\"var\"");
  CHECK(strstr(out, "\"title\":\"root\"") == NULL);
  pd_string_free(out);
  CHECK_STATUS(pd_record_list(client, "{\"shot\":\"OTS\",\"style\":\"VHS\"}", &out), PD_OK);
  CHECK_CONTAINS(out, "\"title\":\"root\"");
  CHECK(strstr(out, "\"title\":\"var\"") == NULL);
  pd_string_free(out);
  CHECK_STATUS(pd_record_list(client, "{\"aiStatus\":\"done\"}", &out), PD_ERR_INVALID);
  CHECK(out == NULL);
  CHECK_CONTAINS(pd_last_error(), "query.aiStatus: unknown value \"done\"");

  out = (char*)1;
  CHECK_STATUS(pd_record_create(client, "{\"title\":\"x\",\"shot\":\"a\\u0007\"}", &out),
               PD_ERR_INVALID);
  CHECK(out == NULL);
  CHECK_CONTAINS(pd_last_error(), "shot: contains the control character U+0007");
  CHECK_STATUS(pd_record_create(client, "{\"title\":\"x\",\"variationType\":\"style\"}", &out),
               PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "variationType: is only for a variation");
}

static void test_increment(pd_client* client, const char* id) {
  int64_t value = -1;
  CHECK_STATUS(pd_record_increment(client, id, PD_COUNTER_LIKES, 3, &value), PD_OK);
  CHECK(value == 3);
  CHECK_STATUS(pd_record_increment(client, id, PD_COUNTER_VIEWS, 1, &value), PD_OK);
  CHECK(value == 1);
  CHECK_STATUS(pd_record_increment(client, id, PD_COUNTER_LIKES, -1, NULL), PD_OK);

  value = 42;
  CHECK_STATUS(pd_record_increment(client, id, PD_COUNTER_LIKES, -3, &value), PD_ERR_INVALID);
  CHECK(value == 0);
  CHECK_STR(pd_last_error(), "likes: 2 - 3 would be negative; the count stays 2");
  CHECK_STATUS(pd_record_increment(client, id, 7, 1, &value), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "counter: must be PD_COUNTER_LIKES or PD_COUNTER_VIEWS");
  CHECK_STATUS(pd_record_increment(client, "00000000000000000", PD_COUNTER_VIEWS, 1, &value),
               PD_ERR_NOT_FOUND);
  CHECK_STATUS(pd_record_increment(client, NULL, PD_COUNTER_VIEWS, 1, &value), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "id must not be NULL");

  char* out = NULL;
  CHECK_STATUS(pd_record_get(client, id, &out), PD_OK);
  CHECK_CONTAINS(out, "\"likes\":2");
  CHECK_CONTAINS(out, "\"views\":1");
  pd_string_free(out);
}

static void test_stats(pd_client* client) {
  char* out = NULL;
  /* Four records were made: root (Film, Noir, VHS), var (General, Noir), two more below. */
  char id[32];
  create(client,
         "{\"title\":\"a\",\"category\":\"Film\",\"genre\":\"Drama\",\"status\":\"active\"}", id);
  create(client, "{\"title\":\"b\",\"category\":\"Film\",\"sourceType\":\"discord\"}", id);
  CHECK_STATUS(pd_record_stats(client, NULL, &out), PD_OK);
  CHECK_CONTAINS(out, "\"total\":4");
  CHECK_CONTAINS(
      out, "\"category\":[{\"count\":3,\"value\":\"Film\"},{\"count\":1,\"value\":\"General\"}]");
  CHECK_CONTAINS(out,
                 "\"genre\":[{\"count\":2,\"value\":\"Noir\"},{\"count\":1,\"value\":\"Drama\"}]");
  CHECK_CONTAINS(out, "\"style\":[{\"count\":1,\"value\":\"VHS\"}]");
  CHECK_CONTAINS(out, "\"sourceType\":[{\"count\":1,\"value\":\"discord\"}]");
  CHECK_CONTAINS(out, "\"status\":[{\"count\":1,\"value\":\"active\"}]");
  CHECK_CONTAINS(out, "\"moodboardName\":[]");
  pd_string_free(out);

  CHECK_STATUS(pd_record_stats(client, "{\"genre\":\"Noir\",\"limit\":1}", &out), PD_OK);
  CHECK_CONTAINS(out, "\"total\":2");
  CHECK_CONTAINS(
      out, "\"category\":[{\"count\":1,\"value\":\"Film\"},{\"count\":1,\"value\":\"General\"}]");
  pd_string_free(out);

  out = (char*)1;
  CHECK_STATUS(pd_record_stats(client, "{\"colour\":1}", &out), PD_ERR_INVALID);
  CHECK(out == NULL);
  CHECK_CONTAINS(pd_last_error(), "query.colour: unknown field");
  CHECK_STATUS(pd_record_stats(client, "{", &out), PD_ERR_INVALID);
  CHECK_STATUS(pd_record_stats(client, NULL, NULL), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "out_json must not be NULL");
}

int main(void) {
  char tmp[512];
  make_temp_dir(tmp, sizeof tmp, "stats");
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(tmp, &client), PD_OK);

  char root[32];
  create(client,
         "{\"title\":\"root\",\"category\":\"Film\",\"genre\":\"Noir\",\"style\":\"VHS\","
         "\"shot\":\"OTS\",\"aiStatus\":\"completed\"}",
         root);
  test_fields_and_filters(client, root);
  test_increment(client, root);
  test_stats(client);

  pd_client_close(client);
  int64_t value = 5;
  CHECK_STATUS(pd_record_increment(client, root, PD_COUNTER_LIKES, 1, &value), PD_ERR_MISUSE);
  CHECK(value == 0);
  char* out = (char*)1;
  CHECK_STATUS(pd_record_stats(client, NULL, &out), PD_ERR_MISUSE);
  CHECK(out == NULL);

  char cmd[800];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  CHECK(system(cmd) == 0);
  puts("capi stats: ok");
  return 0;
}
