// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over probe + derive: any bytes must end in a result or Error(Errc::media),
// never a crash, a hang, a leak or another exception type.
#include <glib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "media/derivatives.hpp"
#include "media/probe.hpp"
#include "media/vips_runtime.hpp"
#include "pindeck/error.hpp"

namespace {

void ignore_log(const gchar*, GLogLevelFlags, const gchar*, gpointer) {}

// Small limits keep each run fast; the limits themselves are part of what is fuzzed.
pindeck::media::DeriveOptions fuzz_options() {
  pindeck::media::DeriveOptions options;
  options.limits.max_pixels = 4'000'000;
  options.limits.max_frames = 64;
  options.encode_threads = 1;
  for (auto& spec : options.derivatives) spec.webp_effort = 0;
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pindeck::media::start_vips({.concurrency = 1});
  // Damaged inputs make decoders warn on every run; the warnings are expected and slow.
  g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, ignore_log, nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const pindeck::media::DeriveOptions options = fuzz_options();
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  try {
    pindeck::media::probe(bytes, options.limits);
    pindeck::media::derive(bytes, options);
  } catch (const pindeck::Error& e) {
    if (e.code() != pindeck::Errc::media) std::abort();
  }
  return 0;
}
