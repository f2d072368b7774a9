/* SPDX-License-Identifier: Apache-2.0 */
/* libpindeck C ABI: probing images and making derivatives and palettes without persistence
 * (included by pindeck/pindeck.h).
 *
 * For hosts that want the images the persistence pipeline makes, without a client, a catalog or
 * an object store. The outputs are those of a persisted record, byte for byte: the same functions
 * make them, with the same settings (DESIGN §4 and §5):
 *   "preview" 640 px wide, in the original's format where it is JPEG (q80), PNG or WebP (q80),
 *             else WebP;
 *   "small"   320 px wide, WebP q80;
 *   "medium"  768 px wide, WebP q80;
 *   "large"  1280 px wide, WebP q80;
 * the aspect ratio kept, an original narrower than a width kept at its own width (never
 * enlarged), EXIF orientation applied, colours converted to sRGB, metadata stripped; animated GIF
 * and WebP keep their animation in the WebP outputs. The palette is up to five lowercase
 * "#rrggbb", most dominant first, sampled from the same decode.
 *
 * These functions are CPU work on the calling thread (deriving a 5120x2880 JPEG takes about a
 * second and up to some 140 MB of memory at its peak) and have no asynchronous form: hosts run
 * them on their own worker threads. Any number of threads may call them at once; decodes that
 * must hold a whole image in memory (progressive JPEG, interlaced PNG) wait for each other, with
 * the persistence workers', beyond a process-wide budget. Images over 100 million pixels (over
 * every frame) are refused before decoding, as uploads are.
 */
#ifndef PINDECK_DERIVE_H
#define PINDECK_DERIVE_H

#include <stddef.h>
#include <stdint.h>

#include "pindeck/pindeck.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an image is, read from its header without decoding its pixels. *out_json receives
 * {"format": "jpeg", "png", "webp", "gif", "avif", "heic" or "tiff" (sniffed from the bytes),
 * "contentType": its MIME type, "width", "height": as displayed (EXIF orientation applied; one
 * frame of an animation), "pages": frames or pages in the file (1 for a still image),
 * "animated": true for a GIF or WebP of more than one frame, "orientation": the EXIF
 * orientation 1-8 (1 when absent), "hasAlpha", "hasIccProfile"}; free it with pd_string_free().
 * On failure *out_json is NULL.
 * PD_OK. PD_ERR_INVALID: bytes or out_json is NULL. PD_ERR_MEDIA: empty, not an image of a
 * supported format, truncated (cut short), an unreadable header, or over the pixel limit (the
 * message says which). PD_ERR_NOMEM. */
PD_EXPORT int pd_image_probe(const unsigned char* bytes, size_t size, char** out_json);

/* pd_image_probe of the file at `path`, read whole.
 * PD_OK. PD_ERR_INVALID: path or out_json is NULL, or `path` is not a regular file (a FIFO,
 * directory, device or socket, refused without blocking). PD_ERR_NOT_FOUND: no such file.
 * PD_ERR_IO: the file cannot be read. PD_ERR_MEDIA, PD_ERR_NOMEM: as pd_image_probe. */
PD_EXPORT int pd_image_probe_file(const char* path, char** out_json);

/* The derivatives of one image, with its palette: an opaque result to free with
 * pd_derivatives_free(). Read-only once made, so several threads may read one at once. */
typedef struct pd_derivatives pd_derivatives;

/* Decodes the image once and makes its four derivatives and its palette (see the top of this
 * header). `options_json` (NULL for the defaults) is a JSON object with the optional key
 * "palette": false to skip the palette (true by default). On success *out receives the result,
 * to free with pd_derivatives_free(); on failure *out is NULL. `bytes` are only read during the
 * call.
 * PD_OK. PD_ERR_INVALID: bytes or out is NULL; options_json is malformed JSON, not an object, has
 * an unknown key (named) or a value of the wrong type. PD_ERR_MEDIA: empty, not an image of a
 * supported format, truncated, damaged beyond decoding, or over the pixel limit (the message says
 * which). PD_ERR_NOMEM. */
PD_EXPORT int pd_derive(const unsigned char* bytes, size_t size, const char* options_json,
                        pd_derivatives** out);

/* pd_derive of the file at `path`, read whole. The statuses of pd_derive, and those of
 * pd_image_probe_file for the file (PD_ERR_INVALID when path is NULL or not a regular file,
 * PD_ERR_NOT_FOUND, PD_ERR_IO). */
PD_EXPORT int pd_derive_file(const char* path, const char* options_json, pd_derivatives** out);

/* How many outputs `derivatives` holds: 4 (0 for NULL). */
PD_EXPORT size_t pd_derivatives_count(const pd_derivatives* derivatives);

/* Output `index` (0 to pd_derivatives_count() - 1, in the order "preview", "small", "medium",
 * "large"): *role receives its name, *data its encoded bytes and *size their count. The strings
 * and bytes belong to `derivatives` and stay valid until pd_derivatives_free(). Any of role, data
 * and size may be NULL when not wanted. On failure they receive NULL, NULL and 0.
 * PD_OK. PD_ERR_INVALID: derivatives is NULL, or index is out of range (the message gives the
 * count). */
PD_EXPORT int pd_derivatives_output(const pd_derivatives* derivatives, size_t index,
                                    const char** role, const unsigned char** data, size_t* size);

/* Everything about `derivatives` but the bytes, as a JSON object: {"source": what pd_image_probe
 * says of the original, "colors": the palette (["#rrggbb", ...], up to five, [] when the image
 * has no meaningful colour; null when "palette" was false), "outputs": [{"role", "width",
 * "height" (of one frame), "contentType", "size" (bytes)}, ...] in the order of
 * pd_derivatives_output()}. The text belongs to `derivatives` and stays valid until
 * pd_derivatives_free(); NULL for NULL. */
PD_EXPORT const char* pd_derivatives_json(const pd_derivatives* derivatives);

/* Frees `derivatives` with its bytes and JSON. NULL is allowed. */
PD_EXPORT void pd_derivatives_free(pd_derivatives* derivatives);

#ifdef __cplusplus
}
#endif

#endif
