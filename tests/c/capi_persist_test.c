/* SPDX-License-Identifier: Apache-2.0 */
/* The C ABI's persistence functions on the embedded local object store: upload from a file, a
 * buffer and a read callback, waiting (blocking and with a callback), reading an object back,
 * backfill, and refusals. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"

#define SAMPLE PINDECK_TEST_DATA "/images/truchet-l.webp"

static int contains(const char* text, const char* part) {
  return strstr(text, part) != NULL;
}

static int64_t read_file(void* user, void* buffer, size_t capacity) {
  return (int64_t)fread(buffer, 1, capacity, (FILE*)user);
}

/* The size of the file a record's "imageUrl" (file://PATH) names, or -1 when there is none. */
static long image_url_file_size(const char* record_json) {
  const char* at = strstr(record_json, "\"imageUrl\":\"file://");
  if (at == NULL) return -1;
  char path[4096] = {0};
  if (sscanf(at + strlen("\"imageUrl\":\"file://"), "%4095[^\"]", path) != 1) return -1;
  FILE* file = fopen(path, "rb");
  if (file == NULL) return -1;
  fseek(file, 0, SEEK_END);
  const long size = ftell(file);
  fclose(file);
  return size;
}

struct waiter {
  pthread_mutex_t mutex;
  pthread_cond_t done;
  int called;
  int status;
  char record[65536];
};

static void on_persisted(void* user, int status, const char* record_json, const char* error) {
  struct waiter* w = user;
  pthread_mutex_lock(&w->mutex);
  w->status = status;
  snprintf(w->record, sizeof w->record, "%s", record_json ? record_json : error);
  w->called = 1;
  pthread_cond_signal(&w->done);
  pthread_mutex_unlock(&w->mutex);
}

/* The client's worker counts, once no job is in flight: a job ends for the pool just after its
 * record settles, so a count read right after a wait may still show it running. */
static char* settled_worker_counts(pd_client* client) {
  char* counts = NULL;
  for (int i = 0; i < 500; ++i) {
    CHECK_STATUS(pd_worker_counts(client, &counts), PD_OK);
    if (contains(counts, "\"inFlight\":0")) return counts;
    pd_string_free(counts);
    const struct timespec ten_ms = {0, 10 * 1000 * 1000};
    nanosleep(&ten_ms, NULL);
  }
  CHECK(!"a job stayed in flight for 5 s after its record settled");
  return NULL;
}

int main(void) {
  char dir[] = "/tmp/pindeck-capi-persist-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(dir, &client), PD_OK);

  CHECK_STATUS(pd_persistence_start(client, "{\"pollIntervalMs\": 50, \"colour\": 1}"),
               PD_ERR_INVALID);
  CHECK(contains(pd_last_error(), "colour"));
  CHECK_STATUS(pd_persistence_start(client, "{\"createBucket\": \"yes\"}"), PD_ERR_INVALID);
  CHECK(contains(pd_last_error(), "\"createBucket\" has the wrong type"));
  CHECK_STATUS(pd_persistence_start(client, "{\"pollIntervalMs\": 1e400}"), PD_ERR_INVALID);
  CHECK(contains(pd_last_error(), "number overflow"));
  {
    char* counts = NULL;
    CHECK_STATUS(pd_worker_counts(client, &counts), PD_OK);
    CHECK(strcmp(counts,
                 "{\"claimed\":0,\"failed\":0,\"inFlight\":0,\"released\":0,\"retried\":0,"
                 "\"succeeded\":0}") == 0);
    pd_string_free(counts);
    CHECK_STATUS(pd_worker_counts(client, NULL), PD_ERR_INVALID);
    CHECK_STATUS(pd_worker_counts(NULL, &counts), PD_ERR_INVALID);
    CHECK(counts == NULL);
  }
  CHECK_STATUS(pd_persistence_start(
                   client, "{\"pollIntervalMs\": 50, \"maxInFlight\": 1, \"createBucket\": true}"),
               PD_OK);
  CHECK_STATUS(pd_persistence_start(client, NULL), PD_ERR_CONFLICT);

  /* From a file: pending at once, then succeeded on the local store. */
  char* json = NULL;
  CHECK_STATUS(
      pd_upload_file(client, SAMPLE, "{\"title\": \"Truchet\", \"tags\": [\"tile\"]}", &json),
      PD_OK);
  CHECK(contains(json, "\"storagePersistStatus\":\"pending\""));
  CHECK(contains(json, "\"storageProvider\":\"convex\""));
  CHECK(contains(json, "/original/truchet-"));
  char id[64] = {0};
  const char* at = strstr(json, "\"id\":\"");
  CHECK(at != NULL);
  sscanf(at + 6, "%63[^\"]", id);
  pd_string_free(json);

  CHECK_STATUS(pd_wait_persisted(client, id, 60000, &json), PD_OK);
  CHECK(contains(json, "\"storagePersistStatus\":\"succeeded\""));
  CHECK(contains(json, "\"storageProvider\":\"local\""));
  CHECK(contains(json, "\"imageUrl\":\"file://"));
  {
    char* queue = NULL;
    CHECK_STATUS(pd_queue_counts(client, &queue), PD_OK);
    CHECK(contains(queue, "\"queued\":0") && contains(queue, "\"claimed\":0"));
    CHECK(contains(queue, "\"failed\":0") && contains(queue, "\"queuedBySite\":{}"));
    pd_string_free(queue);
    CHECK_STATUS(pd_queue_counts(client, NULL), PD_ERR_INVALID);
    char* counts = settled_worker_counts(client);
    CHECK(strcmp(counts,
                 "{\"claimed\":1,\"failed\":0,\"inFlight\":0,\"released\":0,\"retried\":0,"
                 "\"succeeded\":1}") == 0);
    pd_string_free(counts);
  }
  FILE* sample = fopen(SAMPLE, "rb");
  CHECK(sample != NULL);
  fseek(sample, 0, SEEK_END);
  CHECK(image_url_file_size(json) == ftell(sample)); /* the original is stored whole */
  fclose(sample);
  CHECK(!contains(json, "storageId"));

  /* The original read back through the library, byte for byte; a missing and a bad key refused. */
  char key[1024] = {0};
  at = strstr(json, "\"storagePath\":\"");
  CHECK(at != NULL);
  sscanf(at + strlen("\"storagePath\":\""), "%1023[^\"]", key);
  pd_string_free(json);
  unsigned char* data = NULL;
  size_t size = 0;
  CHECK_STATUS(pd_object_read(client, key, &data, &size), PD_OK);
  sample = fopen(SAMPLE, "rb");
  CHECK(sample != NULL);
  unsigned char* expected = malloc(size + 1);
  CHECK(expected != NULL);
  CHECK(fread(expected, 1, size + 1, sample) == size); /* same length: the file ends there */
  fclose(sample);
  CHECK(memcmp(data, expected, size) == 0);
  free(expected);
  pd_bytes_free(data);
  strcpy(strrchr(key, '/'), "/none.jpg");
  CHECK_STATUS(pd_object_read(client, key, &data, &size), PD_ERR_NOT_FOUND);
  CHECK(data == NULL && size == 0);
  CHECK(contains(pd_last_error(), key));
  CHECK_STATUS(pd_object_read(client, "../catalog.sqlite", &data, &size), PD_ERR_INVALID);
  CHECK_STATUS(pd_object_read(client, NULL, &data, &size), PD_ERR_INVALID);
  CHECK_STATUS(pd_object_read(client, key, NULL, &size), PD_ERR_INVALID);
  pd_bytes_free(NULL);

  /* From a read callback, waited for with a callback. */
  FILE* in = fopen(SAMPLE, "rb");
  CHECK(in != NULL);
  CHECK_STATUS(pd_upload_stream(client, read_file, in, "streamed.webp", NULL, &json), PD_OK);
  fclose(in);
  CHECK(contains(json, "\"title\":\"streamed\""));
  at = strstr(json, "\"id\":\"");
  sscanf(at + 6, "%63[^\"]", id);
  pd_string_free(json);
  struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, {0}};
  CHECK_STATUS(pd_wait_persisted_async(client, id, 60000, on_persisted, &w), PD_OK);
  pthread_mutex_lock(&w.mutex);
  while (!w.called) pthread_cond_wait(&w.done, &w.mutex);
  pthread_mutex_unlock(&w.mutex);
  CHECK_STATUS(w.status, PD_OK);
  CHECK(contains(w.record, "\"storagePersistStatus\":\"succeeded\""));

  /* Refusals: not an image, an empty buffer, bad metadata, bad limits. Nothing is stored. */
  const char text[] = "definitely not an image";
  CHECK_STATUS(pd_upload_bytes(client, text, sizeof text, "notes.jpg", NULL, &json), PD_ERR_MEDIA);
  CHECK(json == NULL);
  CHECK(contains(pd_last_error(), "notes.jpg"));
  CHECK_STATUS(pd_upload_bytes(client, NULL, 0, "empty.jpg", NULL, &json), PD_ERR_MEDIA);
  CHECK(contains(pd_last_error(), "empty"));
  CHECK_STATUS(pd_upload_file(client, SAMPLE, "{\"projectOrder\": -1}", &json), PD_ERR_INVALID);
  CHECK_STATUS(pd_upload_file(client, "/no/such/file.jpg", NULL, &json), PD_ERR_NOT_FOUND);
  CHECK_STATUS(pd_record_list(client, NULL, &json), PD_OK);
  CHECK(contains(json, "streamed") && contains(json, "Truchet"));
  CHECK(!contains(json, "notes"));
  pd_string_free(json);

  int count = -1;
  CHECK_STATUS(pd_backfill(client, 0, &count), PD_ERR_INVALID);
  CHECK_STATUS(pd_backfill(client, 201, &count), PD_ERR_INVALID);
  CHECK_STATUS(pd_backfill(client, 50, &count), PD_OK);
  CHECK(count == 0);
  CHECK_STATUS(pd_backfill_ex(client, 50, PD_BACKFILL_INCLUDE_PERMANENT, &count), PD_OK);
  CHECK(count == 0);
  CHECK_STATUS(pd_backfill_ex(client, 50, 2u, &count), PD_ERR_INVALID);
  CHECK(contains(pd_last_error(), "unknown flags"));
  CHECK_STATUS(pd_backfill_ex(client, 0, PD_BACKFILL_INCLUDE_PERMANENT, &count), PD_ERR_INVALID);
  CHECK_STATUS(pd_wait_persisted(client, "nope", 10, &json), PD_ERR_NOT_FOUND);

  pd_client_close(client);
  char command[256];
  snprintf(command, sizeof command, "rm -rf %s", dir);
  CHECK(system(command) == 0);
  puts("capi persist: ok");
  return 0;
}
