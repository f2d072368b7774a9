// SPDX-License-Identifier: Apache-2.0
// The client's argument checks. Each throws pindeck::Error(Errc::invalid) naming what is wrong,
// before anything is sent.
#pragma once

#include <chrono>
#include <string>

#include "s3/operations.hpp"

namespace pindeck::s3 {

// DESIGN §10: what RustFS accepts as a key.
void validate_key(const std::string& key);
// An object operation needs a bucket in the configuration and a valid key.
void validate_object(const std::string& bucket, const std::string& key);
// Content-Type, Cache-Control and metadata go out as headers.
void validate_put_options(const PutOptions& options);
void validate_byte_range(const ByteRange& range);
void validate_list_options(const ListOptions& options);
void validate_presign_lifetime(std::chrono::seconds expires);

}  // namespace pindeck::s3
