// Asynchronous forms of pindeck::Client's long operations, for any Boost.Asio completion token: a
// callback, boost::asio::use_future or boost::asio::use_awaitable. Each completes with
// (std::exception_ptr, result): the exception is a pindeck::Error when the operation failed.
// The work runs on the client's background threads; the completion runs on the token's
// associated executor (for a plain callback, a thread of Asio's system executor).
//
// With GCC 12 and use_awaitable, name the arguments before the co_await (auto op =
// async_upload_file(...); co_await std::move(op);): GCC 12 mishandles temporaries that live
// inside a co_await expression.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "pindeck/client.hpp"

namespace pindeck {

namespace detail {

// Starts `work` (returning Result) on the client's background threads and delivers its outcome
// to the completion handler on the handler's executor.
template <typename Result, typename Token, typename Work>
auto async_run(Client& client, Token&& token, Work work) {
  return boost::asio::async_initiate<Token, void(std::exception_ptr, Result)>(
      [&client](auto handler, Work job) {
        using Handler = decltype(handler);
        auto work_guard =
            boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
        // std::function needs a copyable callable; the handler may be move-only.
        auto state = std::make_shared<std::tuple<Handler, decltype(work_guard), Work>>(
            std::move(handler), std::move(work_guard), std::move(job));
        client.post_background([state] {
          std::exception_ptr error;
          Result result{};
          try {
            result = std::get<2>(*state)();
          } catch (...) {
            error = std::current_exception();
          }
          auto executor = std::get<1>(*state).get_executor();
          boost::asio::post(executor, [state, error, result = std::move(result)]() mutable {
            std::move(std::get<0>(*state))(error, std::move(result));
            std::get<1>(*state).reset();
          });
        });
      },
      token, std::move(work));
}

}  // namespace detail

// Client::upload_file in the background.
template <typename Token>
auto async_upload_file(Client& client, std::filesystem::path path, Record metadata, Token&& token) {
  return detail::async_run<Record>(
      client, std::forward<Token>(token),
      [&client, path = std::move(path), metadata = std::move(metadata)] {
        return client.upload_file(path, metadata);
      });
}

// Client::upload_bytes in the background; the bytes are copied first.
template <typename Token>
auto async_upload_bytes(Client& client, std::string bytes, Record metadata, std::string file_name,
                        Token&& token) {
  return detail::async_run<Record>(
      client, std::forward<Token>(token),
      [&client, bytes = std::move(bytes), metadata = std::move(metadata),
       file_name = std::move(file_name)] {
        return client.upload_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), metadata,
                                   file_name);
      });
}

// Client::wait_persisted in the background: completes when the record is succeeded or failed
// (or the timeout passed, with the record still pending).
template <typename Token>
auto async_wait_persisted(Client& client, std::string id, std::chrono::milliseconds timeout,
                          Token&& token) {
  return detail::async_run<Record>(
      client, std::forward<Token>(token),
      [&client, id = std::move(id), timeout] { return client.wait_persisted(id, timeout); });
}

// Client::backfill in the background; completes with how many records were rescheduled.
template <typename Token>
auto async_backfill(Client& client, int limit, Token&& token) {
  return detail::async_run<int>(client, std::forward<Token>(token),
                                [&client, limit] { return client.backfill(limit); });
}

// Client::get in the background.
template <typename Token>
auto async_get(Client& client, std::string id, Token&& token) {
  return detail::async_run<Record>(client, std::forward<Token>(token),
                                   [&client, id = std::move(id)] { return client.get(id); });
}

}  // namespace pindeck
