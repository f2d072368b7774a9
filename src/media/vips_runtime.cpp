// SPDX-License-Identifier: Apache-2.0
#include "media/vips_runtime.hpp"

#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "pindeck/error.hpp"
#include "util/log.hpp"

namespace pindeck::media {

namespace {

LogLevel level_of(GLogLevelFlags flags) {
  if ((flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) != 0) return LogLevel::error;
  if ((flags & G_LOG_LEVEL_WARNING) != 0) return LogLevel::warning;
  if ((flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) != 0) return LogLevel::info;
  return LogLevel::debug;
}

// libvips (and the decoders it wraps: libjpeg, libpng, libtiff, libheif) report through GLib's
// log under the "VIPS" domain, which GLib prints on stderr as VIPS-WARNING lines: the host's
// stderr is not ours to write. Only that domain is taken; the host's own GLib domains are left
// alone.
void vips_log_handler(const gchar* domain, GLogLevelFlags flags, const gchar* message,
                      gpointer /*user*/) {
  const LogLevel level = level_of(flags);
  if (!util::log_enabled(level)) return;
  util::log(level,
            std::string(domain ? domain : "VIPS") + ": " + (message ? message : "(no message)"));
}

}  // namespace

void start_vips(const VipsSettings& settings) {
  static std::once_flag started;
  static bool ok = false;
  std::call_once(started, [] {
    g_log_set_handler(
        "VIPS",
        static_cast<GLogLevelFlags>(G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION),
        vips_log_handler, nullptr);
    ok = VIPS_INIT("pindeck") == 0;
    if (!ok) return;
    // Loaders that libvips marks untrusted (ImageMagick, PDF, SVG, FITS, ...) parse far more than
    // the formats we accept; hostile bytes must never reach them.
    vips_block_untrusted_set(TRUE);
    // The operation cache recognises a buffer argument by its address and length, so a new image
    // that lands where a freed one was could get the old result; the workload also never repeats
    // an operation. Zero entries keeps memory flat and results correct.
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
#if defined(__GLIBC__)
    // glibc raises its mmap threshold after the first large free, so decode buffers (tens of MiB)
    // then come from per-thread arenas that never shrink: a busy process creeps toward 1 GiB.
    // A fixed 1 MiB threshold hands every large buffer back to the OS when it is freed.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
  });
  if (!ok)
    throw Error(Errc::internal,
                "media: libvips failed to start: " + std::string(vips_error_buffer()));
  if (settings.concurrency > 0) vips_concurrency_set(settings.concurrency);
}

void throw_vips_error(const std::string& what) {
  char* detail = vips_error_buffer_copy();
  std::string message = what;
  if (detail != nullptr && *detail != '\0') {
    std::string text(detail);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    for (char& c : text)
      if (c == '\n') c = ';';
    message += ": " + text;
  }
  g_free(detail);
  throw Error(Errc::media, message);
}

}  // namespace pindeck::media
