/* SPDX-License-Identifier: Apache-2.0 */
/* libpindeck C ABI: the S3 client on its own (included by pindeck/pindeck.h). */
#ifndef PINDECK_S3_H
#define PINDECK_S3_H

#include <stddef.h>
#include <stdint.h>

#include "pindeck/pindeck.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif
