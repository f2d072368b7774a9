// SPDX-License-Identifier: Apache-2.0
// The library's log: silent by default, stderr only when PINDECK_LOG=stderr, a host's sink
// receives what passes its threshold and a replaced sink hears nothing more.
#include "util/log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "capture_stderr.hpp"
#include "scoped_env.hpp"

namespace pindeck::util {
namespace {

using Heard = std::vector<std::pair<LogLevel, std::string>>;

// Restores the default (no sink) after each test, whatever it set.
class Log : public ::testing::Test {
 protected:
  void TearDown() override { set_log_sink({}); }
};

TEST_F(Log, SilentByDefault) {
  test::ScopedEnv env;
  env.unset("PINDECK_LOG");
  set_log_sink({});
  test::CaptureStderr captured;
  log(LogLevel::error, "nobody asked for this");
  EXPECT_FALSE(log_enabled(LogLevel::error));
  EXPECT_EQ(captured.text(), "");
}

TEST_F(Log, EnvironmentSendsWarningsAndErrorsToStderr) {
  test::ScopedEnv env;
  env.set("PINDECK_LOG", "stderr");
  test::CaptureStderr captured;
  log(LogLevel::debug, "too chatty");
  log(LogLevel::info, "still too chatty");
  log(LogLevel::warning, "a damaged image");
  log(LogLevel::error, "worse");
  EXPECT_EQ(captured.text(), "pindeck: warning: a damaged image\npindeck: error: worse\n");
}

TEST_F(Log, ASinkReceivesWhatPassesItsThresholdAndStderrStaysQuiet) {
  test::ScopedEnv env;
  env.set("PINDECK_LOG", "stderr");  // a sink wins over the environment
  Heard heard;
  set_log_sink(
      [&](LogLevel level, std::string_view message) { heard.emplace_back(level, message); },
      LogLevel::info);
  test::CaptureStderr captured;
  EXPECT_FALSE(log_enabled(LogLevel::debug));
  EXPECT_TRUE(log_enabled(LogLevel::info));
  log(LogLevel::debug, "dropped");
  log(LogLevel::info, "kept");
  log(LogLevel::error, "kept too");
  EXPECT_EQ(captured.text(), "");
  EXPECT_EQ(heard, (Heard{{LogLevel::info, "kept"}, {LogLevel::error, "kept too"}}));
}

TEST_F(Log, AReplacedSinkIsNotCalledAgainAndAThrowingSinkIsHarmless) {
  Heard first, second;
  set_log_sink([&](LogLevel level, std::string_view m) { first.emplace_back(level, m); });
  log(LogLevel::warning, "one");
  set_log_sink([&](LogLevel level, std::string_view m) { second.emplace_back(level, m); });
  log(LogLevel::warning, "two");
  EXPECT_EQ(first, (Heard{{LogLevel::warning, "one"}}));
  EXPECT_EQ(second, (Heard{{LogLevel::warning, "two"}}));
  set_log_sink([](LogLevel, std::string_view) { throw std::runtime_error("sink failed"); });
  EXPECT_NO_THROW(log(LogLevel::error, "three"));
}

}  // namespace
}  // namespace pindeck::util
