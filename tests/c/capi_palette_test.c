/* SPDX-License-Identifier: Apache-2.0 */
/* The palette through the C ABI: golden vectors, encoded images and refused arguments. */
#include <stdint.h>

#include "check.h"
#include "pindeck/pindeck.h"
#include "read_whole_file.h"

/* A file of the test data, `name` relative to it. */
static unsigned char* read_test_data(const char* name, size_t* size) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", PINDECK_TEST_DATA, name);
  return read_whole_file(path, size);
}

static void check_vector(const char* file, size_t width, size_t height, int channels,
                         const char* expected_json) {
  size_t size = 0;
  unsigned char* pixels = read_test_data(file, &size);
  CHECK(size == width * height * (size_t)channels);
  char* json = NULL;
  CHECK_STATUS(pd_palette_from_pixels(pixels, width, height, channels, &json), PD_OK);
  CHECK_STR(json, expected_json);
  pd_string_free(json);
  free(pixels);
}

static void check_invalid(int status, char* json, const char* message_part) {
  CHECK(status == PD_ERR_INVALID);
  CHECK(json == NULL);
  if (strstr(pd_last_error(), message_part) == NULL) {
    fprintf(stderr, "last error \"%s\" does not mention \"%s\"\n", pd_last_error(), message_part);
    exit(1);
  }
}

int main(void) {
  check_vector("palette/p01.raw", 160, 90, 3,
               "[\"#81cbfe\",\"#aaeaff\",\"#2372c5\",\"#308dbe\",\"#f0e4d4\"]");
  check_vector("palette/b01.raw", 225, 400, 4,
               "[\"#94ddfe\",\"#3a77b7\",\"#fff9c5\",\"#e3f3f7\",\"#77c5fd\"]");
  check_vector("palette/s05.raw", 100, 100, 3, "[\"#1e3cc8\",\"#dc2828\"]");
  check_vector("palette/s08.raw", 80, 80, 4, "[\"#28b45a\"]");
  check_vector("palette/s01.raw", 64, 64, 3, "[]");
  CHECK_STR(pd_last_error(), "");

  unsigned char px[12] = {200, 30, 30, 200, 30, 30, 200, 30, 30, 200, 30, 30};
  char* json = NULL;
  check_invalid(pd_palette_from_pixels(NULL, 2, 2, 3, &json), json, "pixels");
  check_invalid(pd_palette_from_pixels(px, 2, 2, 3, NULL), NULL, "colors_json");
  check_invalid(pd_palette_from_pixels(px, 2, 2, 2, &json), json, "channels");
  check_invalid(pd_palette_from_pixels(px, 2, 2, 5, &json), json, "channels");
  check_invalid(pd_palette_from_pixels(px, 0, 2, 3, &json), json, "width and height");
  check_invalid(pd_palette_from_pixels(px, 2, 0, 3, &json), json, "width and height");
  check_invalid(pd_palette_from_pixels(px, SIZE_MAX, 2, 3, &json), json, "overflows");
  check_invalid(pd_palette_from_pixels(px, SIZE_MAX / 4, 2, 3, &json), json, "overflows");
  /* A good call after a failed one clears the last error. */
  CHECK_STATUS(pd_palette_from_pixels(px, 2, 2, 3, &json), PD_OK);
  CHECK_STR(json, "[\"#c81e1e\"]");
  CHECK_STR(pd_last_error(), "");
  pd_string_free(json);

  size_t size = 0;
  unsigned char* png = read_test_data("images/canopee-3840x2160.png", &size);
  json = NULL;
  CHECK_STATUS(pd_palette_from_image(png, size, &json), PD_OK);
  CHECK(json != NULL && json[0] == '[' && strlen(json) == 2 + 5 * 9 + 4);
  pd_string_free(json);
  json = NULL;
  CHECK(pd_palette_from_image(png, 100, &json) == PD_ERR_MEDIA); /* truncated */
  CHECK(json == NULL);
  CHECK(strlen(pd_last_error()) > 0);
  free(png);
  const char text[] = "not an image at all";
  CHECK(pd_palette_from_image((const unsigned char*)text, sizeof text, &json) == PD_ERR_MEDIA);
  check_invalid(pd_palette_from_image(NULL, 10, &json), json, "bytes");

  puts("capi palette: ok");
  return 0;
}
