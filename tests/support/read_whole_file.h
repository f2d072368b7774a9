/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a test file whole, for the C tests. */
#ifndef PINDECK_TEST_READ_WHOLE_FILE_H
#define PINDECK_TEST_READ_WHOLE_FILE_H

#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* The file at `path`, malloc'd (one byte more than its length, so that an empty file still gets
 * memory); *size receives its length. A file that cannot be read fails the test. */
static unsigned char* read_whole_file(const char* path, size_t* size) {
  FILE* file = fopen(path, "rb");
  CHECK(file != NULL);
  CHECK(fseek(file, 0, SEEK_END) == 0);
  const long length = ftell(file);
  CHECK(length >= 0);
  rewind(file);
  unsigned char* data = malloc((size_t)length + 1);
  CHECK(data != NULL);
  CHECK(fread(data, 1, (size_t)length, file) == (size_t)length);
  fclose(file);
  *size = (size_t)length;
  return data;
}

#endif
