// SPDX-License-Identifier: Apache-2.0
// How Client's asynchronous forms meet Asio completion tokens: the completion signature of an
// operation that yields a Result (or nothing, for Result = void), its type-erased handler, and the
// initiation that hands the arguments and the handler to the Client member that starts the work.
// Nothing here is needed to use the client; client.hpp says what each operation does.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <exception>
#include <utility>

namespace pindeck::s3 {
namespace detail {

template <typename Result>
struct Completion {
  using Signature = void(std::exception_ptr, Result);
};
template <>
struct Completion<void> {
  using Signature = void(std::exception_ptr);
};

}  // namespace detail

template <typename Result>
using Handler = boost::asio::any_completion_handler<typename detail::Completion<Result>::Signature>;

namespace detail {

// `start` is a member of `object` taking the arguments by value and then a Handler<Result>; it
// runs when the token initiates the operation (at once for callbacks and use_future).
template <typename Result, typename Object, typename Start, typename Token, typename... Args>
auto initiate(Object* object, Start start, Token&& token, Args&&... args) {
  return boost::asio::async_initiate<Token, typename Completion<Result>::Signature>(
      [object, start](auto handler, auto... arguments) {
        (object->*start)(std::move(arguments)..., Handler<Result>(std::move(handler)));
      },
      token, std::forward<Args>(args)...);
}

}  // namespace detail
}  // namespace pindeck::s3
