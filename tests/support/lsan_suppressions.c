// SPDX-License-Identifier: Apache-2.0
// LeakSanitizer reads its built-in suppressions from this hook, so every sanitized test and fuzzer
// that links it skips the leaks listed here, however it is started (ctest, a shell, a debugger).
// Only leaks inside system libraries belong here: ours must be fixed, not suppressed.
#include <sanitizer/lsan_interface.h>

__attribute__((visibility("default"))) const char* __lsan_default_suppressions(void) {
  // libx265 leaks a little per encoder that libheif creates; the media tests use it to make their
  // HEIC samples (libpindeck only decodes HEIC).
  // libheif 1.15 (Debian 12) returns from its dav1d plugin's decode without releasing the packet
  // it made when dav1d refuses an empty AV1 payload: 40 bytes per such AVIF, allocated inside
  // libdav1d (Hostile.AnAvifWithoutCodedDataIsSurvived reaches it). Later libheif releases free
  // queued packets with the decoder.
  return "leak:libx265.so\n"
         "leak:libdav1d.so\n";
}
