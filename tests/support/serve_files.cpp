// SPDX-License-Identifier: Apache-2.0
// Serves the files of a directory (argv[1], subdirectories included) over HTTP on 127.0.0.1, for
// the shell tests of the CLI: prints the port as its first line of output and runs until killed.
// Content-Type comes from the file's extension.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "test_http_server.hpp"

namespace {

std::string content_type_of(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes{
      {".png", "image/png"},   {".jpg", "image/jpeg"},         {".jpeg", "image/jpeg"},
      {".webp", "image/webp"}, {".gif", "image/gif"},          {".avif", "image/avif"},
      {".html", "text/html"},  {".json", "application/json"},  {".xml", "application/xml"},
      {".txt", "text/plain"},  {".rss", "application/rss+xml"}};
  const auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: serve_files DIRECTORY\n";
    return 2;
  }
  const std::filesystem::path root(argv[1]);
  pindeck::test::TestHttpServer server;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string path = "/";  // not "/" + ...: GCC 12's -O3 -Wrestrict false positive
    path += entry.path().lexically_relative(root).generic_string();
    server.add_file(path, entry.path(), content_type_of(entry.path()));
  }
  std::cout << server.port() << std::endl;
  for (;;) pause();
}
