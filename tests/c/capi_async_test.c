/* SPDX-License-Identifier: Apache-2.0 */
/* The C ABI's asynchronous calls on the local object store: 20 uploads at once all complete with
 * their records and then settle (seen through events); pd_upload_bytes_async copies its buffer;
 * URL and Discord ingest from serve_files on 127.0.0.1; failures reach the callback with
 * pd_last_error() and pd_last_error_details(); argument errors and a closed client are returned
 * without a callback; closing a client completes every call in flight. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"
#include "read_whole_file.h"
#include "serve_files_process.h"

#define SAMPLE PINDECK_TEST_DATA "/images/truchet-l.webp"

static void sleep_ms(long ms) {
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&pause, NULL);
}
#define UPLOADS 20
#define MAX_CALLS 64

/* ---- completions ---- */

struct call {
  int called; /* how many times: must end at 1 */
  int status;
  char* json;
  char* error;
  char* details; /* pd_last_error_details() during the callback */
  int last_error_matches;
};

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct call calls[MAX_CALLS];

static void on_done(void* user, int status, const char* json, const char* error) {
  struct call* c = user;
  pthread_mutex_lock(&mutex);
  ++c->called;
  c->status = status;
  c->json = json ? strdup(json) : NULL;
  c->error = strdup(error ? error : "(null)");
  c->details = strdup(pd_last_error_details());
  c->last_error_matches = status == PD_OK || strcmp(pd_last_error(), error) == 0;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&mutex);
}

static void reset_calls(void) {
  for (int i = 0; i < MAX_CALLS; ++i) {
    free(calls[i].json);
    free(calls[i].error);
    free(calls[i].details);
    memset(&calls[i], 0, sizeof calls[i]);
  }
}

/* Waits (60 s at most) until calls[0..n) have all completed. */
static void wait_calls(int n) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 60;
  pthread_mutex_lock(&mutex);
  for (;;) {
    int done = 0;
    for (int i = 0; i < n; ++i) done += calls[i].called > 0;
    if (done == n) break;
    if (pthread_cond_timedwait(&changed, &mutex, &deadline) != 0) {
      fprintf(stderr, "only %d of %d calls completed\n", done, n);
      exit(1);
    }
  }
  for (int i = 0; i < n; ++i) CHECK(calls[i].called == 1);
  pthread_mutex_unlock(&mutex);
}

/* ---- records settled, as events say ---- */

static char settled_ids[MAX_CALLS][64];
static int settled_count = 0;

static void on_event(void* user, const char* event_json) {
  (void)user;
  if (strstr(event_json, "\"status\":\"succeeded\"") == NULL) return;
  pthread_mutex_lock(&mutex);
  CHECK(settled_count < MAX_CALLS);
  field_value(event_json, "id", settled_ids[settled_count], sizeof settled_ids[0]);
  ++settled_count;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&mutex);
}

static int settled(const char* id) {
  for (int i = 0; i < settled_count; ++i) {
    if (strcmp(settled_ids[i], id) == 0) return 1;
  }
  return 0;
}

static void wait_settled(char ids[][64], int n) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 120;
  pthread_mutex_lock(&mutex);
  for (;;) {
    int done = 0;
    for (int i = 0; i < n; ++i) done += settled(ids[i]);
    if (done == n) break;
    if (pthread_cond_timedwait(&changed, &mutex, &deadline) != 0) {
      fprintf(stderr, "only %d of %d records were announced succeeded\n", done, n);
      exit(1);
    }
  }
  pthread_mutex_unlock(&mutex);
}

/* ---- files ---- */

static void write_all(const char* path, const unsigned char* data, size_t size) {
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL && fwrite(data, 1, size, f) == size);
  CHECK(fclose(f) == 0);
}

/* ---- the checks ---- */

static void check_concurrent_uploads(pd_client* client) {
  reset_calls();
  for (int i = 0; i < UPLOADS; ++i) {
    char metadata[64];
    snprintf(metadata, sizeof metadata, "{\"title\": \"Async %d\"}", i);
    CHECK_STATUS(pd_upload_file_async(client, SAMPLE, metadata, on_done, &calls[i]), PD_OK);
  }
  wait_calls(UPLOADS);
  char ids[UPLOADS][64];
  for (int i = 0; i < UPLOADS; ++i) {
    CHECK_STATUS(calls[i].status, PD_OK);
    CHECK_STR(calls[i].error, "");
    CHECK_CONTAINS(calls[i].json, "\"storagePersistStatus\":\"pending\"");
    char title[32];
    snprintf(title, sizeof title, "\"title\":\"Async %d\"", i);
    CHECK_CONTAINS(calls[i].json, title);
    field_value(calls[i].json, "id", ids[i], sizeof ids[i]);
  }
  wait_settled(ids, UPLOADS);
}

static void check_bytes_are_copied(pd_client* client) {
  reset_calls();
  size_t size = 0;
  unsigned char* bytes = read_whole_file(SAMPLE, &size);
  CHECK_STATUS(pd_upload_bytes_async(client, bytes, size, "copied.webp", NULL, on_done, &calls[0]),
               PD_OK);
  /* Gone before the upload can have read it: only a copy can make an image of it. */
  memset(bytes, 0, size);
  free(bytes);
  wait_calls(1);
  CHECK_STATUS(calls[0].status, PD_OK);
  CHECK_CONTAINS(calls[0].json, "\"title\":\"copied\"");
  char expected[64];
  snprintf(expected, sizeof expected, "\"byteSize\":%zu", size);
  CHECK_CONTAINS(calls[0].json, expected);
}

static void check_failures_reach_the_callback(pd_client* client) {
  reset_calls();
  CHECK_STATUS(pd_upload_file_async(client, "/nonexistent/pindeck.webp", NULL, on_done, &calls[0]),
               PD_OK);
  CHECK_STATUS(pd_upload_file_async(client, SAMPLE, "{\"title\": 5}", on_done, &calls[1]), PD_OK);
  const unsigned char not_an_image[] = "plain text, not an image";
  CHECK_STATUS(pd_upload_bytes_async(client, not_an_image, sizeof not_an_image, "note.txt", NULL,
                                     on_done, &calls[2]),
               PD_OK);
  CHECK_STATUS(pd_ingest_discord_message_async(client, "not json", NULL, on_done, &calls[3]),
               PD_OK);
  wait_calls(4);
  CHECK_STATUS(calls[0].status, PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(calls[0].error, "/nonexistent/pindeck.webp");
  CHECK_CONTAINS(calls[0].details, "\"status\":\"not_found\"");
  CHECK_STATUS(calls[1].status, PD_ERR_INVALID);
  CHECK_CONTAINS(calls[1].error, "title");
  CHECK_STATUS(calls[2].status, PD_ERR_MEDIA);
  CHECK_CONTAINS(calls[2].details, "\"status\":\"media\"");
  CHECK_STATUS(calls[3].status, PD_ERR_INVALID);
  CHECK_CONTAINS(calls[3].error, "Discord");
  for (int i = 0; i < 4; ++i) {
    CHECK(calls[i].json == NULL);
    CHECK(calls[i].last_error_matches);
  }
}

static void check_refusals_are_returned(pd_client* client) {
  reset_calls();
  CHECK_STATUS(pd_upload_file_async(client, NULL, NULL, on_done, &calls[0]), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "path");
  CHECK_STATUS(pd_upload_file_async(client, SAMPLE, NULL, NULL, NULL), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "callback");
  CHECK_STATUS(pd_upload_bytes_async(client, NULL, 10, NULL, NULL, on_done, &calls[0]),
               PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), "data");
  CHECK_STATUS(pd_ingest_url_async(client, NULL, NULL, on_done, &calls[0]), PD_ERR_INVALID);
  CHECK_STATUS(pd_ingest_discord_message_async(client, NULL, NULL, on_done, &calls[0]),
               PD_ERR_INVALID);
  CHECK_STATUS(pd_ingest_url_async(NULL, "http://127.0.0.1/", NULL, on_done, &calls[0]),
               PD_ERR_INVALID);
  sleep_ms(100);
  pthread_mutex_lock(&mutex);
  CHECK(calls[0].called == 0);
  pthread_mutex_unlock(&mutex);
}

static void check_ingest(pd_client* client, int port) {
  reset_calls();
  CHECK_STATUS(pd_fetch_settings_set(client, "{\"allowPrivateNetwork\": true}"), PD_OK);
  char url[128], message[1024];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/harbour.webp", port);
  CHECK_STATUS(pd_ingest_url_async(client, url, "{\"tags\": [\"harbour\"]}", on_done, &calls[0]),
               PD_OK);
  snprintf(message, sizeof message,
           "{\"id\": \"1180000000000000001\", \"channel_id\": \"1180000000000000002\", "
           "\"content\": \"Night market\", \"author\": {\"id\": \"99\"}, \"embeds\": [], "
           "\"attachments\": [{\"id\": \"1\", \"filename\": \"market.webp\", "
           "\"content_type\": \"image/webp\", \"url\": \"http://127.0.0.1:%d/market.webp\"}]}",
           port);
  CHECK_STATUS(pd_ingest_discord_message_async(client, message, "{\"owner\": \"user-7\"}", on_done,
                                               &calls[1]),
               PD_OK);
  snprintf(url, sizeof url, "http://127.0.0.1:%d/missing.webp", port);
  CHECK_STATUS(pd_ingest_url_async(client, url, NULL, on_done, &calls[2]), PD_OK);
  wait_calls(3);

  CHECK_STATUS(calls[0].status, PD_OK);
  CHECK_CONTAINS(calls[0].json, "\"created\":true");
  CHECK_CONTAINS(calls[0].json, "\"sourceUrl\":\"http://127.0.0.1:");
  CHECK_CONTAINS(calls[0].json, "\"harbour\"");
  char* same = NULL;
  snprintf(url, sizeof url, "http://127.0.0.1:%d/harbour.webp", port);
  CHECK_STATUS(pd_ingest_url(client, url, NULL, &same), PD_OK);
  CHECK_CONTAINS(same, "\"created\":false"); /* the async call stored it */
  pd_string_free(same);

  CHECK_STATUS(calls[1].status, PD_OK);
  CHECK(calls[1].json[0] == '[');
  CHECK_CONTAINS(calls[1].json, "\"created\":true");
  CHECK_CONTAINS(calls[1].json, "\"sourceType\":\"discord\"");
  CHECK_CONTAINS(calls[1].json, "\"externalId\":\"discord:url:user-7:dm:");

  CHECK_STATUS(calls[2].status, PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(calls[2].error, "404");
}

static void check_close_completes_calls(const char* data_dir) {
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(data_dir, &client), PD_OK);
  reset_calls();
  const int n = 10;
  for (int i = 0; i < n; ++i) {
    char metadata[64];
    snprintf(metadata, sizeof metadata, "{\"title\": \"Closing %d\"}", i);
    CHECK_STATUS(pd_upload_file_async(client, SAMPLE, metadata, on_done, &calls[i]), PD_OK);
  }
  pd_client_close(client);
  /* Every call has completed by now: those that ran with their record, the others closed. */
  pthread_mutex_lock(&mutex);
  for (int i = 0; i < n; ++i) {
    CHECK(calls[i].called == 1);
    CHECK(calls[i].status == PD_OK || calls[i].status == PD_ERR_CLOSED);
    if (calls[i].status == PD_ERR_CLOSED) CHECK_CONTAINS(calls[i].error, "closed");
  }
  pthread_mutex_unlock(&mutex);

  CHECK_STATUS(pd_upload_file_async(client, SAMPLE, NULL, on_done, &calls[0]), PD_ERR_MISUSE);
  CHECK_STATUS(pd_upload_bytes_async(client, "x", 1, NULL, NULL, on_done, &calls[0]),
               PD_ERR_MISUSE);
  CHECK_STATUS(pd_ingest_url_async(client, "http://127.0.0.1/", NULL, on_done, &calls[0]),
               PD_ERR_MISUSE);
  CHECK_STATUS(pd_ingest_discord_message_async(client, "{}", NULL, on_done, &calls[0]),
               PD_ERR_MISUSE);
  CHECK(calls[0].called == 1);
}

int main(void) {
  char root[512], data_dir[600], www[600], path[700];
  make_temp_dir(root, sizeof root, "async");
  snprintf(www, sizeof www, "%s/www", root);
  snprintf(data_dir, sizeof data_dir, "%s/data", root);
  CHECK(mkdir(www, 0700) == 0);
  size_t size = 0;
  unsigned char* sample = read_whole_file(SAMPLE, &size);
  snprintf(path, sizeof path, "%s/harbour.webp", www);
  write_all(path, sample, size);
  snprintf(path, sizeof path, "%s/market.webp", www);
  write_all(path, sample, size);
  free(sample);
  const int port = start_serve_files(www);

  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(data_dir, &client), PD_OK);
  CHECK_STATUS(pd_persistence_start(client, "{\"pollIntervalMs\": 50}"), PD_OK);
  uint64_t subscription = 0;
  CHECK_STATUS(pd_events_subscribe(client, on_event, NULL, &subscription), PD_OK);

  check_refusals_are_returned(client);
  check_concurrent_uploads(client);
  check_bytes_are_copied(client);
  check_failures_reach_the_callback(client);
  check_ingest(client, port);
  pd_client_close(client);

  snprintf(path, sizeof path, "%s/closing", root);
  check_close_completes_calls(path);
  reset_calls();
  printf("capi async: ok\n");
  return 0;
}
