/* SPDX-License-Identifier: Apache-2.0 */
/* pd_verify on the embedded local object store: a clean run, a removed derivative found and
 * repaired, a stray object reported then deleted on request, a run stopped by its progress
 * callback and continued, and refused options. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"

#define SAMPLE PINDECK_TEST_DATA "/images/truchet-l.webp"

struct progress_log {
  int calls;
  uint64_t done;
  uint64_t total;
  int go_on;
};

static int on_progress(void* user, uint64_t records_done, uint64_t records_total,
                       uint64_t objects_checked) {
  struct progress_log* log = user;
  log->calls++;
  log->done = records_done;
  log->total = records_total;
  (void)objects_checked;
  return log->go_on;
}

/* Copies the string value after `"name":"` in `json` into `out`. */
static void string_after(const char* json, const char* name, char* out, size_t size) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", name);
  const char* at = strstr(json, pattern);
  CHECK(at != NULL);
  char format[16];
  snprintf(format, sizeof format, "%%%zu[^\"]", size - 1);
  CHECK(sscanf(at + strlen(pattern), format, out) == 1);
}

static int file_exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int main(void) {
  char dir[] = "/tmp/pindeck-capi-verify-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(dir, &client), PD_OK);
  CHECK_STATUS(pd_persistence_start(client, "{\"pollIntervalMs\": 50}"), PD_OK);

  char* json = NULL;
  CHECK_STATUS(pd_upload_file(client, SAMPLE, "{\"title\": \"Truchet\"}", &json), PD_OK);
  char id[64];
  string_after(json, "id", id, sizeof id);
  pd_string_free(json);
  CHECK_STATUS(pd_wait_persisted(client, id, 60000, &json), PD_OK);
  CHECK_CONTAINS(json, "\"storagePersistStatus\":\"succeeded\"");
  char small_key[1024];
  string_after(json, "small", small_key, sizeof small_key);
  pd_string_free(json);

  struct progress_log log = {0, 0, 0, 1};
  CHECK_STATUS(pd_verify(client, NULL, on_progress, &log, &json), PD_OK);
  CHECK_CONTAINS(json, "\"complete\":true");
  CHECK_CONTAINS(json, "\"objectsChecked\":5");
  CHECK_CONTAINS(json, "\"findings\":[]");
  CHECK_CONTAINS(json, "\"orphans\":[]");
  CHECK(log.calls == 1 && log.done == 1 && log.total == 1);
  pd_string_free(json);

  /* Damage: the small derivative removed, a stray object added. */
  char path[2048];
  snprintf(path, sizeof path, "%s/objects/pindeck/%s", dir, small_key);
  CHECK(remove(path) == 0);
  char stray[2048];
  snprintf(stray, sizeof stray, "%s/objects/pindeck/media-uploads/stray.webp", dir);
  FILE* out = fopen(stray, "wb");
  CHECK(out != NULL);
  fputs("stray", out);
  fclose(out);

  CHECK_STATUS(pd_verify(client, "{\"maxInFlight\": 4}", NULL, NULL, &json), PD_OK);
  CHECK_CONTAINS(json, "\"problem\":\"missing\"");
  CHECK_CONTAINS(json, "\"role\":\"small\"");
  CHECK_CONTAINS(json, small_key);
  CHECK_CONTAINS(json, "\"repair\":\"notAttempted\"");
  CHECK_CONTAINS(json, "{\"deleted\":false,\"key\":\"media-uploads/stray.webp\"}");
  pd_string_free(json);

  CHECK_STATUS(pd_verify(client, "{\"repair\": true}", NULL, NULL, &json), PD_OK);
  CHECK_CONTAINS(json, "\"repair\":\"repaired\"");
  pd_string_free(json);
  CHECK(file_exists(path));
  CHECK(file_exists(stray));

  CHECK_STATUS(pd_verify(client, "{\"deleteOrphans\": true}", NULL, NULL, &json), PD_OK);
  CHECK_CONTAINS(json, "\"findings\":[]");
  CHECK_CONTAINS(json, "{\"deleted\":true,\"key\":\"media-uploads/stray.webp\"}");
  pd_string_free(json);
  CHECK(!file_exists(stray));

  /* Stopped by the callback, then continued by the next call with the same options. */
  log.go_on = 0;
  log.calls = 0;
  CHECK_STATUS(
      pd_verify(client, "{\"where\": {\"category\": \"General\"}}", on_progress, &log, &json),
      PD_OK);
  CHECK_CONTAINS(json, "\"complete\":false");
  CHECK(log.calls == 1);
  pd_string_free(json);
  CHECK_STATUS(pd_verify(client, "{\"where\": {\"category\": \"General\"}}", NULL, NULL, &json),
               PD_OK);
  CHECK_CONTAINS(json, "\"complete\":true");
  CHECK_CONTAINS(json, "\"resumed\":true");
  CHECK_CONTAINS(json, "\"orphansChecked\":false");
  pd_string_free(json);

  /* Refusals name what is wrong and return nothing. */
  json = NULL;
  CHECK_STATUS(pd_verify(client, "{\"repairs\": true}", NULL, NULL, &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "repairs");
  CHECK(json == NULL);
  CHECK_STATUS(pd_verify(client, "{\"maxInFlight\": 0}", NULL, NULL, &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "maxInFlight");
  CHECK_STATUS(pd_verify(client, "{\"repair\": 1}", NULL, NULL, &json), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "repair");
  CHECK_STATUS(
      pd_verify(client, "{\"deleteOrphans\": true, \"where\": {\"category\": \"General\"}}", NULL,
                NULL, &json),
      PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "delete_orphans");
  CHECK_STATUS(pd_verify(client, "{\"where\": {\"sourceType\": \"fax\"}}", NULL, NULL, &json),
               PD_ERR_INVALID);
  CHECK_STATUS(pd_verify(client, "[", NULL, NULL, &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_verify(client, NULL, NULL, NULL, NULL), PD_ERR_INVALID);
  CHECK_STATUS(pd_verify(NULL, NULL, NULL, NULL, &json), PD_ERR_INVALID);

  pd_client_close(client);
  CHECK_STATUS(pd_verify(client, NULL, NULL, NULL, &json), PD_ERR_MISUSE);
  char command[256];
  snprintf(command, sizeof command, "rm -rf %s", dir);
  CHECK(system(command) == 0);
  puts("capi verify: ok");
  return 0;
}
