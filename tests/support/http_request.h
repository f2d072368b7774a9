/* SPDX-License-Identifier: Apache-2.0 */
/* Plain HTTP with libcurl for the C tests, such as a presigned URL fetched as any HTTP client
 * would (no credentials of its own). The test links CURL::libcurl. */
#ifndef PINDECK_TEST_HTTP_REQUEST_H
#define PINDECK_TEST_HTTP_REQUEST_H

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* A response body, malloc'd (free data); start with {NULL, 0}. */
struct http_body {
  unsigned char* data;
  size_t size;
};

static size_t http_body_append(char* data, size_t one, size_t count, void* user) {
  struct http_body* body = user;
  unsigned char* grown = realloc(body->data, body->size + one * count + 1);
  CHECK(grown != NULL);
  memcpy(grown + body->size, data, one * count);
  body->data = grown;
  body->size += one * count;
  return one * count;
}

/* GETs `url` (or PUTs the file `upload`, of `upload_size` bytes, to it) into `body`; returns the
 * HTTP status. A request that gets no answer fails the test. */
static long http_request(const char* url, const char* upload, size_t upload_size,
                         struct http_body* body) {
  CURL* curl = curl_easy_init();
  CHECK(curl != NULL);
  FILE* file = NULL;
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_body_append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
  if (upload != NULL) {
    file = fopen(upload, "rb");
    CHECK(file != NULL);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READDATA, file);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)upload_size);
  }
  CHECK(curl_easy_perform(curl) == CURLE_OK);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (file != NULL) fclose(file);
  return status;
}

#endif
