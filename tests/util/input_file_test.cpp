// SPDX-License-Identifier: Apache-2.0
#include "util/input_file.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck::util {
namespace {

using pindeck::test::TempDir;
using namespace std::chrono_literals;

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

// What InputFile(path) throws, or "" if it opened `path`.
std::string open_error(const std::filesystem::path& path, Errc expected = Errc::invalid) {
  try {
    InputFile in(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  return {};
}

TEST(InputFile, ADirectoryIsRefusedAtOpenNamingItsKind) {
  TempDir dir;
  const std::string message = open_error(dir.path());
  std::string expected = dir.path().string();
  expected.append("': it is a directory");
  EXPECT_NE(message.find(expected), std::string::npos) << message;
}

TEST(InputFile, ACharacterDeviceIsRefused) {
  const std::string message = open_error("/dev/zero");
  EXPECT_NE(message.find("'/dev/zero': it is a character device, only regular files are read"),
            std::string::npos)
      << message;
}

TEST(InputFile, AFifoIsRefusedWithoutBlocking) {
  TempDir dir;
  const auto fifo = dir.path() / "pipe.jpg";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  auto opened = std::async(std::launch::async, [&] { return open_error(fifo); });
  if (opened.wait_for(10s) != std::future_status::ready) {
    // A regression blocks in open(2) waiting for a writer: be that writer so the test ends.
    const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (writer >= 0) ::close(writer);
    ADD_FAILURE() << "opening a FIFO blocked for 10 s";
  }
  const std::string message = opened.get();
  EXPECT_NE(message.find("pipe.jpg': it is a FIFO (named pipe)"), std::string::npos) << message;
}

TEST(InputFile, ASocketIsRefusedNamingItsKind) {
  TempDir dir;
  const auto path = dir.path() / "sock";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(path.string().size(), sizeof(address.sun_path));
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0)
      << std::strerror(errno);
  const std::string message = open_error(path);
  ::close(fd);
  EXPECT_NE(message.find("sock': it is a socket"), std::string::npos) << message;
}

}  // namespace
}  // namespace pindeck::util
