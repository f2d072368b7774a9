// SPDX-License-Identifier: Apache-2.0
// The client's lifecycle: its I/O thread and request engine. The operations are in
// object_operations.cpp, delete_objects.cpp, listing.cpp, bucket_operations.cpp and
// multipart_upload.cpp.
#include "s3/client.hpp"

#include <boost/asio/post.hpp>
#include <exception>

#include "model/storage_names.hpp"
#include "s3/request.hpp"
#include "s3/validation.hpp"

namespace pindeck::s3 {

Client::Client(Config config) : config_((config.validate(), std::move(config))) {
  if (!config_.bucket.empty()) model::validate_bucket_name(config_.bucket);
  engine_ = std::make_unique<RequestEngine>(io_, config_);
  work_.emplace(io_.get_executor());
  io_thread_ = std::thread([this] {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        engine_->log(LogLevel::error, std::string("a completion handler threw: ") + e.what());
      }
    }
  });
}

Client::~Client() {
  engine_->stop_hashing();
  boost::asio::post(io_, [this] {
    engine_->close_transfers();
    io_.stop();
  });
  io_thread_.join();
  engine_.reset();
}

void Client::require_not_io_thread(const char* operation) const {
  if (std::this_thread::get_id() == io_thread_.get_id()) {
    throw Error(Errc::internal, std::string("blocking S3 ") + operation +
                                    " called from the client's own I/O thread (it would wait "
                                    "for itself): use the async form there");
  }
}

}  // namespace pindeck::s3
