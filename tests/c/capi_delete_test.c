/* SPDX-License-Identifier: Apache-2.0 */
/* The C ABI's deletions on the embedded local object store: after upload and wait, deleting a
 * record (pd_record_delete) and records by filter (pd_records_delete) removes every object the
 * dry run listed (each confirmed to exist first), the staged copies and the search hits; and every
 * documented refusal, which changes nothing. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"

#define SAMPLE PINDECK_TEST_DATA "/images/truchet-l.webp"
#define MAX_KEYS 16

static char data_dir[256];

/* The object keys a deletion report lists, in order; returns how many. */
static int report_keys(const char* report, char keys[][256]) {
  int n = 0;
  for (const char* p = report; (p = strstr(p, "\"objectKeys\":[")) != NULL;) {
    p += strlen("\"objectKeys\":[");
    while (*p == '"') {
      const char* end = strchr(p + 1, '"');
      CHECK(end != NULL && end - p - 1 < 256 && n < MAX_KEYS);
      memcpy(keys[n], p + 1, (size_t)(end - p - 1));
      keys[n][end - p - 1] = '\0';
      n++;
      p = end + 1;
      if (*p == ',') p++;
    }
  }
  return n;
}

static int object_exists(const char* key) {
  char path[1024];
  struct stat st;
  const int length = snprintf(path, sizeof path, "%s/objects/pindeck/%s", data_dir, key);
  CHECK(length > 0 && (size_t)length < sizeof path);
  return stat(path, &st) == 0;
}

static int staged_files(void) {
  char path[300];
  const int length = snprintf(path, sizeof path, "%s/staging", data_dir);
  CHECK(length > 0 && (size_t)length < sizeof path);
  DIR* dir = opendir(path);
  CHECK(dir != NULL);
  int n = 0;
  struct dirent* e;
  while ((e = readdir(dir)) != NULL) n += e->d_name[0] != '.';
  closedir(dir);
  return n;
}

static void upload(pd_client* client, const char* metadata, char* id, size_t size) {
  char* json = NULL;
  CHECK_STATUS(pd_upload_file(client, SAMPLE, metadata, &json), PD_OK);
  field_value(json, "id", id, size);
  pd_string_free(json);
  CHECK_STATUS(pd_wait_persisted(client, id, 60000, &json), PD_OK);
  CHECK(strstr(json, "\"storagePersistStatus\":\"succeeded\"") != NULL);
  pd_string_free(json);
}

static int search_hits(pd_client* client, const char* text) {
  char* page = NULL;
  CHECK_STATUS(pd_record_search(client, text, NULL, &page), PD_OK);
  int n = 0;
  for (const char* p = page; (p = strstr(p, "\"id\":")) != NULL; p += 5) n++;
  pd_string_free(page);
  return n;
}

int main(void) {
  unsetenv("PINDECK_S3_ENDPOINT");
  unsetenv("AWS_ENDPOINT_URL_S3");
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("PINDECK_S3_BUCKET");
  make_temp_dir(data_dir, sizeof data_dir, "delete");
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(data_dir, &client), PD_OK);
  CHECK_STATUS(pd_persistence_start(client, "{\"pollIntervalMs\": 50}"), PD_OK);

  char first[64], second[64];
  upload(client, "{\"title\": \"Quayside\"}", first, sizeof first);
  upload(client, "{\"title\": \"Dockyard\", \"category\": \"Scrap\"}", second, sizeof second);

  /* A dry run lists the five objects; each exists; the real deletion removes them all. */
  char request[256];
  char* report = NULL;
  snprintf(request, sizeof request, "{\"ids\": [\"%s\"], \"dryRun\": true}", first);
  CHECK_STATUS(pd_records_delete(client, request, &report), PD_OK);
  CHECK(strstr(report, "\"dryRun\":true") != NULL);
  char keys[MAX_KEYS][256];
  int n = report_keys(report, keys);
  pd_string_free(report);
  CHECK(n == 5);
  for (int i = 0; i < n; i++) CHECK(object_exists(keys[i]));
  CHECK(search_hits(client, "quayside") == 1);

  CHECK_STATUS(pd_record_delete(client, first), PD_OK);
  for (int i = 0; i < n; i++) CHECK(!object_exists(keys[i]));
  char* json = NULL;
  CHECK_STATUS(pd_record_get(client, first, &json), PD_ERR_NOT_FOUND);
  CHECK(search_hits(client, "quayside") == 0);
  CHECK_STATUS(pd_record_delete(client, first), PD_ERR_NOT_FOUND);

  /* By filter. */
  CHECK_STATUS(pd_records_delete(client, "{\"where\": {\"category\": \"Scrap\"}}", &report), PD_OK);
  CHECK(strstr(report, second) != NULL);
  CHECK(strstr(report, "\"cleanupPending\":0") != NULL);
  n = report_keys(report, keys);
  pd_string_free(report);
  CHECK(n == 5);
  for (int i = 0; i < n; i++) CHECK(!object_exists(keys[i]));
  CHECK(staged_files() == 0);
  CHECK_STATUS(pd_records_delete(client, "{\"where\": {\"category\": \"Scrap\"}}", &report), PD_OK);
  CHECK(strstr(report, "\"deleted\":[]") != NULL);
  pd_string_free(report);

  /* A parent with a variation: refused alone, deleted with its family. */
  char parent[64], child[64];
  CHECK_STATUS(pd_record_create(client, "{\"title\": \"parent\"}", &json), PD_OK);
  field_value(json, "id", parent, sizeof parent);
  pd_string_free(json);
  snprintf(request, sizeof request, "{\"title\": \"child\", \"parentImageId\": \"%s\"}", parent);
  CHECK_STATUS(pd_record_create(client, request, &json), PD_OK);
  field_value(json, "id", child, sizeof child);
  pd_string_free(json);
  CHECK_STATUS(pd_record_delete(client, parent), PD_ERR_CONFLICT);
  CHECK(strstr(pd_last_error(), "variation") != NULL);
  snprintf(request, sizeof request, "{\"ids\": [\"%s\"]}", parent);
  report = (char*)1;
  CHECK_STATUS(pd_records_delete(client, request, &report), PD_ERR_CONFLICT);
  CHECK(report == NULL);

  /* Refusals: each changes nothing. */
  CHECK_STATUS(pd_record_delete(NULL, parent), PD_ERR_INVALID);
  CHECK_STATUS(pd_record_delete(client, NULL), PD_ERR_INVALID);
  CHECK_STATUS(pd_records_delete(client, NULL, &report), PD_ERR_INVALID);
  CHECK_STATUS(pd_records_delete(client, "{\"ids\": []}", &report), PD_ERR_INVALID);
  CHECK_STATUS(pd_records_delete(client, "{\"ids\": [\"no-such-id\"]}", &report), PD_ERR_NOT_FOUND);
  CHECK_STATUS(pd_records_delete(client, "{\"where\": {}}", &report), PD_ERR_INVALID);
  CHECK(strstr(pd_last_error(), "every record") != NULL);
  CHECK_STATUS(pd_records_delete(client, "{}", &report), PD_ERR_INVALID);
  CHECK_STATUS(
      pd_records_delete(client, "{\"ids\": [\"x\"], \"where\": {\"category\": \"a\"}}", &report),
      PD_ERR_INVALID);
  CHECK_STATUS(pd_records_delete(client, "{\"ids\": [\"x\"], \"everything\": true}", &report),
               PD_ERR_INVALID);
  CHECK(strstr(pd_last_error(), "everything") != NULL);
  CHECK_STATUS(pd_records_delete(client, "{\"ids\": [\"x\"], \"family\": 1}", &report),
               PD_ERR_INVALID);
  CHECK_STATUS(pd_records_delete(client, "not json", &report), PD_ERR_INVALID);
  CHECK(report == NULL);
  CHECK_STATUS(pd_record_get(client, parent, &json), PD_OK);
  pd_string_free(json);

  snprintf(request, sizeof request, "{\"ids\": [\"%s\"], \"family\": true}", parent);
  CHECK_STATUS(pd_records_delete(client, request, &report), PD_OK);
  CHECK(strstr(report, parent) != NULL && strstr(report, child) != NULL);
  CHECK(strstr(report, child) < strstr(report, parent)); /* variations first */
  pd_string_free(report);
  CHECK_STATUS(pd_record_get(client, child, &json), PD_ERR_NOT_FOUND);

  pd_client_close(client);
  printf("c capi delete: ok\n");
  return 0;
}
