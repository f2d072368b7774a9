/* SPDX-License-Identifier: Apache-2.0 */
/* Colour search through the C ABI: "color", "colorDistance" and "order": "closeness" in the query
 * JSON of pd_record_list, pd_record_search and pd_records_delete, their refusals, and
 * pd_resample_palette on an uploaded image and on records it cannot resample. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"

#define SAMPLE PINDECK_TEST_DATA "/images/truchet-l.webp"

/* How many records an answer holds: ids are the only fields named "id". */
static int count_ids(const char* json) {
  int n = 0;
  for (const char* p = json; (p = strstr(p, "\"id\":")) != NULL; p += 5) n++;
  return n;
}

static int list_count(pd_client* client, const char* query) {
  char* page = NULL;
  CHECK_STATUS(pd_record_list(client, query, &page), PD_OK);
  const int n = count_ids(page);
  pd_string_free(page);
  return n;
}

int main(void) {
  char dir[] = "/tmp/pindeck-c-colour-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(dir, &client), PD_OK);

  char* json = NULL;
  /* #d23c3c is sqrt((2 + 205/256)*100 + 4*100 + (2 + 50/256)*100) = 29.9935 from #c83232;
   * #3264c8 is far from both. */
  CHECK_STATUS(pd_record_create(
                   client, "{\"title\":\"red\",\"tags\":[\"a\"],\"colors\":[\"#c83232\"]}", &json),
               PD_OK);
  pd_string_free(json);
  CHECK_STATUS(pd_record_create(client,
                                "{\"title\":\"near red\",\"tags\":[\"a\"],\"colors\":[\"#3264c8\","
                                "\"#d23c3c\"]}",
                                &json),
               PD_OK);
  pd_string_free(json);
  CHECK_STATUS(pd_record_create(
                   client, "{\"title\":\"blue\",\"tags\":[\"b\"],\"colors\":[\"#3264c8\"]}", &json),
               PD_OK);
  pd_string_free(json);

  CHECK(list_count(client, "{\"color\":\"#c83232\"}") == 2);
  CHECK(list_count(client, "{\"color\":\"C83232\",\"colorDistance\":29.99}") == 1);
  CHECK(list_count(client, "{\"color\":\"#c83232\",\"colorDistance\":30}") == 2);
  CHECK(list_count(client, "{\"color\":\"#c83232ff\",\"colorDistance\":0}") == 1);
  CHECK(list_count(client, "{\"color\":\"#c83232\",\"tag\":\"b\"}") == 0);
  /* #36c is #3366cc, 7.94 from #3264c8. */
  CHECK(list_count(client, "{\"color\":\"#36c\",\"colorDistance\":8}") == 2);
  CHECK(list_count(client, "{\"color\":\"#36c\",\"colorDistance\":7.9}") == 0);
  CHECK(list_count(client, "{\"color\":\"#3264c8\",\"colorDistance\":0}") == 2);

  /* Closeness: the exact match first, paged one at a time. */
  CHECK_STATUS(
      pd_record_list(client, "{\"color\":\"#c83232\",\"order\":\"closeness\",\"limit\":1}", &json),
      PD_OK);
  CHECK_CONTAINS(json, "\"title\":\"red\"");
  CHECK(strstr(json, "\"nextCursor\":\"") != NULL);
  pd_string_free(json);
  CHECK_STATUS(
      pd_record_search(client, "red", "{\"color\":\"#d23c3c\",\"order\":\"closeness\"}", &json),
      PD_OK);
  CHECK(count_ids(json) == 2);
  CHECK(strstr(json, "near red") < strstr(json, "\"title\":\"red\""));
  pd_string_free(json);

  /* Refusals name the key and change nothing. */
  json = (char*)1;
  CHECK_STATUS(pd_record_list(client, "{\"color\":\"#12\"}", &json), PD_ERR_INVALID);
  CHECK(json == NULL);
  CHECK_CONTAINS(pd_last_error(), "color: \"#12\" is not a colour");
  CHECK_STATUS(pd_record_list(client, "{\"color\":\"#123\",\"colorDistance\":-1}", &json),
               PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "colorDistance: must be a number from 0 to 765");
  CHECK_STATUS(pd_record_list(client, "{\"colorDistance\":\"far\"}", &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "query.colorDistance: must be a number");
  CHECK_STATUS(pd_record_list(client, "{\"order\":\"closeness\"}", &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "order: closeness needs a color");
  CHECK_STATUS(pd_record_search(client, "red", "{\"color\":\"#123\",\"order\":\"project\"}", &json),
               PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "query.order");

  /* A bulk deletion by colour, dry run then for real. */
  CHECK_STATUS(pd_records_delete(client,
                                 "{\"where\":{\"color\":\"#3264c8\",\"colorDistance\":0},"
                                 "\"dryRun\":true}",
                                 &json),
               PD_OK);
  CHECK(count_ids(json) == 2);
  pd_string_free(json);
  CHECK(list_count(client, NULL) == 3);
  CHECK_STATUS(
      pd_records_delete(client, "{\"where\":{\"color\":\"#3264c8\",\"tag\":\"b\"}}", &json), PD_OK);
  pd_string_free(json);
  CHECK(list_count(client, NULL) == 2);
  CHECK(list_count(client, "{\"color\":\"#3264c8\",\"colorDistance\":0}") == 1);

  /* Resampling: arguments, an unknown id, a record with no image here. */
  CHECK_STATUS(pd_resample_palette(client, NULL, &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_resample_palette(client, "x", NULL), PD_ERR_INVALID);
  CHECK_STATUS(pd_resample_palette(client, "no-such-id", &json), PD_ERR_NOT_FOUND);
  CHECK(json == NULL);
  CHECK_STATUS(pd_record_list(client, "{\"limit\":1}", &json), PD_OK);
  char id[64] = {0};
  const char* at = strstr(json, "\"id\":\"");
  CHECK(at != NULL);
  memcpy(id, at + 6, (size_t)(strchr(at + 6, '"') - (at + 6)));
  pd_string_free(json);
  CHECK_STATUS(pd_resample_palette(client, id, &json), PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(pd_last_error(), "has no staged copy here");

  /* An uploaded image: its palette is overwritten, then sampled again from the stored original
   * (the local store), and colour search follows. */
  CHECK_STATUS(pd_upload_file(client, SAMPLE, "{\"title\":\"tiles\"}", &json), PD_OK);
  char uploaded[64] = {0};
  at = strstr(json, "\"id\":\"");
  memcpy(uploaded, at + 6, (size_t)(strchr(at + 6, '"') - (at + 6)));
  pd_string_free(json);
  CHECK_STATUS(pd_wait_persisted(client, uploaded, 60000, &json), PD_OK);
  CHECK_CONTAINS(json, "\"storagePersistStatus\":\"succeeded\"");
  const char* colours = strstr(json, "\"colors\":[\"");
  CHECK(colours != NULL);
  char first[8] = {0};
  memcpy(first, colours + 11, 7);
  pd_string_free(json);
  CHECK_STATUS(pd_record_update(client, uploaded, "{\"colors\":[\"#000000\"]}", &json), PD_OK);
  pd_string_free(json);
  char query[96];
  snprintf(query, sizeof query, "{\"color\":\"%s\",\"colorDistance\":0}", first);
  const int before = list_count(client, query);
  CHECK_STATUS(pd_resample_palette(client, uploaded, &json), PD_OK);
  CHECK_CONTAINS(json, first);
  CHECK(strstr(json, "#000000") == NULL);
  pd_string_free(json);
  CHECK(list_count(client, query) == before + 1);

  pd_client_close(client);
  char command[128];
  snprintf(command, sizeof command, "rm -rf %s", dir);
  CHECK(system(command) == 0);
  puts("ok");
  return 0;
}
