/* SPDX-License-Identifier: Apache-2.0 */
/* region_mean IMAGE            prints "WIDTH HEIGHT"
 * region_mean IMAGE L T W H    prints the mean red, green and blue of that rectangle
 * For shell tests that look at pictures (a browser's screenshot, a stored derivative) with
 * libvips, independently of the library's own image code. */
#include <stdio.h>
#include <stdlib.h>
#include <vips/vips.h>

static int fail(const char* what) {
  fprintf(stderr, "region_mean: %s: %s\n", what, vips_error_buffer());
  return 1;
}

int main(int argc, char** argv) {
  if (VIPS_INIT(argv[0]) != 0) return fail("starting libvips");
  if (argc != 2 && argc != 6) {
    fprintf(stderr, "usage: region_mean IMAGE [LEFT TOP WIDTH HEIGHT]\n");
    return 2;
  }
  VipsImage* image = vips_image_new_from_file(argv[1], "access", VIPS_ACCESS_RANDOM, NULL);
  if (image == NULL) return fail(argv[1]);
  if (argc == 2) {
    printf("%d %d\n", vips_image_get_width(image), vips_image_get_height(image));
    return 0;
  }
  VipsImage* area = NULL;
  if (vips_extract_area(image, &area, atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                        NULL) != 0) {
    return fail("extracting the region");
  }
  if (vips_image_get_bands(area) < 3) {
    fprintf(stderr, "region_mean: %s has fewer than 3 bands\n", argv[1]);
    return 1;
  }
  for (int band = 0; band < 3; ++band) {
    VipsImage* one = NULL;
    double mean = 0;
    if (vips_extract_band(area, &one, band, NULL) != 0 || vips_avg(one, &mean, NULL) != 0) {
      return fail("averaging");
    }
    printf(band == 2 ? "%.2f\n" : "%.2f ", mean);
    g_object_unref(one);
  }
  g_object_unref(area);
  g_object_unref(image);
  return 0;
}
