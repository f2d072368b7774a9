// SPDX-License-Identifier: Apache-2.0
#include "client/background.hpp"

#include <boost/asio/post.hpp>

namespace pindeck::client {

Background::~Background() {
  close();
}

void Background::post(std::function<void(bool client_open)> work) {
  boost::asio::post(pool_, [this, work = std::move(work)] { work(!closing_.load()); });
}

void Background::close() {
  closing_.store(true);
  pool_.join();
}

}  // namespace pindeck::client
