// SPDX-License-Identifier: Apache-2.0
// libvips as libpindeck uses it: started once with untrusted loaders blocked and the operation
// cache off, plus small RAII helpers so no VipsImage or vips buffer leaks on an error path.
#pragma once

#include <glib-object.h>
#include <vips/vips.h>

#include <memory>
#include <string>

namespace pindeck::media {

struct VipsSettings {
  // Worker threads libvips uses to evaluate one pipeline; 0 keeps libvips' default (the number of
  // cores, or VIPS_CONCURRENCY from the environment).
  int concurrency = 0;
};

// Starts libvips once per process (later calls only apply `settings`). Throws Error(Errc::internal)
// if libvips cannot start. Process-wide effects, on purpose: untrusted loaders blocked, the
// operation cache off, libvips' GLib log domain ("VIPS") sent to the library's log (util/log.hpp)
// instead of stderr, and (with glibc) a fixed 1 MiB malloc mmap threshold, which keeps the
// resident size of a long-running host flat instead of growing with every image.
void start_vips(const VipsSettings& settings = {});

// Throws Error(Errc::media) with `what` followed by libvips' own message, and clears that message.
[[noreturn]] void throw_vips_error(const std::string& what);

struct GObjectUnref {
  void operator()(void* object) const noexcept {
    if (object != nullptr) g_object_unref(object);
  }
};
using VipsImagePtr = std::unique_ptr<VipsImage, GObjectUnref>;

struct GFree {
  void operator()(void* memory) const noexcept { g_free(memory); }
};
using VipsBufferPtr = std::unique_ptr<void, GFree>;

// Releases the per-thread buffers libvips keeps for a thread that is about to end.
struct VipsThreadScope {
  VipsThreadScope() = default;
  VipsThreadScope(const VipsThreadScope&) = delete;
  VipsThreadScope& operator=(const VipsThreadScope&) = delete;
  ~VipsThreadScope() { vips_thread_shutdown(); }
};

}  // namespace pindeck::media
