// SPDX-License-Identifier: Apache-2.0
// Uploads every image of a folder through the C++ API's asynchronous forms, with N images in
// flight, and prints each record as it settles:
//
//   upload_folder_async [--in-flight N] DATA_DIR FOLDER
//
// N Asio coroutines share the folder's files; each uploads one (async_upload_file), waits until its
// record is persisted (async_wait_persisted, which holds no thread while it waits), then takes the
// next. They all run on the one thread of an io_context, so what they share needs no lock.
// Persistence reads its settings from the environment (PersistenceConfig::from_env: S3 when
// PINDECK_S3_ENDPOINT is set, else the local object store in DATA_DIR/objects). A file that is not
// an image is reported and skipped. Exit status 0 when every image was persisted, 1 otherwise.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <pindeck/async.hpp>
#include <pindeck/client.hpp>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// How long one record may take to be persisted.
constexpr std::chrono::minutes persist_timeout{5};

// The work the coroutines share, and how far it has gone.
struct Progress {
  std::vector<fs::path> files;
  std::size_t next = 0;  // the first file no coroutine has taken yet
  std::size_t done = 0;  // files settled or skipped
  std::size_t persisted = 0;
  std::size_t failed = 0;
};

std::vector<fs::path> files_of(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file() && !entry.path().filename().string().starts_with(".")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

const char* status_name(const std::optional<pindeck::PersistStatus>& status) {
  if (!status) return "none";
  switch (*status) {
    case pindeck::PersistStatus::pending: return "pending";
    case pindeck::PersistStatus::succeeded: return "succeeded";
    case pindeck::PersistStatus::failed: return "failed";
  }
  return "unknown";
}

std::string colours_of(const pindeck::Record& record) {
  if (!record.colors || record.colors->empty()) return "-";
  std::string out;
  for (const auto& colour : *record.colors) out += (out.empty() ? "" : ",") + colour;
  return out;
}

// Takes files until none is left: uploads one, waits until its record settles, prints it.
asio::awaitable<void> upload_files(pindeck::Client& client, Progress& progress) {
  while (progress.next < progress.files.size()) {
    const fs::path path = progress.files[progress.next++];
    const std::string name = path.filename().string();
    pindeck::Record metadata;
    metadata.tags = {"cpp-example"};
    pindeck::Record record;
    // A non-image is the one refusal that should not stop the rest; anything else does.
    bool skipped = false;
    try {
      // Named before the co_await: GCC 12 mishandles temporaries inside one (pindeck/async.hpp).
      auto upload = pindeck::async_upload_file(client, path, metadata, asio::use_awaitable);
      record = co_await std::move(upload);
    } catch (const pindeck::Error& e) {
      if (e.code() != pindeck::Errc::media) throw;
      std::cerr << "skipped " << name << ": " << e.what() << "\n";
      skipped = true;
    }
    if (skipped) {
      ++progress.done;
      continue;
    }
    std::cout << "uploaded\t" << name << "\t" << record.id << "\n";

    auto wait =
        pindeck::async_wait_persisted(client, record.id, persist_timeout, asio::use_awaitable);
    record = co_await std::move(wait);
    const bool persisted = record.storage_persist_status == pindeck::PersistStatus::succeeded;
    ++(persisted ? progress.persisted : progress.failed);
    std::cout << "[" << ++progress.done << "/" << progress.files.size() << "]\t"
              << status_name(record.storage_persist_status) << "\t" << record.id << "\t"
              << record.title << "\t" << colours_of(record) << "\n";
    if (record.storage_persist_error)
      std::cerr << record.id << ": " << *record.storage_persist_error << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Uploads every image of a folder with N in flight, printing records as they settle"};
  std::string data_dir;
  std::string folder;
  int in_flight = 4;
  app.add_option("--in-flight,-n", in_flight, "Images in flight at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("data_dir", data_dir, "Pindeck data directory (created on first use)")->required();
  app.add_option("folder", folder, "Folder of images")->required()->check(CLI::ExistingDirectory);
  CLI11_PARSE(app, argc, argv);

  try {
    pindeck::Client client = pindeck::Client::open(data_dir);
    client.start_persistence(pindeck::PersistenceConfig::from_env());
    Progress progress;
    progress.files = files_of(folder);

    asio::io_context io;
    std::exception_ptr first_error;
    for (int i = 0; i < in_flight; ++i) {
      asio::co_spawn(io, upload_files(client, progress), [&first_error](std::exception_ptr error) {
        if (error && !first_error) first_error = error;
      });
    }
    io.run();
    if (first_error) std::rethrow_exception(first_error);

    std::cout << progress.persisted << " persisted, " << progress.failed << " failed, "
              << progress.files.size() - progress.persisted - progress.failed << " skipped\n";
    return progress.failed == 0 && progress.persisted > 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "upload_folder_async: " << e.what() << "\n";
    return 1;
  }
}
