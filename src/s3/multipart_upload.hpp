// SPDX-License-Identifier: Apache-2.0
// Multipart upload: CreateMultipartUpload, then the parts (at most max_parallel_parts at a time,
// each retried on its own), then CompleteMultipartUpload; AbortMultipartUpload when anything
// fails, so no orphaned parts are left behind.
#pragma once

#include <string>

#include "s3/body.hpp"
#include "s3/completion.hpp"
#include "s3/config.hpp"
#include "s3/operations.hpp"

namespace pindeck::s3 {

class RequestEngine;

// Uploads `body` to config.bucket/key in parts of config.part_size (grown when S3's part count
// would be exceeded). Arguments are already validated; `engine` and `config` outlive the upload.
void start_multipart_upload(RequestEngine& engine, const Config& config, std::string key,
                            BodySource body, PutOptions options, Handler<PutResult> handler);

}  // namespace pindeck::s3
