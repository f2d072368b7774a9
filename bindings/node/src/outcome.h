// SPDX-License-Identifier: Apache-2.0
// How a call into libpindeck comes back to JavaScript: its outcome captured on whichever thread ran
// it (pd_last_error() is per thread), then turned into a settled Promise on the JavaScript thread,
// either from a libuv pool worker (for C functions without an asynchronous form) or from the
// library's own completion callback through a thread-safe function.
#ifndef PINDECK_NODE_OUTCOME_H
#define PINDECK_NODE_OUTCOME_H

#include <napi.h>

#include "pindeck/pindeck.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pindeck_node {

// The failure of a call, read from pd_last_error*() on the thread that made it.
struct Failure {
  int status = 0;
  std::string message;
  std::string details_json;
};

// What a call gives back: a JSON text (or nothing), or bytes, or a failure.
struct Outcome {
  int status = 0;
  std::optional<std::string> json;
  std::optional<std::vector<unsigned char>> bytes;
  Failure failure;
};

// Reads this thread's last error for `status`.
Failure capture_failure(int status);

// The outcome of a blocking C call that hands out a JSON string through `out_json` (may be NULL
// for a call without one; the string is freed here). A pointer, not the string, so that it is
// read after the call whose status is the first argument.
Outcome json_outcome(int status, char** out_json);

// A PindeckError (made by the factory lib/index.js registers) for a failure.
Napi::Value make_error(Napi::Env env, const Failure& failure);

// Throws a PindeckError for a failed call on the JavaScript thread.
[[noreturn]] void throw_failure(Napi::Env env, int status);

// Throws a PindeckError with code 'misuse' for a call the binding itself refuses.
[[noreturn]] void throw_misuse(Napi::Env env, const char* message);

// Settles `deferred` with an outcome: the JSON text as a string (null when none), the bytes as a
// Buffer, or the PindeckError.
void settle(Napi::Env env, Napi::Promise::Deferred& deferred, const Outcome& outcome);

// A Promise already settled with `outcome`, for a call made on the JavaScript thread because it
// costs less than a trip through the libuv pool would.
Napi::Promise settled_now(Napi::Env env, const Outcome& outcome);

// Runs `work` on the libuv pool and returns a Promise of its outcome. `owner` (the wrapper of the
// handle the work uses) is kept from garbage collection until then; `on_done` (may be empty) runs
// on the JavaScript thread before the Promise settles.
Napi::Promise run_on_pool(Napi::Object owner, std::function<Outcome()> work,
                          std::function<void()> on_done = {});

// Starts an asynchronous C call: `start` gets the completion callback and its user pointer and
// returns the C function's status. Returns a Promise settled from that callback, on the
// JavaScript thread; while it is pending it keeps the process alive, as a pending fs call does,
// and keeps `owner` from garbage collection.
Napi::Promise start_json_call(Napi::Object owner,
                              const std::function<int(pd_json_callback, void*)>& start);

// The same for a call completing with bytes (pd_s3_get_bytes_async).
Napi::Promise start_bytes_call(Napi::Object owner,
                               const std::function<int(pd_bytes_callback, void*)>& start);

}  // namespace pindeck_node

#endif
