/* SPDX-License-Identifier: Apache-2.0 */
/* Misuse of the C ABI that used to crash: a client closed twice, or used after pd_client_close.
 * Every call on a closed handle returns PD_ERR_MISUSE, clears its out-parameter and says why;
 * handles are never reused, so a stale one cannot reach a client opened later. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"

#define CHECK_MISUSE(call)                                         \
  do {                                                             \
    CHECK_STATUS(call, PD_ERR_MISUSE);                             \
    CHECK_CONTAINS(pd_last_error(), "used after pd_client_close"); \
  } while (0)

static int64_t read_nothing(void* user, void* buffer, size_t capacity) {
  (void)user;
  (void)buffer;
  (void)capacity;
  return 0;
}

static int callback_calls = 0;
static void count_callback(void* user, int status, const char* record_json, const char* error) {
  (void)user;
  (void)status;
  (void)record_json;
  (void)error;
  callback_calls++;
}

static void test_every_call_after_close(pd_client* closed) {
  char* out = (char*)1;
  CHECK_MISUSE(pd_record_create(closed, "{}", &out));
  CHECK(out == NULL);
  out = (char*)1;
  CHECK_MISUSE(pd_record_get(closed, "0000000000000000a", &out));
  CHECK(out == NULL);
  CHECK_MISUSE(pd_record_create_batch(closed, "[]", &out));
  CHECK_MISUSE(pd_record_update(closed, "0000000000000000a", "{}", &out));
  CHECK_MISUSE(pd_record_delete(closed, "0000000000000000a"));
  CHECK_MISUSE(pd_record_list(closed, NULL, &out));
  CHECK_MISUSE(pd_record_search(closed, "river", NULL, &out));
  CHECK_MISUSE(pd_persistence_start(closed, NULL));
  CHECK_MISUSE(pd_upload_file(closed, "/nonexistent.png", NULL, &out));
  CHECK_MISUSE(pd_upload_bytes(closed, "x", 1, NULL, NULL, &out));
  CHECK_MISUSE(pd_upload_stream(closed, read_nothing, NULL, NULL, NULL, &out));
  int count = -1;
  CHECK_MISUSE(pd_backfill(closed, 10, &count));
  CHECK(count == -1);
  CHECK_MISUSE(pd_queue_counts(closed, &out));
  CHECK(out == NULL);
  CHECK_MISUSE(pd_worker_counts(closed, &out));
  CHECK(out == NULL);
  CHECK_MISUSE(pd_wait_persisted(closed, "0000000000000000a", 0, &out));
  CHECK(out == NULL);
  CHECK_MISUSE(pd_wait_persisted_async(closed, "0000000000000000a", 0, count_callback, NULL));
  CHECK(callback_calls == 0);
}

int main(void) {
  char dir[] = "/tmp/pindeck-capi-misuse-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  CHECK_STR(pd_status_name(PD_ERR_MISUSE), "misuse");

  pd_client* first = NULL;
  CHECK_STATUS(pd_client_open(dir, &first), PD_OK);
  char* stored = NULL;
  CHECK_STATUS(pd_record_create(first, "{\"title\": \"kept\"}", &stored), PD_OK);
  pd_string_free(stored);
  pd_client_close(first);

  /* Closing again is refused without a crash, and says so. */
  pd_client_close(first);
  CHECK_CONTAINS(pd_last_error(), "pd_client_close called twice");
  test_every_call_after_close(first);

  /* A client opened afterwards never gets the closed handle back, and the old one stays closed. */
  pd_client* second = NULL;
  CHECK_STATUS(pd_client_open(dir, &second), PD_OK);
  CHECK(second != first);
  char* page = NULL;
  CHECK_STATUS(pd_record_list(second, NULL, &page), PD_OK);
  CHECK_CONTAINS(page, "\"title\":\"kept\"");
  pd_string_free(page);
  CHECK_MISUSE(pd_record_list(first, NULL, &page));

  /* Two clients of one directory: closing one leaves the other working. */
  pd_client* third = NULL;
  CHECK_STATUS(pd_client_open(dir, &third), PD_OK);
  pd_client_close(second);
  CHECK_STATUS(pd_record_list(third, NULL, &page), PD_OK);
  pd_string_free(page);
  CHECK_STR(pd_last_error(), "");
  pd_client_close(third);
  pd_client_close(NULL);

  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
  puts("capi misuse: ok");
  return 0;
}
