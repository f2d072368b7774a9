/* SPDX-License-Identifier: Apache-2.0 */
/* Symbol visibility: the library is built with everything hidden; only what is marked PD_EXPORT
 * (the C ABI and the documented C++ API) is visible to hosts. */
#ifndef PINDECK_EXPORT_H
#define PINDECK_EXPORT_H

#if defined(_WIN32)
#if defined(PINDECK_BUILDING_LIBRARY)
#define PD_EXPORT __declspec(dllexport)
#else
#define PD_EXPORT __declspec(dllimport)
#endif
#else
#define PD_EXPORT __attribute__((visibility("default")))
#endif

#endif
