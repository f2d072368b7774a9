// SPDX-License-Identifier: Apache-2.0
#include "util/input_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck::util {
namespace {

using pindeck::test::TempDir;

TEST(InputFile, ReadsTheWholeFileInPiecesThenZero) {
  TempDir dir;
  const auto path = dir.path() / "data.bin";
  std::string content;
  for (int i = 0; i < 10000; ++i) content.push_back(static_cast<char>(i * 7));
  std::ofstream(path, std::ios::binary) << content;
  InputFile in(path);
  EXPECT_EQ(in.path(), path);
  std::string read;
  std::vector<std::byte> buffer(4096);
  while (const std::size_t n = in.read_some(buffer)) {
    read.append(reinterpret_cast<const char*>(buffer.data()), n);
  }
  EXPECT_EQ(read, content);
  EXPECT_EQ(in.read_some(buffer), 0u) << "stays at the end";
}

TEST(InputFile, AMissingFileIsNotFoundAndNamed) {
  TempDir dir;
  try {
    InputFile in(dir.path() / "missing.jpg");
    ADD_FAILURE() << "opened a file that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
    EXPECT_NE(std::string(e.what()).find("cannot open '"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("missing.jpg'"), std::string::npos) << e.what();
  }
}

TEST(InputFile, ADirectoryCannotBeReadAndIsAnIoError) {
  TempDir dir;
  InputFile in(dir.path());  // open(2) accepts a directory read-only; read(2) fails with EISDIR
  std::vector<std::byte> buffer(16);
  try {
    in.read_some(buffer);
    ADD_FAILURE() << "read a directory";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_NE(std::string(e.what()).find("cannot read '"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pindeck::util
