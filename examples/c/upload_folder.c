/* SPDX-License-Identifier: Apache-2.0 */
/* Uploads every image of a folder through the C ABI, waits until each is persisted, and prints one
 * line per record: id, title, storagePersistStatus and colours, separated by tabs.
 *
 *   upload_folder DATA_DIR FOLDER
 *
 * Persistence reads its settings from the environment (PINDECK_S3_ENDPOINT, PINDECK_S3_BUCKET,
 * PINDECK_S3_ACCESS_KEY, ...; without an endpoint, the local object store in DATA_DIR/objects).
 * A file that is not an image is reported on stderr and skipped. Exit status 0 when every image
 * was persisted, 1 otherwise. Records cross the C ABI as JSON text; jansson reads it here. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <jansson.h>
#include <pindeck/pindeck.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* How long one record may take to be persisted. */
#define PERSIST_TIMEOUT_MS INT64_C(300000)

static int is_regular_file(const char* path) {
  struct stat info;
  return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

/* The "id" of a record's JSON, to free with free(); NULL when it has none. */
static char* record_id(const char* record_json) {
  json_t* record = json_loads(record_json, 0, NULL);
  const char* id = NULL;
  char* copy = NULL;
  if (record != NULL && json_unpack(record, "{s:s}", "id", &id) == 0) copy = strdup(id);
  json_decref(record);
  return copy;
}

/* Prints "id <tab> title <tab> storagePersistStatus <tab> colours" (comma-separated, "-" for
 * none) and returns 1 when the record was persisted. */
static int print_record(const char* record_json) {
  json_error_t error;
  json_t* record = json_loads(record_json, 0, &error);
  const char *id = NULL, *title = NULL, *status = NULL;
  if (record == NULL || json_unpack_ex(record, &error, 0, "{s:s, s:s, s:s}", "id", &id, "title",
                                       &title, "storagePersistStatus", &status) != 0) {
    fprintf(stderr, "upload_folder: unexpected record: %s\n", error.text);
    json_decref(record);
    return 0;
  }
  printf("%s\t%s\t%s\t", id, title, status);
  const json_t* colors = json_object_get(record, "colors");
  if (json_array_size(colors) == 0) printf("-");
  for (size_t i = 0; i < json_array_size(colors); ++i) {
    printf("%s%s", i ? "," : "", json_string_value(json_array_get(colors, i)));
  }
  printf("\n");
  const char* persist_error = json_string_value(json_object_get(record, "storagePersistError"));
  if (persist_error != NULL) fprintf(stderr, "upload_folder: %s: %s\n", id, persist_error);
  const int persisted = strcmp(status, "succeeded") == 0;
  json_decref(record);
  return persisted;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: upload_folder DATA_DIR FOLDER\n");
    return 2;
  }
  const char* data_dir = argv[1];
  const char* folder = argv[2];

  pd_client* client = NULL;
  int status = pd_client_open(data_dir, &client);
  if (status == PD_OK) status = pd_persistence_start(client, NULL);
  if (status != PD_OK) {
    fprintf(stderr, "upload_folder: %s: %s\n", pd_status_name(status), pd_last_error());
    pd_client_close(client);
    return 1;
  }

  struct dirent** entries = NULL;
  const int count = scandir(folder, &entries, NULL, alphasort);
  if (count < 0) {
    perror(folder);
    pd_client_close(client);
    return 1;
  }

  /* Every record gets the same tag, as a host would mark where its records came from. */
  json_t* metadata_object = json_pack("{s:[s]}", "tags", "c-example");
  char* metadata = json_dumps(metadata_object, JSON_COMPACT);
  json_decref(metadata_object);

  char** ids = calloc((size_t)count, sizeof *ids);
  size_t uploaded = 0;
  int failed = ids == NULL || metadata == NULL;
  for (int i = 0; i < count && !failed; ++i) {
    const char* name = entries[i]->d_name;
    char* path = malloc(strlen(folder) + strlen(name) + 2);
    if (path == NULL) {
      failed = 1;
      break;
    }
    sprintf(path, "%s/%s", folder, name);
    if (name[0] != '.' && is_regular_file(path)) {
      char* record_json = NULL;
      status = pd_upload_file(client, path, metadata, &record_json);
      if (status == PD_OK) {
        ids[uploaded] = record_id(record_json);
        failed = ids[uploaded++] == NULL;
      } else if (status == PD_ERR_MEDIA) {
        fprintf(stderr, "upload_folder: skipped %s: %s\n", name, pd_last_error());
      } else {
        fprintf(stderr, "upload_folder: %s: %s: %s\n", name, pd_status_name(status),
                pd_last_error());
        failed = 1;
      }
      pd_string_free(record_json);
    }
    free(path);
  }

  /* Persistence runs in the background; each wait returns once that record has settled. */
  for (size_t i = 0; i < uploaded; ++i) {
    char* record_json = NULL;
    status = pd_wait_persisted(client, ids[i], PERSIST_TIMEOUT_MS, &record_json);
    if (status == PD_OK) {
      failed |= !print_record(record_json);
    } else {
      fprintf(stderr, "upload_folder: waiting for %s: %s\n", ids[i], pd_last_error());
      failed = 1;
    }
    pd_string_free(record_json);
  }

  for (size_t i = 0; i < uploaded; ++i) free(ids[i]);
  free(ids);
  free(metadata);
  for (int i = 0; i < count; ++i) free(entries[i]);
  free(entries);
  pd_client_close(client);
  if (uploaded == 0) fprintf(stderr, "upload_folder: no image in %s\n", folder);
  return failed || uploaded == 0;
}
