// SPDX-License-Identifier: Apache-2.0
#include "util/errno_error.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace pindeck::util {
namespace {

TEST(ErrnoError, NoSuchFileIsNotFoundAndNamesWhatAndWhere) {
  const Error e = errno_error("cannot open", "/no/such/file", ENOENT);
  EXPECT_EQ(e.code(), Errc::not_found);
  EXPECT_EQ(std::string(e.what()),
            std::string("cannot open '/no/such/file': ") + std::strerror(ENOENT));
}

TEST(ErrnoError, EveryOtherErrorIsIo) {
  for (int error_number : {EACCES, EIO, ENOSPC, EISDIR, EROFS}) {
    const Error e = errno_error("cannot write", "/data/x", error_number);
    EXPECT_EQ(e.code(), Errc::io) << std::strerror(error_number);
    EXPECT_NE(std::string(e.what()).find(std::strerror(error_number)), std::string::npos);
  }
}

TEST(ErrnoError, FilesystemErrorCodesMapTheSameWay) {
  std::error_code missing;
  EXPECT_EQ(std::filesystem::file_size("/no/such/file", missing), static_cast<std::uintmax_t>(-1));
  ASSERT_TRUE(missing);
  const Error not_found = errno_error("cannot stat", "/no/such/file", missing);
  EXPECT_EQ(not_found.code(), Errc::not_found);
  EXPECT_EQ(std::string(not_found.what()), "cannot stat '/no/such/file': " + missing.message());
  const Error denied =
      errno_error("cannot list", "/root", std::make_error_code(std::errc::permission_denied));
  EXPECT_EQ(denied.code(), Errc::io);
}

}  // namespace
}  // namespace pindeck::util
