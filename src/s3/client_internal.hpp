// SPDX-License-Identifier: Apache-2.0
// What the files implementing Client's operations share: handing results to the caller's handler,
// the blocking forms, and the one-request operations.
#pragma once

#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "s3/client.hpp"
#include "s3/request.hpp"

namespace pindeck::s3 {

// Hands a result to the caller's handler through its associated executor (never inline, so a
// handler never runs inside our own call stack).
template <typename Handler, typename... Args>
void complete(boost::asio::io_context& io, Handler&& handler, Args&&... args) {
  boost::asio::post(
      io, boost::asio::append(std::forward<Handler>(handler), std::forward<Args>(args)...));
}

// Completes with `error` and, when the operation has a result, an empty one.
template <typename Result>
void fail(boost::asio::io_context& io, Handler<Result>&& handler, std::exception_ptr error) {
  if constexpr (std::is_void_v<Result>) {
    complete(io, std::move(handler), error);
  } else {
    complete(io, std::move(handler), error, Result{});
  }
}

template <typename Result, typename Start, typename... Args>
Result Client::run_blocking(const char* operation, Start start, Args&&... args) {
  require_not_io_thread(operation);
  return detail::initiate<Result>(this, start, boost::asio::use_future, std::forward<Args>(args)...)
      .get();
}

// For a request whose 2xx answer needs nothing read from it.
inline void read_nothing(const HttpResponse&) {}

// An operation that is one request. `build` checks the arguments and makes the request (what it
// throws completes the handler, and nothing is sent); `read` turns the 2xx answer into the
// Result (or, for Result = void, checks it); `discard` runs when the operation fails after
// `build` succeeded, to remove what the request left behind.
template <typename Result, typename Build, typename Read, typename Discard = void (*)()>
void start_one_request(
    RequestEngine& engine, Handler<Result> handler, Build build, Read read,
    Discard discard = [] {}) {
  std::shared_ptr<Request> request;
  try {
    request = build();
  } catch (...) {
    return fail<Result>(engine.io(), std::move(handler), std::current_exception());
  }
  // Handlers are move-only and RequestDone must be copyable, so the callback shares it.
  auto shared = std::make_shared<Handler<Result>>(std::move(handler));
  request->done = [&engine, shared, read, discard](std::exception_ptr error,
                                                   HttpResponse response) {
    if constexpr (std::is_void_v<Result>) {
      if (!error) {
        try {
          read(response);
        } catch (...) {
          error = std::current_exception();
        }
      }
      if (error) {
        discard();
        return fail<Result>(engine.io(), std::move(*shared), error);
      }
      complete(engine.io(), std::move(*shared), nullptr);
    } else {
      Result result{};
      if (!error) {
        try {
          result = read(response);
        } catch (...) {
          error = std::current_exception();
        }
      }
      if (error) {
        discard();
        return fail<Result>(engine.io(), std::move(*shared), error);
      }
      complete(engine.io(), std::move(*shared), nullptr, std::move(result));
    }
  };
  boost::asio::post(engine.io(), [&engine, request] { engine.send(request); });
}

// Content-Type, Cache-Control and x-amz-meta-* of a PutObject or CreateMultipartUpload.
std::vector<std::pair<std::string, std::string>> put_headers(const PutOptions& options);

}  // namespace pindeck::s3
