/* SPDX-License-Identifier: Apache-2.0 */
/* libpindeck C ABI: probing images and making derivatives and palettes without persistence
 * (included by pindeck/pindeck.h). */
#ifndef PINDECK_DERIVE_H
#define PINDECK_DERIVE_H

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
