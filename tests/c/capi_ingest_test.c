/* SPDX-License-Identifier: Apache-2.0 */
/* The C ABI at ingest: pd_upload_file refuses what is not a regular file (a FIFO without
 * blocking, a directory, a character device) and a truncated image, storing nothing; and
 * pd_set_log_sink checks its level and receives libvips' warnings about an image that is whole
 * but damaged. A watchdog alarm fails the test if an upload blocks. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"
#include "read_whole_file.h"

#define SAMPLE PINDECK_TEST_DATA "/images/flow-5120x2880.jpg"

static int contains(const char* text, const char* part) {
  return strstr(text, part) != NULL;
}

/* pd_upload_file(path) must fail with `status`, name `name` and say `what`, and store nothing. */
static void check_refused(pd_client* client, const char* path, const char* name, int status,
                          const char* what) {
  char* json = NULL;
  CHECK_STATUS(pd_upload_file(client, path, NULL, &json), status);
  CHECK(json == NULL);
  if (!contains(pd_last_error(), name) || !contains(pd_last_error(), what)) {
    fprintf(stderr, "message for %s lacks %s or \"%s\": %s\n", path, name, what, pd_last_error());
    exit(1);
  }
  char* page = NULL;
  CHECK_STATUS(pd_record_list(client, NULL, &page), PD_OK);
  CHECK(contains(page, "\"records\":[]"));
  pd_string_free(page);
}

/* The first `size` bytes of SAMPLE, written to `path`. */
static void write_prefix(const char* path, long size) {
  FILE* in = fopen(SAMPLE, "rb");
  FILE* out = fopen(path, "wb");
  CHECK(in != NULL && out != NULL);
  char buffer[65536];
  long left = size;
  while (left > 0) {
    const size_t want = left < (long)sizeof buffer ? (size_t)left : sizeof buffer;
    const size_t n = fread(buffer, 1, want, in);
    CHECK(n > 0);
    CHECK(fwrite(buffer, 1, n, out) == n);
    left -= (long)n;
  }
  fclose(in);
  CHECK(fclose(out) == 0);
}

/* What the log sink heard: the count of warnings from libvips, and the first one. */
static pthread_mutex_t heard_mutex = PTHREAD_MUTEX_INITIALIZER;
static int vips_warnings = 0;
static char first_warning[512];

static void on_log(void* user, int level, const char* message) {
  CHECK(user == &vips_warnings);
  pthread_mutex_lock(&heard_mutex);
  if (level == PD_LOG_WARNING && strncmp(message, "VIPS: ", 6) == 0 && vips_warnings++ == 0)
    snprintf(first_warning, sizeof first_warning, "%s", message);
  pthread_mutex_unlock(&heard_mutex);
}

/* A real PNG, whole, with 8 bytes of its pixel data damaged: accepted, then libvips warns. */
static char* damaged_png(size_t* size) {
  char* bytes = (char*)read_whole_file(PINDECK_TEST_DATA "/images/canopee-3840x2160.png", size);
  for (size_t i = *size / 2; i < *size / 2 + 8; ++i) bytes[i] ^= 0x55;
  return bytes;
}

int main(void) {
  alarm(60); /* a regression that blocks on the FIFO is killed by SIGALRM: a failure, not a hang */
  char dir[] = "/tmp/pindeck-capi-ingest-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char data_dir[256], fifo[256], sub[256], half[256];
  snprintf(data_dir, sizeof data_dir, "%s/data", dir);
  snprintf(fifo, sizeof fifo, "%s/pipe.jpg", dir);
  snprintf(sub, sizeof sub, "%s/folder.jpg", dir);
  snprintf(half, sizeof half, "%s/half.jpg", dir);
  CHECK(mkfifo(fifo, 0600) == 0);
  CHECK(mkdir(sub, 0700) == 0);
  struct stat sample;
  CHECK(stat(SAMPLE, &sample) == 0);
  write_prefix(half, (long)sample.st_size / 2);

  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(data_dir, &client), PD_OK);
  CHECK_STATUS(pd_persistence_start(client, "{\"pollIntervalMs\": 50}"), PD_OK);

  check_refused(client, fifo, fifo, PD_ERR_INVALID, "it is a FIFO (named pipe)");
  check_refused(client, sub, sub, PD_ERR_INVALID, "it is a directory");
  check_refused(client, "/dev/zero", "/dev/zero", PD_ERR_INVALID, "it is a character device");
  /* A media error names the file as records do: by its name. */
  check_refused(client, half, "'half.jpg'", PD_ERR_MEDIA,
                "truncated: no end-of-image marker (FF D9)");

  CHECK_STATUS(pd_set_log_sink(NULL, NULL, 7), PD_ERR_INVALID);
  CHECK(contains(pd_last_error(), "min_level 7"));
  CHECK_STATUS(pd_set_log_sink(on_log, &vips_warnings, PD_LOG_WARNING), PD_OK);
  size_t size = 0;
  char* png = damaged_png(&size);
  char* json = NULL;
  CHECK_STATUS(pd_upload_bytes(client, png, size, "damaged.png", NULL, &json), PD_OK);
  free(png);
  char id[64] = {0};
  const char* at = strstr(json, "\"id\":\"");
  CHECK(at != NULL);
  sscanf(at + 6, "%63[^\"]", id);
  pd_string_free(json);
  CHECK_STATUS(pd_wait_persisted(client, id, 120000, &json), PD_OK);
  CHECK(contains(json, "\"storagePersistStatus\":\"failed\""));
  pd_string_free(json);
  pthread_mutex_lock(&heard_mutex);
  if (vips_warnings == 0) {
    fprintf(stderr, "the log sink heard no libvips warning\n");
    exit(1);
  }
  printf("log sink: %d libvips warnings, first: %s\n", vips_warnings, first_warning);
  pthread_mutex_unlock(&heard_mutex);
  CHECK_STATUS(pd_set_log_sink(NULL, NULL, PD_LOG_WARNING), PD_OK);

  pd_client_close(client);
  char command[256];
  snprintf(command, sizeof command, "rm -rf %s", dir);
  CHECK(system(command) == 0);
  puts("capi ingest: ok");
  return 0;
}
