// SPDX-License-Identifier: Apache-2.0
// URLs as people paste them, cleaned the way Pindeck cleans them before it stores or compares one.
#pragma once

#include <string>
#include <string_view>

namespace pindeck::sources {

// Trims white space; then unwraps `<url>` (how Discord and mail quote a link), or else drops a
// trailing run of `>])},.;!?` (punctuation that ends the sentence around a link), as Pindeck does.
// "" when nothing is left.
std::string normalise_source_url(std::string_view url);

// The last segment of the URL's path, without query or fragment ("" when there is none): it names
// the image when the record has no title, as a file name does for an upload.
std::string file_name_of_url(std::string_view url);

}  // namespace pindeck::sources
