// SPDX-License-Identifier: Apache-2.0
// Asynchronous forms of pindeck::Client's long operations, for any Boost.Asio completion token: a
// callback, boost::asio::use_future or boost::asio::use_awaitable. Each completes with
// (std::exception_ptr, result): the exception is a pindeck::Error when the operation failed.
// The completion runs on the token's associated executor (for a plain callback, a thread of
// Asio's system executor).
//
// Uploads, deletions, backfill, verify, get, lineage, project ordering, palette resampling, stats,
// increments, and the sources' fetches and moderation run on the client's two background threads. A
// wait for persistence holds no thread at all while it waits: any number of them can be pending at
// once.
//
// Lifetime: the client must stay where it is (not moved) until its operations have completed.
// Closing it (destroying it) with operations in flight is safe: waits and work not yet started
// complete with Errc::closed, work already running finishes first; the destructor returns once
// all of them have been completed.
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
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "pindeck/client.hpp"
#include "pindeck/error.hpp"

namespace pindeck {

namespace detail {

// Delivers an outcome to a completion handler on the handler's executor, keeping that executor
// from running out of work until then. Shared, because std::function (what crosses into the
// library) needs a copyable callable and the handler may be move-only.
template <typename Result, typename Handler>
class Completion {
 public:
  explicit Completion(Handler handler)
      : handler_(std::move(handler)),
        work_(boost::asio::make_work_guard(boost::asio::get_associated_executor(handler_))) {}

  static auto make(Handler handler) { return std::make_shared<Completion>(std::move(handler)); }

  static void complete(std::shared_ptr<Completion> self, std::exception_ptr error, Result result) {
    auto executor = self->work_.get_executor();
    boost::asio::post(executor, [self, error, result = std::move(result)]() mutable {
      std::move(self->handler_)(error, std::move(result));
      self->work_.reset();
    });
  }

 private:
  Handler handler_;
  boost::asio::executor_work_guard<boost::asio::associated_executor_t<Handler>> work_;
};

// Runs `work` (returning Result) on the client's background threads and delivers its outcome.
template <typename Result, typename Token, typename Work>
auto async_run(Client& client, Token&& token, Work work) {
  return boost::asio::async_initiate<Token, void(std::exception_ptr, Result)>(
      [&client](auto handler, Work job) {
        using Done = Completion<Result, decltype(handler)>;
        auto done = Done::make(std::move(handler));
        auto shared_work = std::make_shared<Work>(std::move(job));
        ClientAccess::post(client, [done, shared_work](bool client_open) {
          if (!client_open) {
            Done::complete(done,
                           std::make_exception_ptr(Error(
                               Errc::closed, "the client was closed before the operation started")),
                           Result{});
            return;
          }
          try {
            Done::complete(done, nullptr, (*shared_work)());
          } catch (...) {
            Done::complete(done, std::current_exception(), Result{});
          }
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

// Completes when the record is succeeded or failed (or the timeout passed, with the record still
// pending), as the persistence pipeline settles it: no thread waits meanwhile.
template <typename Token>
auto async_wait_persisted(Client& client, std::string id, std::chrono::milliseconds timeout,
                          Token&& token) {
  return boost::asio::async_initiate<Token, void(std::exception_ptr, Record)>(
      [&client](auto handler, std::string record_id, std::chrono::milliseconds limit) {
        using Done = detail::Completion<Record, decltype(handler)>;
        auto done = Done::make(std::move(handler));
        detail::ClientAccess::wait_persisted(client, std::move(record_id), limit,
                                             [done](std::exception_ptr error, Record record) {
                                               Done::complete(done, error, std::move(record));
                                             });
      },
      token, std::move(id), timeout);
}

// Client::backfill in the background; completes with how many records were rescheduled.
template <typename Token>
auto async_backfill(Client& client, int limit, Token&& token) {
  return detail::async_run<int>(client, std::forward<Token>(token),
                                [&client, limit] { return client.backfill(limit); });
}
template <typename Token>
auto async_backfill(Client& client, BackfillOptions options, Token&& token) {
  return detail::async_run<int>(client, std::forward<Token>(token),
                                [&client, options] { return client.backfill(options); });
}

// Client::resample_palette in the background; completes with the record as stored.
template <typename Token>
auto async_resample_palette(Client& client, std::string id, Token&& token) {
  return detail::async_run<Record>(
      client, std::forward<Token>(token),
      [&client, id = std::move(id)] { return client.resample_palette(id); });
}

// Client::remove of several records in the background; completes with the report.
template <typename Token>
auto async_remove(Client& client, std::vector<std::string> ids, DeleteOptions options,
                  Token&& token) {
  return detail::async_run<DeleteReport>(
      client, std::forward<Token>(token),
      [&client, ids = std::move(ids), options] { return client.remove(ids, options); });
}

// Client::remove_where in the background; completes with the report.
template <typename Token>
auto async_remove_where(Client& client, RecordQuery filter, DeleteOptions options, Token&& token) {
  return detail::async_run<DeleteReport>(client, std::forward<Token>(token),
                                         [&client, filter = std::move(filter), options] {
                                           return client.remove_where(filter, options);
                                         });
}

// Client::verify in the background; completes with the report. options.progress, if set, runs on
// the client's background thread.
template <typename Token>
auto async_verify(Client& client, VerifyOptions options, Token&& token) {
  return detail::async_run<VerifyReport>(
      client, std::forward<Token>(token),
      [&client, options = std::move(options)] { return client.verify(options); });
}

// Client::get in the background.
template <typename Token>
auto async_get(Client& client, std::string id, Token&& token) {
  return detail::async_run<Record>(client, std::forward<Token>(token),
                                   [&client, id = std::move(id)] { return client.get(id); });
}

// Client::parent in the background; completes with the parent, or nullopt for an original.
template <typename Token>
auto async_parent(Client& client, std::string id, Token&& token) {
  return detail::async_run<std::optional<Record>>(
      client, std::forward<Token>(token),
      [&client, id = std::move(id)] { return client.parent(id); });
}

// Client::children in the background; completes with one page.
template <typename Token>
auto async_children(Client& client, std::string id, RecordQuery query, Token&& token) {
  return detail::async_run<RecordPage>(client, std::forward<Token>(token),
                                       [&client, id = std::move(id), query = std::move(query)] {
                                         return client.children(id, query);
                                       });
}

// Client::root in the background.
template <typename Token>
auto async_root(Client& client, std::string id, Token&& token) {
  return detail::async_run<Record>(client, std::forward<Token>(token),
                                   [&client, id = std::move(id)] { return client.root(id); });
}

// Client::family in the background.
template <typename Token>
auto async_family(Client& client, std::string id, Token&& token) {
  return detail::async_run<Family>(client, std::forward<Token>(token),
                                   [&client, id = std::move(id)] { return client.family(id); });
}

// Client::set_project_order in the background; completes with how many records changed.
template <typename Token>
auto async_set_project_order(Client& client, std::string project_name, std::vector<std::string> ids,
                             Token&& token) {
  return detail::async_run<std::size_t>(
      client, std::forward<Token>(token),
      [&client, project_name = std::move(project_name), ids = std::move(ids)] {
        return client.set_project_order(project_name, ids);
      });
}

// Client::stats in the background; completes with the counts.
template <typename Token>
auto async_stats(Client& client, RecordQuery filter, Token&& token) {
  return detail::async_run<RecordStats>(
      client, std::forward<Token>(token),
      [&client, filter = std::move(filter)] { return client.stats(filter); });
}

// Client::increment in the background; completes with the new value.
template <typename Token>
auto async_increment(Client& client, std::string id, Counter counter, std::int64_t delta,
                     Token&& token) {
  return detail::async_run<std::int64_t>(client, std::forward<Token>(token),
                                         [&client, id = std::move(id), counter, delta] {
                                           return client.increment(id, counter, delta);
                                         });
}

// ---- Sources (DESIGN §7): each fetch runs on a background thread; progress, if set, runs there
// too. ----

// Client::ingest_url in the background.
template <typename Token>
auto async_ingest_url(Client& client, std::string url, Record metadata, Token&& token) {
  return detail::async_run<CreateResult>(
      client, std::forward<Token>(token),
      [&client, url = std::move(url), metadata = std::move(metadata)] {
        return client.ingest_url(url, metadata);
      });
}

// Client::ingest_discord_message in the background; completes with one result per image.
template <typename Token>
auto async_ingest_discord_message(Client& client, std::string message_json,
                                  DiscordImportOptions options, Token&& token) {
  return detail::async_run<std::vector<ImportResult>>(
      client, std::forward<Token>(token),
      [&client, message_json = std::move(message_json), options = std::move(options)] {
        return client.ingest_discord_message(message_json, options);
      });
}

// Client::ingest_pinterest_pin in the background.
template <typename Token>
auto async_ingest_pinterest_pin(Client& client, PinterestPin pin, Token&& token) {
  return detail::async_run<CreateResult>(
      client, std::forward<Token>(token),
      [&client, pin = std::move(pin)] { return client.ingest_pinterest_pin(pin); });
}

// Client::ingest_pinterest_feed (the feed's text) in the background.
template <typename Token>
auto async_ingest_pinterest_feed(Client& client, std::string rss_xml, std::string board,
                                 Token&& token) {
  return detail::async_run<std::vector<ImportResult>>(
      client, std::forward<Token>(token),
      [&client, rss_xml = std::move(rss_xml), board = std::move(board)] {
        return client.ingest_pinterest_feed(rss_xml, board);
      });
}

// Client::ingest_pinterest_feed_url in the background.
template <typename Token>
auto async_ingest_pinterest_feed_url(Client& client, std::string feed_url, std::string board,
                                     Token&& token) {
  return detail::async_run<std::vector<ImportResult>>(
      client, std::forward<Token>(token),
      [&client, feed_url = std::move(feed_url), board = std::move(board)] {
        return client.ingest_pinterest_feed_url(feed_url, board);
      });
}

// Client::import_pindeck_export in the background.
template <typename Token>
auto async_import_pindeck_export(Client& client, std::filesystem::path dir_or_zip,
                                 ExportImportOptions options, Token&& token) {
  return detail::async_run<ExportImportReport>(
      client, std::forward<Token>(token), [&client, dir_or_zip = std::move(dir_or_zip), options] {
        return client.import_pindeck_export(dir_or_zip, options);
      });
}

// Client::register_variation (from a file) in the background.
template <typename Token>
auto async_register_variation(Client& client, std::string parent_id, std::filesystem::path file,
                              Record metadata, Token&& token) {
  return detail::async_run<CreateResult>(client, std::forward<Token>(token),
                                         [&client, parent_id = std::move(parent_id),
                                          file = std::move(file), metadata = std::move(metadata)] {
                                           return client.register_variation(parent_id, file,
                                                                            metadata);
                                         });
}

// Client::register_variation_url in the background.
template <typename Token>
auto async_register_variation_url(Client& client, std::string parent_id, std::string url,
                                  Record metadata, Token&& token) {
  return detail::async_run<CreateResult>(client, std::forward<Token>(token),
                                         [&client, parent_id = std::move(parent_id),
                                          url = std::move(url), metadata = std::move(metadata)] {
                                           return client.register_variation_url(parent_id, url,
                                                                                metadata);
                                         });
}

// Client::approve in the background; completes with the records as stored.
template <typename Token>
auto async_approve(Client& client, std::vector<std::string> ids, Token&& token) {
  return detail::async_run<std::vector<Record>>(
      client, std::forward<Token>(token),
      [&client, ids = std::move(ids)] { return client.approve(ids); });
}

// Client::reject in the background; completes with the deletion's report.
template <typename Token>
auto async_reject(Client& client, std::vector<std::string> ids, Token&& token) {
  return detail::async_run<DeleteReport>(
      client, std::forward<Token>(token),
      [&client, ids = std::move(ids)] { return client.reject(ids); });
}

}  // namespace pindeck
