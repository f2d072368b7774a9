// SPDX-License-Identifier: Apache-2.0
// libvips' warnings about a damaged image go to the library's log, never to the host's stderr:
// deriving an image that ingest accepts (whole, but with damaged pixel data) writes nothing on
// file descriptor 2, and a sink set by the host receives the warnings.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "capture_stderr.hpp"
#include "media/derivatives.hpp"
#include "media/probe.hpp"
#include "pindeck/error.hpp"
#include "pindeck/log.hpp"
#include "scoped_env.hpp"
#include "test_images.hpp"

namespace pindeck::media {
namespace {

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

class VipsLog : public ::testing::Test {
 protected:
  void TearDown() override { set_log_sink({}); }
};

TEST_F(VipsLog, WarningsOfADamagedImageReachTheSinkAndNotStderr) {
  test::ScopedEnv env;
  env.unset("PINDECK_LOG");
  const std::string damaged = test::undecodable_png();
  ASSERT_NO_THROW(probe(as_bytes(damaged))) << "ingest must accept it for this test to mean much";
  std::vector<std::pair<LogLevel, std::string>> heard;
  set_log_sink(
      [&](LogLevel level, std::string_view message) { heard.emplace_back(level, message); });

  test::CaptureStderr captured;
  try {
    derive(as_bytes(damaged));
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::media) << e.what();
  }
  EXPECT_EQ(captured.text(), "") << "libvips wrote on the host's stderr";
  ASSERT_FALSE(heard.empty()) << "the sink heard none of libvips' warnings";
  for (const auto& [level, message] : heard) {
    EXPECT_EQ(level, LogLevel::warning) << message;
    EXPECT_EQ(message.rfind("VIPS: ", 0), 0u) << message;
  }
}

TEST_F(VipsLog, WithoutASinkTheWarningsAreDropped) {
  test::ScopedEnv env;
  env.unset("PINDECK_LOG");
  const std::string damaged = test::undecodable_png();
  test::CaptureStderr captured;
  try {
    derive(as_bytes(damaged));
  } catch (const Error&) {
    // Whether the damage is fatal is libvips' business; what it prints is ours.
  }
  EXPECT_EQ(captured.text(), "");
}

TEST_F(VipsLog, PindeckLogStderrPrintsThemPrefixed) {
  test::ScopedEnv env;
  env.set("PINDECK_LOG", "stderr");
  const std::string damaged = test::undecodable_png();
  test::CaptureStderr captured;
  try {
    derive(as_bytes(damaged));
  } catch (const Error&) {
    // As above: only what reaches stderr is checked here.
  }
  const std::string text = captured.text();
  EXPECT_EQ(text.rfind("pindeck: warning: VIPS: ", 0), 0u) << text;
  EXPECT_EQ(text.find("VIPS-WARNING"), std::string::npos) << text;
}

}  // namespace
}  // namespace pindeck::media
