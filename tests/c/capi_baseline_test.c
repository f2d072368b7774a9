/* SPDX-License-Identifier: Apache-2.0 */
/* The baseline of the C ABI: version, status names, last error and string ownership. */
#include "check.h"
#include "pindeck/pindeck.h"

int main(void) {
  CHECK(pd_version() == PD_VERSION_NUMBER);
  CHECK_STR(pd_version_string(), PD_VERSION_STRING);
  CHECK_STR(pd_status_name(PD_OK), "ok");
  CHECK_STR(pd_status_name(PD_ERR_INVALID), "invalid");
  CHECK_STR(pd_status_name(PD_ERR_NOT_FOUND), "not_found");
  CHECK_STR(pd_status_name(12345), "unknown");
  CHECK_STR(pd_last_error(), "");
  pd_string_free(NULL);
  puts("capi baseline: ok");
  return 0;
}
