/* SPDX-License-Identifier: Apache-2.0 */
/* libpindeck C ABI: persistence status and upload progress events (included by pindeck/pindeck.h).
 */
#ifndef PINDECK_EVENTS_H
#define PINDECK_EVENTS_H

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
