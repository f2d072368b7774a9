/* SPDX-License-Identifier: Apache-2.0 */
/* Probe and derivatives without persistence through the C ABI, on the real sample images: facts,
 * the four outputs (format, width, re-probed), the palette, agreement with what the persistence
 * pipeline stores for the same image, file against bytes, several threads at once, refusals. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "pindeck/pindeck.h"
#include "read_whole_file.h"

/* The samples with the facts tests/data/images/README.md (and each file name) states. */
struct sample {
  const char* file;
  const char* format;
  const char* content_type;
  int width;
  int height;
  char record_id[128]; /* of the same image uploaded through the persistence pipeline */
};

static struct sample samples[] = {
    {"volna-5120x2880.jpg", "jpeg", "image/jpeg", 5120, 2880, ""},       /* progressive */
    {"safelanding-5120x2880.jpg", "jpeg", "image/jpeg", 5120, 2880, ""}, /* baseline */
    {"flow-5120x2880.jpg", "jpeg", "image/jpeg", 5120, 2880, ""},
    {"canopee-3840x2160.png", "png", "image/png", 3840, 2160, ""},
    {"truchet-l.webp", "webp", "image/webp", 4096, 4096, ""},
};
#define SAMPLE_COUNT (sizeof samples / sizeof samples[0])

static const char* const roles[] = {"preview", "small", "medium", "large"};
static const int role_widths[] = {640, 320, 768, 1280}; /* DESIGN §4 */

static void sample_path(char* path, size_t size, const char* file) {
  snprintf(path, size, "%s/images/%s", PINDECK_TEST_DATA, file);
}

/* The integer after "name": in `json` (the first one). */
static long long int_field(const char* json, const char* name) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\":", name);
  const char* at = strstr(json, key);
  CHECK(at != NULL);
  return strtoll(at + strlen(key), NULL, 10);
}

/* Copies the JSON object of `json` that contains `part` (no nested object inside it). */
static void object_containing(const char* json, const char* part, char* out, size_t size) {
  const char* at = strstr(json, part);
  CHECK(at != NULL);
  const char* start = at;
  while (start > json && *start != '{') --start;
  const char* end = strchr(at, '}');
  CHECK(*start == '{' && end != NULL && (size_t)(end - start + 1) < size);
  memcpy(out, start, (size_t)(end - start + 1));
  out[end - start + 1] = '\0';
}

/* Copies the object after "name": in `json` (no nested object inside it). */
static void object_field(const char* json, const char* name, char* out, size_t size) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\":{", name);
  const char* at = strstr(json, key);
  CHECK(at != NULL);
  object_containing(at + strlen(key) - 1, "{", out, size);
}

/* Copies the array after "name": in `json`, brackets included. */
static void array_field(const char* json, const char* name, char* out, size_t size) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\":[", name);
  const char* at = strstr(json, key);
  CHECK(at != NULL);
  at += strlen(key) - 1;
  const char* end = strchr(at, ']');
  CHECK(end != NULL && (size_t)(end - at + 1) < size);
  memcpy(out, at, (size_t)(end - at + 1));
  out[end - at + 1] = '\0';
}

static int is_webp(const unsigned char* data, size_t size) {
  if (size < 12 || memcmp(data, "RIFF", 4) != 0 || memcmp(data + 8, "WEBP", 4) != 0) return 0;
  /* The RIFF size says the whole file is there. */
  const uint32_t riff = (uint32_t)data[4] | (uint32_t)data[5] << 8 | (uint32_t)data[6] << 16 |
                        (uint32_t)data[7] << 24;
  return (size_t)riff + 8 == size;
}

static int has_signature_of(const char* format, const unsigned char* data, size_t size) {
  if (strcmp(format, "webp") == 0) return is_webp(data, size);
  if (strcmp(format, "jpeg") == 0)
    return size > 4 && data[0] == 0xff && data[1] == 0xd8 && data[size - 2] == 0xff &&
           data[size - 1] == 0xd9;
  if (strcmp(format, "png") == 0) return size > 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
  return 0;
}

/* A palette as a JSON array: 1 to 5 lowercase "#rrggbb". */
static void check_palette(const char* colors) {
  CHECK(colors[0] == '[');
  const char* p = colors + 1;
  int count = 0;
  while (*p == '"') {
    CHECK(p[1] == '#' && p[8] == '"');
    for (int i = 2; i < 8; ++i) CHECK(strchr("0123456789abcdef", p[i]) != NULL);
    ++count;
    p += 9;
    if (*p == ',') ++p;
  }
  CHECK(strcmp(p, "]") == 0);
  CHECK(count >= 1 && count <= 5);
}

/* Checks one output against DESIGN §4, its entry in the JSON and what pd_image_probe reads from
 * its bytes, for an original of `source_width` x `source_height` in `source_format`. */
static void check_output(const pd_derivatives* d, size_t index, const char* source_format,
                         int source_width, int source_height) {
  const char* role = NULL;
  const unsigned char* data = NULL;
  size_t size = 0;
  CHECK_STATUS(pd_derivatives_output(d, index, &role, &data, &size), PD_OK);
  CHECK_STR(role, roles[index]);
  /* The preview keeps a JPEG, PNG or WebP original's format; the sizes are WebP. */
  const char* format = index == 0 ? source_format : "webp";
  CHECK(has_signature_of(format, data, size));

  char key[32], entry[512];
  snprintf(key, sizeof key, "\"role\":\"%s\"", role);
  object_containing(pd_derivatives_json(d), key, entry, sizeof entry);
  const int width = source_width < role_widths[index] ? source_width : role_widths[index];
  const double exact_height = (double)source_height * width / source_width;
  CHECK(int_field(entry, "width") == width);
  CHECK(int_field(entry, "height") >= (long long)exact_height - 1 &&
        int_field(entry, "height") <= (long long)exact_height + 1);
  CHECK(int_field(entry, "size") == (long long)size);

  char* probe = NULL;
  CHECK_STATUS(pd_image_probe(data, size, &probe), PD_OK);
  CHECK(int_field(probe, "width") == int_field(entry, "width"));
  CHECK(int_field(probe, "height") == int_field(entry, "height"));
  char expected[64];
  snprintf(expected, sizeof expected, "\"format\":\"%s\"", format);
  CHECK_CONTAINS(probe, expected);
  snprintf(expected, sizeof expected, "\"contentType\":\"image/%s\"", format);
  CHECK_CONTAINS(probe, expected);
  CHECK_CONTAINS(entry, expected);
  pd_string_free(probe);
}

static void check_same_outputs(const pd_derivatives* a, const pd_derivatives* b) {
  CHECK(pd_derivatives_count(a) == 4 && pd_derivatives_count(b) == 4);
  for (size_t i = 0; i < 4; ++i) {
    const unsigned char *da = NULL, *db = NULL;
    size_t sa = 0, sb = 0;
    CHECK_STATUS(pd_derivatives_output(a, i, NULL, &da, &sa), PD_OK);
    CHECK_STATUS(pd_derivatives_output(b, i, NULL, &db, &sb), PD_OK);
    CHECK(sa == sb && memcmp(da, db, sa) == 0);
  }
}

/* The object under the record's key `field` (within "section" when not NULL) equals `data`. */
static void check_stored(pd_client* client, const char* record, const char* section,
                         const char* field, const unsigned char* data, size_t size) {
  const char* from = record;
  if (section != NULL) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":{", section);
    from = strstr(record, key);
    CHECK(from != NULL);
  }
  char object_key[1100];
  field_value(from, field, object_key, sizeof object_key);
  unsigned char* stored = NULL;
  size_t stored_size = 0;
  CHECK_STATUS(pd_object_read(client, object_key, &stored, &stored_size), PD_OK);
  if (stored_size != size || memcmp(stored, data, size) != 0) {
    fprintf(stderr, "%s differs from the derived output (%zu bytes stored, %zu derived)\n",
            object_key, stored_size, size);
    exit(1);
  }
  pd_bytes_free(stored);
}

static void check_sample(pd_client* client, struct sample* s) {
  char path[1024];
  sample_path(path, sizeof path, s->file);
  size_t size = 0;
  unsigned char* bytes = read_whole_file(path, &size);

  /* Probe: the file's facts, the same from the file and from its bytes. */
  char* probe = NULL;
  char* probe_file = NULL;
  CHECK_STATUS(pd_image_probe(bytes, size, &probe), PD_OK);
  CHECK_STATUS(pd_image_probe_file(path, &probe_file), PD_OK);
  CHECK_STR(probe_file, probe);
  char expected[64];
  snprintf(expected, sizeof expected, "\"format\":\"%s\"", s->format);
  CHECK_CONTAINS(probe, expected);
  snprintf(expected, sizeof expected, "\"contentType\":\"%s\"", s->content_type);
  CHECK_CONTAINS(probe, expected);
  CHECK(int_field(probe, "width") == s->width);
  CHECK(int_field(probe, "height") == s->height);
  CHECK(int_field(probe, "pages") == 1);
  CHECK_CONTAINS(probe, "\"animated\":false");

  /* Derive from the file: the source as probed, four outputs as DESIGN §4 says, a palette. */
  pd_derivatives* from_file = NULL;
  CHECK_STATUS(pd_derive_file(path, NULL, &from_file), PD_OK);
  CHECK_STR(pd_last_error(), "");
  const char* json = pd_derivatives_json(from_file);
  char source[1024];
  object_field(json, "source", source, sizeof source);
  CHECK_STR(source, probe);
  CHECK(pd_derivatives_count(from_file) == 4);
  for (size_t i = 0; i < 4; ++i) check_output(from_file, i, s->format, s->width, s->height);
  char colors[128];
  array_field(json, "colors", colors, sizeof colors);
  check_palette(colors);

  /* From the bytes: the same outputs, byte for byte. */
  pd_derivatives* from_bytes = NULL;
  CHECK_STATUS(pd_derive(bytes, size, NULL, &from_bytes), PD_OK);
  CHECK_STR(pd_derivatives_json(from_bytes), json);
  check_same_outputs(from_file, from_bytes);
  pd_derivatives_free(from_bytes);

  /* What the pipeline stored for the same image: the same bytes and the same palette. */
  char* record = NULL;
  CHECK_STATUS(pd_wait_persisted(client, s->record_id, 120000, &record), PD_OK);
  CHECK_CONTAINS(record, "\"storagePersistStatus\":\"succeeded\"");
  char stored_colors[128];
  array_field(record, "colors", stored_colors, sizeof stored_colors);
  CHECK_STR(stored_colors, colors);
  for (size_t i = 0; i < 4; ++i) {
    const unsigned char* data = NULL;
    size_t data_size = 0;
    CHECK_STATUS(pd_derivatives_output(from_file, i, NULL, &data, &data_size), PD_OK);
    if (i == 0) {
      check_stored(client, record, NULL, "previewStoragePath", data, data_size);
    } else {
      check_stored(client, record, "derivativeStoragePaths", roles[i], data, data_size);
    }
  }
  pd_string_free(record);

  pd_derivatives_free(from_file);
  pd_string_free(probe_file);
  pd_string_free(probe);
  free(bytes);
  printf("  %s: probe, derive, pipeline agree\n", s->file);
}

/* An image narrower than every width: nothing is enlarged, every output is still made. */
static void check_small_original(void) {
  char path[1024];
  sample_path(path, sizeof path, samples[3].file);
  pd_derivatives* big = NULL;
  CHECK_STATUS(pd_derive_file(path, "{\"palette\": false}", &big), PD_OK);
  CHECK_CONTAINS(pd_derivatives_json(big), "\"colors\":null");
  const unsigned char* small = NULL;
  size_t small_size = 0;
  CHECK_STATUS(pd_derivatives_output(big, 1, NULL, &small, &small_size), PD_OK);
  char* probe = NULL;
  CHECK_STATUS(pd_image_probe(small, small_size, &probe), PD_OK);
  const int width = (int)int_field(probe, "width");
  const int height = (int)int_field(probe, "height");
  CHECK(width == 320);
  pd_string_free(probe);

  pd_derivatives* d = NULL;
  CHECK_STATUS(pd_derive(small, small_size, NULL, &d), PD_OK);
  for (size_t i = 0; i < 4; ++i) check_output(d, i, "webp", width, height);
  char entry[512];
  object_containing(pd_derivatives_json(d), "\"role\":\"large\"", entry, sizeof entry);
  CHECK(int_field(entry, "width") == 320 && int_field(entry, "height") == height);

  /* Without the palette: the same outputs, no colours. */
  pd_derivatives* no_palette = NULL;
  CHECK_STATUS(pd_derive(small, small_size, "{\"palette\": false}", &no_palette), PD_OK);
  CHECK_CONTAINS(pd_derivatives_json(no_palette), "\"colors\":null");
  check_same_outputs(d, no_palette);
  pd_derivatives_free(no_palette);
  pd_derivatives_free(d);
  pd_derivatives_free(big);
  puts("  a 320 px original: nothing enlarged; palette false: same outputs, colors null");
}

struct worker {
  const unsigned char* image;
  size_t size;
  const pd_derivatives* expected;
  int failures;
};

static void* derive_repeatedly(void* arg) {
  struct worker* w = arg;
  for (int round = 0; round < 3; ++round) {
    pd_derivatives* d = NULL;
    if (pd_derive(w->image, w->size, NULL, &d) != PD_OK ||
        strcmp(pd_derivatives_json(d), pd_derivatives_json(w->expected)) != 0) {
      ++w->failures;
    } else {
      for (size_t i = 0; i < 4; ++i) {
        const unsigned char *a = NULL, *b = NULL;
        size_t sa = 0, sb = 0;
        pd_derivatives_output(d, i, NULL, &a, &sa);
        pd_derivatives_output(w->expected, i, NULL, &b, &sb);
        if (sa != sb || memcmp(a, b, sa) != 0) ++w->failures;
      }
    }
    pd_derivatives_free(d);
  }
  return NULL;
}

/* Several threads deriving at once get what one thread alone gets. */
static void check_threads(void) {
  char path[1024];
  sample_path(path, sizeof path, samples[4].file);
  pd_derivatives* big = NULL;
  CHECK_STATUS(pd_derive_file(path, NULL, &big), PD_OK);
  const unsigned char* image = NULL;
  size_t size = 0;
  CHECK_STATUS(pd_derivatives_output(big, 3, NULL, &image, &size), PD_OK);
  pd_derivatives* expected = NULL;
  CHECK_STATUS(pd_derive(image, size, NULL, &expected), PD_OK);

  enum { THREADS = 4 };
  pthread_t threads[THREADS];
  struct worker workers[THREADS];
  for (int i = 0; i < THREADS; ++i) {
    workers[i] = (struct worker){image, size, expected, 0};
    CHECK(pthread_create(&threads[i], NULL, derive_repeatedly, &workers[i]) == 0);
  }
  for (int i = 0; i < THREADS; ++i) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    CHECK(workers[i].failures == 0);
  }
  pd_derivatives_free(expected);
  pd_derivatives_free(big);
  puts("  4 threads x 3 derives: identical to one thread's");
}

static void check_last_error_mentions(const char* part) {
  CHECK_CONTAINS(pd_last_error(), part);
}

static void check_refusals(pd_client* client) {
  char path[1024];
  sample_path(path, sizeof path, samples[1].file);
  size_t size = 0;
  unsigned char* jpeg = read_whole_file(path, &size);
  /* Out-parameters start non-NULL to see that a failure clears them. */
  static char sentinel[] = "sentinel";
  char* json = sentinel;
  pd_derivatives* d = (void*)sentinel;

  /* Not an image, empty. */
  const unsigned char text[] = "not an image at all";
  CHECK_STATUS(pd_image_probe(text, sizeof text, &json), PD_ERR_MEDIA);
  CHECK(json == NULL);
  CHECK_STATUS(pd_derive(text, sizeof text, NULL, &d), PD_ERR_MEDIA);
  CHECK(d == NULL);
  CHECK_STATUS(pd_derive(text, 0, NULL, &d), PD_ERR_MEDIA);
  CHECK_STATUS(pd_image_probe(text, 0, &json), PD_ERR_MEDIA);

  /* A JPEG cut in half: refused as an upload refuses it. */
  const size_t half = size / 2;
  CHECK_STATUS(pd_image_probe(jpeg, half, &json), PD_ERR_MEDIA);
  CHECK_STATUS(pd_derive(jpeg, half, NULL, &d), PD_ERR_MEDIA);
  CHECK(d == NULL);
  char derive_error[512];
  snprintf(derive_error, sizeof derive_error, "%s", pd_last_error());
  CHECK_STATUS(pd_upload_bytes(client, jpeg, half, "cut.jpg", NULL, &json), PD_ERR_MEDIA);
  CHECK_CONTAINS(pd_last_error(), derive_error);

  /* Files: missing, a directory. */
  char missing[1100];
  snprintf(missing, sizeof missing, "%s/images/no-such-image.jpg", PINDECK_TEST_DATA);
  CHECK_STATUS(pd_image_probe_file(missing, &json), PD_ERR_NOT_FOUND);
  check_last_error_mentions("no-such-image.jpg");
  CHECK_STATUS(pd_derive_file(missing, NULL, &d), PD_ERR_NOT_FOUND);
  CHECK(d == NULL);
  CHECK_STATUS(pd_derive_file(PINDECK_TEST_DATA, NULL, &d), PD_ERR_INVALID);
  check_last_error_mentions("a directory");
  CHECK_STATUS(pd_image_probe_file(PINDECK_TEST_DATA, &json), PD_ERR_INVALID);

  /* NULL arguments. */
  CHECK_STATUS(pd_image_probe(NULL, 10, &json), PD_ERR_INVALID);
  check_last_error_mentions("bytes");
  CHECK_STATUS(pd_image_probe(jpeg, size, NULL), PD_ERR_INVALID);
  check_last_error_mentions("out_json");
  CHECK_STATUS(pd_image_probe_file(NULL, &json), PD_ERR_INVALID);
  check_last_error_mentions("path");
  CHECK_STATUS(pd_image_probe_file(path, NULL), PD_ERR_INVALID);
  CHECK_STATUS(pd_derive(NULL, size, NULL, &d), PD_ERR_INVALID);
  check_last_error_mentions("bytes");
  CHECK_STATUS(pd_derive(jpeg, size, NULL, NULL), PD_ERR_INVALID);
  check_last_error_mentions("out");
  CHECK_STATUS(pd_derive_file(NULL, NULL, &d), PD_ERR_INVALID);
  check_last_error_mentions("path");
  CHECK_STATUS(pd_derive_file(path, NULL, NULL), PD_ERR_INVALID);

  /* Bad options, refused before any decoding. */
  CHECK_STATUS(pd_derive(jpeg, size, "{\"palete\": false}", &d), PD_ERR_INVALID);
  check_last_error_mentions("unknown field \"palete\"");
  CHECK(d == NULL);
  CHECK_STATUS(pd_derive_file(path, "{\"palette\": 1}", &d), PD_ERR_INVALID);
  check_last_error_mentions("palette: must be true or false");
  CHECK_STATUS(pd_derive(jpeg, size, "[\"palette\"]", &d), PD_ERR_INVALID);
  check_last_error_mentions("must be a JSON object");
  CHECK_STATUS(pd_derive(jpeg, size, "{\"palette\": ", &d), PD_ERR_INVALID);
  check_last_error_mentions("derive options");

  /* The result's accessors. */
  CHECK_STATUS(pd_derive(jpeg, size, "{}", &d), PD_OK);
  const char* role = "x";
  const unsigned char* data = jpeg;
  size_t data_size = 1;
  CHECK_STATUS(pd_derivatives_output(d, 4, &role, &data, &data_size), PD_ERR_INVALID);
  check_last_error_mentions("index 4 is out of range: there are 4 outputs");
  CHECK(role == NULL && data == NULL && data_size == 0);
  CHECK_STATUS(pd_derivatives_output(d, SIZE_MAX, &role, &data, &data_size), PD_ERR_INVALID);
  CHECK_STATUS(pd_derivatives_output(NULL, 0, &role, &data, &data_size), PD_ERR_INVALID);
  check_last_error_mentions("derivatives");
  CHECK_STATUS(pd_derivatives_output(d, 3, &role, NULL, NULL), PD_OK);
  CHECK_STR(role, "large");
  CHECK_STR(pd_last_error(), "");
  CHECK(pd_derivatives_count(NULL) == 0);
  CHECK(pd_derivatives_json(NULL) == NULL);
  pd_derivatives_free(d);
  pd_derivatives_free(NULL);
  free(jpeg);
  puts("  refusals: media, truncated (as upload), files, NULLs, options, index");
}

int main(void) {
  char dir[1024];
  make_temp_dir(dir, sizeof dir, "derive");
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(dir, &client), PD_OK);
  CHECK_STATUS(pd_persistence_start(client, "{\"pollIntervalMs\": 20, \"createBucket\": true}"),
               PD_OK);
  /* The pipeline works on its copies while the C ABI derives; each is compared once both end. */
  for (size_t i = 0; i < SAMPLE_COUNT; ++i) {
    char path[1024];
    sample_path(path, sizeof path, samples[i].file);
    char* record = NULL;
    CHECK_STATUS(pd_upload_file(client, path, NULL, &record), PD_OK);
    field_value(record, "id", samples[i].record_id, sizeof samples[i].record_id);
    pd_string_free(record);
  }

  for (size_t i = 0; i < SAMPLE_COUNT; ++i) check_sample(client, &samples[i]);
  check_small_original();
  check_threads();
  check_refusals(client);

  pd_client_close(client);
  char command[1100];
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  CHECK(system(command) == 0);
  puts("capi derive: ok");
  return 0;
}
