// SPDX-License-Identifier: Apache-2.0
// Clock skew: SigV4 signatures carry the signing time, and servers refuse requests signed too far
// from their own clock (15 minutes for S3, RustFS and radosgw, with 403 RequestTimeTooSkewed). As
// the AWS SDKs do, the client then takes the server's time from the answer's Date header, keeps
// the difference as its clock offset for every later request, and sends the request again.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pindeck::s3 {

// An HTTP date in the IMF-fixdate form servers send ("Sun, 06 Nov 1994 08:49:37 GMT"), read
// without the C locale's help; nothing when `text` is not one.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

// Whether a refused request was refused for its signing time: RequestTimeTooSkewed, or a 403
// without an S3 code (HEAD answers have no body) signed more than 4 minutes away from the
// server's time.
bool is_clock_skew_refusal(int http_status, std::string_view s3_code,
                           std::chrono::system_clock::time_point signed_at,
                           std::chrono::system_clock::time_point server_time);

}  // namespace pindeck::s3
