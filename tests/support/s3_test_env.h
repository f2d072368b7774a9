/* SPDX-License-Identifier: Apache-2.0 */
/* The test S3 server of the CTest fixture s3_server, for the C tests: its settings, read from the
 * file PINDECK_TEST_S3_ENV names (lines `export NAME=value`, as bash's printf %q writes them). */
#ifndef PINDECK_TEST_S3_TEST_ENV_H
#define PINDECK_TEST_S3_TEST_ENV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

struct s3_test_server {
  char endpoint[256];
  char region[64];
  char access_key[128];
  char secret_key[128];
  char bucket[128];
};

/* Undoes bash's printf %q for what the fixture writes: plain text, '...' and backslash escapes. */
static void s3_test_unquote(const char* in, char* out, size_t size) {
  size_t n = 0;
  for (; *in != '\0' && *in != '\n' && n + 1 < size; ++in) {
    if (*in == '\'') {
      for (++in; *in != '\0' && *in != '\'' && n + 1 < size; ++in) out[n++] = *in;
      if (*in == '\0') break;
    } else if (*in == '\\' && in[1] != '\0') {
      out[n++] = *++in;
    } else {
      out[n++] = *in;
    }
  }
  out[n] = '\0';
}

/* The server's settings; a missing file or setting fails the test. */
static struct s3_test_server load_s3_test_server(void) {
  struct s3_test_server s = {{0}, {0}, {0}, {0}, {0}};
  const char* path = getenv("PINDECK_TEST_S3_ENV");
  CHECK(path != NULL && *path != '\0');
  FILE* file = fopen(path, "r");
  CHECK(file != NULL);
  char line[1024];
  while (fgets(line, sizeof line, file) != NULL) {
    struct {
      const char* name;
      char* value;
      size_t size;
    } vars[] = {{"export S3_ENDPOINT=", s.endpoint, sizeof s.endpoint},
                {"export S3_REGION=", s.region, sizeof s.region},
                {"export S3_ACCESS_KEY=", s.access_key, sizeof s.access_key},
                {"export S3_SECRET_KEY=", s.secret_key, sizeof s.secret_key},
                {"export S3_BUCKET=", s.bucket, sizeof s.bucket}};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; ++i) {
      const size_t len = strlen(vars[i].name);
      if (strncmp(line, vars[i].name, len) == 0) {
        s3_test_unquote(line + len, vars[i].value, vars[i].size);
      }
    }
  }
  fclose(file);
  CHECK(s.endpoint[0] != '\0' && s.region[0] != '\0' && s.access_key[0] != '\0' &&
        s.secret_key[0] != '\0' && s.bucket[0] != '\0');
  return s;
}

#endif
