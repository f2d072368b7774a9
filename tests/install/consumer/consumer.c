/* SPDX-License-Identifier: Apache-2.0 */
/* A host program built against an installed libpindeck. */
#include <pindeck/pindeck.h>
#include <stdio.h>

int main(void) {
  if (pd_version() != PD_VERSION_NUMBER) return 1;
  printf("pindeck %s\n", pd_version_string());
  return 0;
}
