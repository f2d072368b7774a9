// SPDX-License-Identifier: Apache-2.0
// The asynchronous forms of the C ABI's long calls (uploads, URL and Discord ingest): each copies
// its arguments and runs its blocking form on the client's background threads, so the callback
// gets exactly the blocking form's JSON and errors.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "capi/client_handle.hpp"
#include "capi/guard.hpp"
#include "pindeck/client.hpp"

namespace {

using pindeck::Errc;
using pindeck::Error;
using pindeck::capi::live_client;
using pindeck::capi::require_arg;

// A string argument kept past the call; NULL stays NULL.
class CopiedString {
 public:
  explicit CopiedString(const char* text) {
    if (text != nullptr) text_ = text;
  }
  const char* get() const { return text_ ? text_->c_str() : nullptr; }

 private:
  std::optional<std::string> text_;
};

// A blocking call of the C ABI on `handle`, putting its result in *out_json.
using BlockingCall = std::function<int(pd_client* handle, char** out_json)>;

int fail_with(Errc code, const std::string& message) {
  return pindeck::capi::record_error(std::make_exception_ptr(Error(code, message)));
}

// Runs `call` on the client's background threads and hands its outcome to `callback` there.
void run_in_background(pindeck::Client& client, pd_client* handle, const char* what,
                       pd_json_callback callback, void* user, BlockingCall call) {
  pindeck::detail::ClientAccess::post(
      client, [handle, what, callback, user, call = std::move(call)](bool client_open) {
        char* out_json = nullptr;
        int status = PD_OK;
        if (!client_open) {
          status = fail_with(Errc::closed,
                             std::string("the client was closed before ") + what + " started");
        } else {
          status = call(handle, &out_json);
          // pd_client_close marks the handle closed before it waits for the calls already
          // running, so a call that starts in between finds it closed: for the host, its client
          // was closed before the call started.
          if (status == PD_ERR_MISUSE) {
            status = fail_with(Errc::closed,
                               std::string("the client was closed before ") + what + " started");
          }
        }
        callback(user, status, status == PD_OK ? out_json : nullptr,
                 status == PD_OK ? "" : pd_last_error());
        pd_string_free(out_json);
      });
}

void require_callback(pd_json_callback callback) {
  require_arg(reinterpret_cast<const void*>(callback), "callback");
}

}  // namespace

extern "C" {

int pd_upload_file_async(pd_client* client, const char* path, const char* metadata_json,
                         pd_json_callback callback, void* user) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = live_client(client);
    require_arg(path, "path");
    require_callback(callback);
    run_in_background(c, client, "the upload", callback, user,
                      [path = CopiedString(path), metadata = CopiedString(metadata_json)](
                          pd_client* handle, char** out_json) {
                        return pd_upload_file(handle, path.get(), metadata.get(), out_json);
                      });
  });
}

int pd_upload_bytes_async(pd_client* client, const void* data, size_t size, const char* file_name,
                          const char* metadata_json, pd_json_callback callback, void* user) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = live_client(client);
    if (size > 0) require_arg(data, "data");
    require_callback(callback);
    const auto* first = static_cast<const unsigned char*>(data);
    auto bytes = std::make_shared<const std::vector<unsigned char>>(first, first + size);
    run_in_background(c, client, "the upload", callback, user,
                      [bytes = std::move(bytes), name = CopiedString(file_name),
                       metadata = CopiedString(metadata_json)](pd_client* handle, char** out_json) {
                        return pd_upload_bytes(handle, bytes->data(), bytes->size(), name.get(),
                                               metadata.get(), out_json);
                      });
  });
}

int pd_ingest_url_async(pd_client* client, const char* url, const char* metadata_json,
                        pd_json_callback callback, void* user) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = live_client(client);
    require_arg(url, "url");
    require_callback(callback);
    run_in_background(c, client, "the URL ingest", callback, user,
                      [url = CopiedString(url), metadata = CopiedString(metadata_json)](
                          pd_client* handle, char** out_json) {
                        return pd_ingest_url(handle, url.get(), metadata.get(), out_json);
                      });
  });
}

int pd_ingest_discord_message_async(pd_client* client, const char* message_json,
                                    const char* options_json, pd_json_callback callback,
                                    void* user) {
  return pindeck::capi::guard([&] {
    pindeck::Client& c = live_client(client);
    require_arg(message_json, "message_json");
    require_callback(callback);
    run_in_background(c, client, "the Discord import", callback, user,
                      [message = CopiedString(message_json), options = CopiedString(options_json)](
                          pd_client* handle, char** out_json) {
                        return pd_ingest_discord_message(handle, message.get(), options.get(),
                                                         out_json);
                      });
  });
}

}  // extern "C"
