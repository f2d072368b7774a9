/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal assertions for the C tests: print where and what failed, then exit non-zero. */
#ifndef PINDECK_TEST_CHECK_H
#define PINDECK_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

#define CHECK_STATUS(call, expected)                                                         \
  do {                                                                                       \
    int st_ = (call);                                                                        \
    if (st_ != (expected)) {                                                                 \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d; last error: %s\n", __FILE__, \
              __LINE__, #call, st_, pd_status_name(st_), (int)(expected), pd_last_error());  \
      exit(1);                                                                               \
    }                                                                                        \
  } while (0)

#define CHECK_STR(actual, expected)                                                          \
  do {                                                                                       \
    const char* a_ = (actual);                                                               \
    const char* e_ = (expected);                                                             \
    if (a_ == NULL || strcmp(a_, e_) != 0) {                                                 \
      fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #actual, \
              a_ ? a_ : "(null)", e_);                                                       \
      exit(1);                                                                               \
    }                                                                                        \
  } while (0)

#define CHECK_CONTAINS(haystack, needle)                                             \
  do {                                                                               \
    const char* h_ = (haystack);                                                     \
    if (h_ == NULL || strstr(h_, (needle)) == NULL) {                                \
      fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
              h_ ? h_ : "(null)", (needle));                                         \
      exit(1);                                                                       \
    }                                                                                \
  } while (0)

/* Copies the value of the first string field `name` ("name":"...", no escapes in the value) out
 * of `json`, for the ids and keys the tests read back from the library's JSON. */
static inline void field_value(const char* json, const char* name, char* out, size_t size) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\":\"", name);
  const char* start = strstr(json, key);
  CHECK(start != NULL);
  start += strlen(key);
  const char* end = strchr(start, '"');
  CHECK(end != NULL && (size_t)(end - start) < size);
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
}

/* Makes a new directory $TMPDIR/pindeck-c-<name>-XXXXXX (/tmp without TMPDIR) into `path`. */
static inline void make_temp_dir(char* path, size_t size, const char* name) {
  const char* base = getenv("TMPDIR");
  snprintf(path, size, "%s/pindeck-c-%s-XXXXXX", base ? base : "/tmp", name);
  CHECK(mkdtemp(path) != NULL);
}

#endif
