/* SPDX-License-Identifier: Apache-2.0 */
/* The C ABI's persistence events against the real S3 server: an upload is announced pending, then
 * each of its objects (original, preview, derivatives), then succeeded, with the record; a job that
 * fails for real (a bucket that does not exist, a wrong secret key) is announced failed with its
 * error; a subscriber may call pd_record_get from its function; unsubscribing stops delivery, and
 * the refusals of subscribe and unsubscribe. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"
#include "s3_test_env.h"

#define SAMPLE PINDECK_TEST_DATA "/images/truchet-l.webp"

static void sleep_ms(long ms) {
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&pause, NULL);
}
#define MAX_EVENTS 256

/* The fixture's S3 server. */
static struct s3_test_server server;

/* Persistence settings for the test server: `bucket_name`, `secret` as the secret key. */
static void s3_config(char* out, size_t size, const char* bucket_name, const char* secret,
                      const char* prefix) {
  snprintf(out, size,
           "{\"bucket\": \"%s\", \"keyPrefix\": \"%s\", \"pollIntervalMs\": 50, "
           "\"maxAttempts\": 1, \"s3\": {\"endpoint\": \"%s\", \"region\": \"%s\", "
           "\"accessKey\": \"%s\", \"secretKey\": \"%s\"}}",
           bucket_name, prefix, server.endpoint, server.region, server.access_key, secret);
}

/* ---- what a subscriber saw ---- */

struct seen {
  pthread_mutex_t mutex;
  pthread_cond_t changed;
  int count;
  char* events[MAX_EVENTS];
};

static void on_event(void* user, const char* event_json) {
  struct seen* s = user;
  pthread_mutex_lock(&s->mutex);
  CHECK(s->count < MAX_EVENTS);
  s->events[s->count] = strdup(event_json);
  CHECK(s->events[s->count] != NULL);
  ++s->count;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->mutex);
}

static void seen_init(struct seen* s) {
  memset(s, 0, sizeof *s);
  pthread_mutex_init(&s->mutex, NULL);
  pthread_cond_init(&s->changed, NULL);
}

static void seen_clear(struct seen* s) {
  pthread_mutex_lock(&s->mutex);
  for (int i = 0; i < s->count; ++i) free(s->events[i]);
  s->count = 0;
  pthread_mutex_unlock(&s->mutex);
}

static int is_of(const char* event, const char* id) {
  char field[128];
  snprintf(field, sizeof field, "\"id\":\"%s\"", id);
  return strstr(event, field) != NULL;
}

static int settled_at(struct seen* s, const char* id) {
  for (int i = 0; i < s->count; ++i) {
    if (is_of(s->events[i], id) && strstr(s->events[i], "\"type\":\"persistStatus\"") &&
        !strstr(s->events[i], "\"status\":\"pending\"")) {
      return i;
    }
  }
  return -1;
}

/* Waits (60 s at most) for the record's succeeded or failed event; returns its index. */
static int wait_settled(struct seen* s, const char* id) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 60;
  pthread_mutex_lock(&s->mutex);
  int at;
  while ((at = settled_at(s, id)) < 0) {
    if (pthread_cond_timedwait(&s->changed, &s->mutex, &deadline) != 0) break;
  }
  pthread_mutex_unlock(&s->mutex);
  if (at < 0) {
    fprintf(stderr, "record %s was never announced settled\n", id);
    exit(1);
  }
  return at;
}

static long long number_field(const char* json, const char* name) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\":", name);
  const char* at = strstr(json, key);
  CHECK(at != NULL);
  return atoll(at + strlen(key));
}

/* ---- a subscriber that reads the record back from inside its function ---- */

struct reader {
  pd_client* client;
  pthread_mutex_t mutex;
  pthread_cond_t changed;
  int reads_ok;
  int reads_failed;
};

static void read_back(void* user, const char* event_json) {
  struct reader* r = user;
  if (strstr(event_json, "\"type\":\"persistStatus\"") == NULL) return;
  char id[64];
  field_value(event_json, "id", id, sizeof id);
  char* record = NULL;
  const int status = pd_record_get(r->client, id, &record);
  pthread_mutex_lock(&r->mutex);
  if (status == PD_OK && strstr(record, id) != NULL) {
    ++r->reads_ok;
  } else {
    ++r->reads_failed;
  }
  pthread_cond_broadcast(&r->changed);
  pthread_mutex_unlock(&r->mutex);
  pd_string_free(record);
}

/* ---- the checks ---- */

static void check_succeeded_upload(pd_client* client, struct seen* seen, struct reader* reader) {
  char* json = NULL;
  CHECK_STATUS(pd_upload_file(client, SAMPLE, "{\"title\": \"Events\"}", &json), PD_OK);
  char id[64], original[512], preview[512], byte_size[32];
  field_value(json, "id", id, sizeof id);
  field_value(json, "storagePath", original, sizeof original);
  field_value(json, "previewStoragePath", preview, sizeof preview);
  snprintf(byte_size, sizeof byte_size, "%lld", number_field(json, "byteSize"));
  pd_string_free(json);

  const int last = wait_settled(seen, id);
  pthread_mutex_lock(&seen->mutex);
  int first = -1, progress = 0, saw_original = 0, saw_preview = 0;
  for (int i = 0; i <= last; ++i) {
    const char* event = seen->events[i];
    if (!is_of(event, id)) continue;
    if (first < 0) first = i;
    if (strstr(event, "\"type\":\"uploadProgress\"") == NULL) continue;
    CHECK(i > first);
    ++progress;
    CHECK(number_field(event, "bytesSent") == number_field(event, "bytesTotal"));
    CHECK(number_field(event, "bytesTotal") > 0);
    char key[512];
    field_value(event, "key", key, sizeof key);
    if (strcmp(key, original) == 0) {
      saw_original = 1;
      CHECK(number_field(event, "bytesTotal") == atoll(byte_size));
    }
    if (strcmp(key, preview) == 0) saw_preview = 1;
  }
  CHECK(first >= 0 && first < last);
  CHECK_CONTAINS(seen->events[first], "\"type\":\"persistStatus\"");
  CHECK_CONTAINS(seen->events[first], "\"status\":\"pending\"");
  CHECK_CONTAINS(seen->events[first], "\"record\":{");
  CHECK_CONTAINS(seen->events[first], "\"storagePersistStatus\":\"pending\"");
  CHECK(progress == 5); /* the original, the preview and the three derivatives */
  CHECK(saw_original && saw_preview);
  CHECK_CONTAINS(seen->events[last], "\"status\":\"succeeded\"");
  CHECK_CONTAINS(seen->events[last], "\"storagePersistStatus\":\"succeeded\"");
  CHECK_CONTAINS(seen->events[last], "\"storageProvider\":\"rustfs\"");
  CHECK(strstr(seen->events[last], "\"error\"") == NULL);
  pthread_mutex_unlock(&seen->mutex);

  /* The reader hears the same two status events, maybe after the recorder. */
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 60;
  pthread_mutex_lock(&reader->mutex);
  while (reader->reads_ok + reader->reads_failed < 2) {
    if (pthread_cond_timedwait(&reader->changed, &reader->mutex, &deadline) != 0) break;
  }
  CHECK(reader->reads_ok == 2 && reader->reads_failed == 0);
  pthread_mutex_unlock(&reader->mutex);
}

/* A client whose persistence fails for real with `config`: its record is announced failed,
 * with an error containing `expected` and not `secret`. */
static void check_failed_upload(const char* data_dir, const char* config, const char* secret,
                                const char* expected) {
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(data_dir, &client), PD_OK);
  CHECK_STATUS(pd_persistence_start(client, config), PD_OK);
  struct seen seen;
  seen_init(&seen);
  uint64_t subscription = 0;
  CHECK_STATUS(pd_events_subscribe(client, on_event, &seen, &subscription), PD_OK);
  char* json = NULL;
  CHECK_STATUS(pd_upload_file(client, SAMPLE, NULL, &json), PD_OK);
  char id[64];
  field_value(json, "id", id, sizeof id);
  pd_string_free(json);

  const int last = wait_settled(&seen, id);
  pthread_mutex_lock(&seen.mutex);
  CHECK_CONTAINS(seen.events[0], "\"status\":\"pending\"");
  const char* failed = seen.events[last];
  CHECK_CONTAINS(failed, "\"status\":\"failed\"");
  CHECK_CONTAINS(failed, "\"error\":\"");
  CHECK_CONTAINS(failed, expected);
  CHECK_CONTAINS(failed, "\"storagePersistStatus\":\"failed\"");
  CHECK(strstr(failed, secret) == NULL);
  for (int i = 0; i < last; ++i) CHECK(strstr(seen.events[i], "uploadProgress") == NULL);
  pthread_mutex_unlock(&seen.mutex);

  char* stored = NULL;
  CHECK_STATUS(pd_record_get(client, id, &stored), PD_OK);
  CHECK_CONTAINS(stored, "\"storagePersistStatus\":\"failed\"");
  pd_string_free(stored);
  pd_client_close(client);
  /* Closing ended the subscription. */
  CHECK_STATUS(pd_events_unsubscribe(client, subscription), PD_ERR_MISUSE);
  seen_clear(&seen);
}

static void check_unsubscribe(pd_client* client, pd_client* other, struct seen* seen,
                              uint64_t subscription) {
  CHECK_STATUS(pd_events_unsubscribe(other, subscription), PD_ERR_NOT_FOUND);
  CHECK_STATUS(pd_events_unsubscribe(client, subscription), PD_OK);
  CHECK_STATUS(pd_events_unsubscribe(client, subscription), PD_ERR_NOT_FOUND);
  CHECK_CONTAINS(pd_last_error(), "no subscription");
  seen_clear(seen);
  char* json = NULL;
  CHECK_STATUS(pd_upload_file(client, SAMPLE, "{\"title\": \"Unheard\"}", &json), PD_OK);
  char id[64];
  field_value(json, "id", id, sizeof id);
  pd_string_free(json);
  CHECK_STATUS(pd_wait_persisted(client, id, 60000, &json), PD_OK);
  CHECK_CONTAINS(json, "\"storagePersistStatus\":\"succeeded\"");
  pd_string_free(json);
  sleep_ms(200);
  pthread_mutex_lock(&seen->mutex);
  CHECK(seen->count == 0);
  pthread_mutex_unlock(&seen->mutex);
}

int main(void) {
  server = load_s3_test_server();
  char root[512], data_dir[600], other_dir[600], config[2048], prefix[64];
  make_temp_dir(root, sizeof root, "events");
  snprintf(prefix, sizeof prefix, "events-%ld", (long)getpid());

  pd_client* client = NULL;
  snprintf(data_dir, sizeof data_dir, "%s/ok", root);
  CHECK_STATUS(pd_client_open(data_dir, &client), PD_OK);

  uint64_t subscription = 99;
  CHECK_STATUS(pd_events_subscribe(client, NULL, NULL, &subscription), PD_ERR_INVALID);
  CHECK(subscription == 0);
  CHECK_CONTAINS(pd_last_error(), "fn");
  CHECK_STATUS(pd_events_subscribe(client, on_event, NULL, NULL), PD_ERR_INVALID);
  CHECK_STATUS(pd_events_subscribe(NULL, on_event, NULL, &subscription), PD_ERR_INVALID);
  CHECK_STATUS(pd_events_unsubscribe(NULL, 1), PD_ERR_INVALID);

  s3_config(config, sizeof config, server.bucket, server.secret_key, prefix);
  CHECK_STATUS(pd_persistence_start(client, config), PD_OK);
  struct seen seen;
  seen_init(&seen);
  struct reader reader = {client, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
  uint64_t reading = 0;
  CHECK_STATUS(pd_events_subscribe(client, on_event, &seen, &subscription), PD_OK);
  CHECK_STATUS(pd_events_subscribe(client, read_back, &reader, &reading), PD_OK);
  CHECK(subscription != 0 && reading != 0 && subscription != reading);

  check_succeeded_upload(client, &seen, &reader);

  pd_client* other = NULL;
  snprintf(other_dir, sizeof other_dir, "%s/other", root);
  CHECK_STATUS(pd_client_open(other_dir, &other), PD_OK);
  check_unsubscribe(client, other, &seen, subscription);
  pd_client_close(other);
  CHECK_STATUS(pd_events_unsubscribe(client, reading), PD_OK);

  snprintf(other_dir, sizeof other_dir, "%s/no-bucket", root);
  s3_config(config, sizeof config, "pindeck-no-such-bucket", server.secret_key, prefix);
  check_failed_upload(other_dir, config, server.secret_key, "pindeck-no-such-bucket");

  snprintf(other_dir, sizeof other_dir, "%s/wrong-secret", root);
  const char* wrong_secret = "wrong-secret-key-0123456789";
  s3_config(config, sizeof config, server.bucket, wrong_secret, prefix);
  check_failed_upload(other_dir, config, wrong_secret, "refused the credentials");

  pd_client_close(client);
  CHECK_STATUS(pd_events_subscribe(client, on_event, &seen, &subscription), PD_ERR_MISUSE);
  seen_clear(&seen);
  printf("capi events: ok\n");
  return 0;
}
