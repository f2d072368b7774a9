// SPDX-License-Identifier: Apache-2.0
// A host program built against an installed libpindeck through its C++ API: it uploads an image
// with the asynchronous form and a std::future, then prints what the returned record says.
#include <boost/asio/use_future.hpp>
#include <cstdio>
#include <exception>
#include <pindeck/async.hpp>
#include <pindeck/client.hpp>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: consumer_async DATA_DIR IMAGE\n");
    return 2;
  }
  try {
    pindeck::Client client = pindeck::Client::open(argv[1]);
    pindeck::Record metadata;
    metadata.title = "installed consumer";
    auto upload = pindeck::async_upload_file(client, argv[2], metadata, boost::asio::use_future);
    const pindeck::Record record = upload.get();
    if (record.id.empty() || record.title != metadata.title || !record.sha256 ||
        !record.byte_size || !record.width || !record.height) {
      std::fprintf(stderr, "the upload returned an incomplete record: %s\n",
                   pindeck::record_to_json(record).c_str());
      return 1;
    }
    std::printf("%s %lld %lldx%lld\n", record.sha256->c_str(),
                static_cast<long long>(*record.byte_size), static_cast<long long>(*record.width),
                static_cast<long long>(*record.height));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer_async: %s\n", e.what());
    return 1;
  }
}
