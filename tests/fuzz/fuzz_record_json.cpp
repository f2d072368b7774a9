// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the record JSON reader: any text read as a record, and as a patch on a
// stored record, ends in a valid record or Error(Errc::invalid), never a crash or another
// exception; what it accepts reads back the same from its own JSON, and a patch keeps the id.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "model/patch.hpp"
#include "model/record_json.hpp"
#include "pindeck/record.hpp"

namespace {

using pindeck::Errc;
using pindeck::Record;
using pindeck::fuzz::require;

const Record& stored() {
  static const Record record = pindeck::record_from_json(
      R"({"id":"0mf3k2abcdxyz1234","uniqueId":"img-1-abcdefg","uploadedAt":1700000000000,)"
      R"("title":"Flow","description":"a river","tags":["water"],"projectOrder":2})");
  return record;
}

void require_round_trip(const Record& record) {
  const std::string text = pindeck::record_to_json(record);
  require(pindeck::record_from_json(text) == record,
          "an accepted record reads back the same from its own JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    require_round_trip(pindeck::record_from_json(text));
  } catch (const pindeck::Error& e) {
    pindeck::fuzz::require_code(e, Errc::invalid, "record_from_json");
  }
  try {
    const Record patched =
        pindeck::model::apply_patch(stored(), pindeck::model::parse_json_text(text, "patch"));
    require(patched.id == stored().id, "a patch never changes the id");
    require_round_trip(patched);
  } catch (const pindeck::Error& e) {
    pindeck::fuzz::require_code(e, Errc::invalid, "apply_patch");
  }
  return 0;
}
