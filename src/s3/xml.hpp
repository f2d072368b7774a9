// SPDX-License-Identifier: Apache-2.0
// The XML documents of S3's API (other than <Error>, see error.hpp), read and written with pugixml.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "s3/operations.hpp"

namespace pindeck::s3::xml {

// All parsers throw pindeck::Error(Errc::s3) naming the operation when the document is not what
// S3 sends.
ListPage parse_list_page(std::string_view body);
std::string parse_upload_id(std::string_view body);       // InitiateMultipartUploadResult
std::string parse_completed_etag(std::string_view body);  // CompleteMultipartUploadResult
DeleteResult parse_delete_result(std::string_view body);  // DeleteResult

// etags[i] is the ETag of part i + 1.
std::string complete_multipart_body(const std::vector<std::string>& etags);
std::string delete_objects_body(const std::vector<std::string>& keys);
std::string create_bucket_body(const std::string& region);  // "" for us-east-1

}  // namespace pindeck::s3::xml
