// SPDX-License-Identifier: Apache-2.0
// The rules for PersistenceConfig (pindeck/persistence.hpp), checked before anything starts.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "pindeck/persistence.hpp"

namespace pindeck::pipeline {

// The allowed ranges; wide enough for any real use, narrow enough that a typo (a negative value,
// 1e9 images in flight) is caught when persistence starts rather than by what it breaks later.
struct PersistenceLimits {
  static constexpr int max_in_flight = 64;
  static constexpr int max_uploading = 1024;
  static constexpr int cpu_threads = 256;
  static constexpr int max_attempts = 100;
  static constexpr std::chrono::milliseconds retry_delay{std::chrono::hours(24)};
  static constexpr std::chrono::milliseconds min_lease{100};
  static constexpr std::chrono::milliseconds max_lease{std::chrono::hours(24)};
  static constexpr std::chrono::milliseconds min_poll_interval{10};
  static constexpr std::chrono::milliseconds max_poll_interval{std::chrono::hours(1)};
  static constexpr std::uint64_t max_upload_bytes = std::uint64_t{5} << 40;  // S3's largest object
  static constexpr std::chrono::milliseconds staging_orphan_age{std::chrono::hours(24 * 365)};
  static constexpr std::size_t base_url_bytes = 4096;  // s3.endpoint, s3.publicBaseUrl
  // Leaves room within PATH_MAX (4096) for "/" and the names of the store's files.
  static constexpr std::size_t staging_dir_bytes = 4000;
};

// Throws Error(Errc::invalid, "persistence config: <setting> ...") naming the first setting out
// of its range (the JSON names of pd_persistence_start) and the range allowed.
void validate_persistence_config(const PersistenceConfig& config);

// Where the first-stage store of a client on `data_dir` is: config.staging_dir, else
// <data_dir>/staging.
std::filesystem::path staging_directory(const PersistenceConfig& config,
                                        const std::filesystem::path& data_dir);

}  // namespace pindeck::pipeline
