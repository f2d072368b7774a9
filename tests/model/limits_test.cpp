// SPDX-License-Identifier: Apache-2.0
// The named limits of every text field and list of a record (pindeck::limits), control
// characters, the range of times and counts, and the storage names a record may hold.
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>

#include "model/validation.hpp"
#include "pindeck/error.hpp"

namespace pindeck::model {
namespace {

std::string refusal(const Record& r) {
  try {
    validate(r);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    return e.what();
  }
  return "";
}

std::string repeated(std::string_view unit, std::size_t count) {
  std::string out;
  out.reserve(unit.size() * count);
  for (std::size_t i = 0; i < count; ++i) out += unit;
  return out;
}

struct TextField {
  const char* name;  // as the refusal names it
  std::size_t limit;
  bool in_chars;  // else bytes
  bool multi_line;
  std::function<void(Record&, std::string)> set;
};

const std::vector<TextField>& text_fields() {
  static const std::vector<TextField> fields{
      {"title", limits::title_chars, true, false, [](Record& r, std::string v) { r.title = v; }},
      {"description", limits::description_chars, true, true,
       [](Record& r, std::string v) { r.description = v; }},
      {"category", limits::category_chars, true, false,
       [](Record& r, std::string v) { r.category = v; }},
      {"tags[0]", limits::tag_chars, true, false, [](Record& r, std::string v) { r.tags = {v}; }},
      {"group", limits::name_chars, true, false, [](Record& r, std::string v) { r.group = v; }},
      {"projectName", limits::name_chars, true, false,
       [](Record& r, std::string v) { r.project_name = v; }},
      {"moodboardName", limits::name_chars, true, false,
       [](Record& r, std::string v) { r.moodboard_name = v; }},
      {"source", limits::name_chars, true, false, [](Record& r, std::string v) { r.source = v; }},
      {"sref", limits::sref_chars, true, false, [](Record& r, std::string v) { r.sref = v; }},
      {"modificationMode", limits::modification_mode_chars, true, false,
       [](Record& r, std::string v) { r.modification_mode = v; }},
      {"variationDetail", limits::variation_detail_chars, true, false,
       [](Record& r, std::string v) { r.variation_detail = v; }},
      {"storagePersistError", limits::persist_error_chars, true, true,
       [](Record& r, std::string v) { r.storage_persist_error = v; }},
      {"uniqueId", limits::id_bytes, false, false,
       [](Record& r, std::string v) { r.unique_id = v; }},
      {"uploadedBy", limits::id_bytes, false, false,
       [](Record& r, std::string v) { r.uploaded_by = v; }},
      {"parentImageId", limits::id_bytes, false, false,
       [](Record& r, std::string v) { r.parent_image_id = v; }},
      {"externalId", limits::external_key_bytes, false, false,
       [](Record& r, std::string v) { r.external_id = v; }},
      {"generationArtifactKey", limits::external_key_bytes, false, false,
       [](Record& r, std::string v) { r.generation_artifact_key = v; }},
      {"sourceUrl", limits::url_bytes, false, false,
       [](Record& r, std::string v) { r.source_url = v; }},
      {"imageUrl", limits::url_bytes, false, false,
       [](Record& r, std::string v) { r.image_url = v; }},
      {"previewUrl", limits::url_bytes, false, false,
       [](Record& r, std::string v) { r.preview_url = v; }},
      {"derivativeUrls.small", limits::url_bytes, false, false,
       [](Record& r, std::string v) {
         r.derivative_urls = DerivativeSet{v, "m", "l"};
       }},
      {"derivativeUrls.large", limits::url_bytes, false, false,
       [](Record& r, std::string v) {
         r.derivative_urls = DerivativeSet{"s", "m", v};
       }},
      {"contentType", limits::content_type_bytes, false, false,
       [](Record& r, std::string v) { r.content_type = v; }},
  };
  return fields;
}

TEST(Limits, EveryTextFieldTakesItsLimitAndRefusesOneMore) {
  for (const auto& f : text_fields()) {
    SCOPED_TRACE(f.name);
    // People's text counts characters: "é" is two bytes and one character.
    const std::string unit = f.in_chars ? "\xc3\xa9" : "a";
    Record r;
    f.set(r, repeated(unit, f.limit));
    EXPECT_EQ(refusal(r), "");
    f.set(r, repeated(unit, f.limit + 1));
    EXPECT_EQ(refusal(r), std::string(f.name) + ": must be at most " + std::to_string(f.limit) +
                              (f.in_chars ? " characters (got " : " bytes (got ") +
                              std::to_string(f.limit + 1) + ")");
  }
}

TEST(Limits, TheIssuesFiftyMegabyteDescriptionAndFiveMillionTagsAreRefused) {
  Record r;
  r.description = std::string(50u << 20, 'x');
  EXPECT_EQ(refusal(r), "description: must be at most 10000 characters (got 52428800)");
  r.description.reset();
  r.tags.assign(5'000'000, "t");
  EXPECT_EQ(refusal(r), "tags: at most 100 tags are allowed (got 5000000)");
  r.tags.resize(limits::tags);
  for (std::size_t i = 0; i < r.tags.size(); ++i) r.tags[i] = "t" + std::to_string(i);
  EXPECT_EQ(refusal(r), "");
}

TEST(Limits, ControlCharactersAreRefusedInEveryOneLineField) {
  for (const auto& f : text_fields()) {
    SCOPED_TRACE(f.name);
    Record r;
    f.set(r, "x\x1b[2Jy");
    EXPECT_EQ(refusal(r), std::string(f.name) +
                              ": contains the control character U+001B at "
                              "character 1" +
                              (f.multi_line ? "; only newline and tab are allowed"
                                            : "; a one-line field takes no control characters"));
    f.set(r, "two\nlines");
    EXPECT_EQ(refusal(r).empty(), f.multi_line);
    f.set(r, "a\tb");
    EXPECT_EQ(refusal(r).empty(), f.multi_line);
    f.set(r, "cr\r");
    EXPECT_NE(refusal(r), "");
    f.set(r, std::string("nul\0", 4));
    EXPECT_NE(refusal(r), "");
    f.set(r, "del\x7f");
    EXPECT_NE(refusal(r), "");
    f.set(r, "csi\xc2\x9b");  // U+009B, the 8-bit CSI some terminals obey
    EXPECT_NE(refusal(r), "");
    f.set(r, "nbsp\xc2\xa0");  // U+00A0 is text, not a control
    EXPECT_EQ(refusal(r), "");
  }
}

TEST(Limits, TextMustBeValidUtf8) {
  Record r;
  r.title = "a\xff";
  EXPECT_EQ(refusal(r), "title: is not valid UTF-8 (at byte 1)");
  r.title = "\xc0\xaf";  // an overlong '/'
  EXPECT_EQ(refusal(r), "title: is not valid UTF-8 (at byte 0)");
  r.title = "\xed\xa0\x80";  // a UTF-16 surrogate
  EXPECT_NE(refusal(r), "");
  r.title = "\xe6\x98";  // cut inside a character
  EXPECT_NE(refusal(r), "");
  r.title = "\xf0\x9f\x8e\xac";  // U+1F3AC, four bytes
  EXPECT_EQ(refusal(r), "");
}

TEST(Limits, JsonOfTextThatIsNotUtf8IsAnInvalidRecordNotAJsonException) {
  Record r;
  r.title = "a\xff";
  try {
    record_to_json(r);
    ADD_FAILURE() << "invalid UTF-8 turned into JSON";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_STREQ(e.what(), "record: every text field must be valid UTF-8");
  }
}

TEST(Limits, TimesStayWithinDatesThatCanBeShown) {
  Record r;
  r.uploaded_at = limits::time_ms;
  r.ingested_at = limits::time_ms;
  EXPECT_EQ(refusal(r), "");
  r.uploaded_at = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(refusal(r),
            "uploadedAt: must be at most 253402300799999 (9999-12-31T23:59:59.999Z) (got "
            "9223372036854775807)");
  r.uploaded_at = 0;
  r.ingested_at = limits::time_ms + 1;
  EXPECT_EQ(refusal(r),
            "ingestedAt: must be at most 253402300799999 (9999-12-31T23:59:59.999Z) (got "
            "253402300800000)");
}

TEST(Limits, CountsStayExactInJavaScript) {
  Record r;
  r.project_order = limits::count;
  r.width = limits::count;
  EXPECT_EQ(refusal(r), "");
  r.width = limits::count + 1;
  EXPECT_EQ(refusal(r), "width: must be at most 9007199254740991 (got 9007199254740992)");
  r.width.reset();
  r.project_order = std::numeric_limits<std::int64_t>::max();
  EXPECT_NE(refusal(r), "");
}

TEST(Limits, StorageFieldsFollowTheStorageNameRules) {
  Record r;
  r.storage_id = "0123456789abcdef0123456789abcdef";
  r.storage_path = "media-uploads/2026/11_30/original/a.jpg";
  r.storage_bucket = "pindeck";
  EXPECT_EQ(refusal(r), "");
  r.storage_id = "../../../../etc/passwd";
  EXPECT_EQ(refusal(r),
            "storageId: must be 32 lowercase hexadecimal digits (a first-stage store handle)");
  r.storage_id = "0123456789ABCDEF0123456789ABCDEF";
  EXPECT_NE(refusal(r), "");
  r.storage_id.reset();
  r.storage_path = "media-uploads/../../x";
  EXPECT_EQ(refusal(r), "storagePath: object key must not contain a \".\" or \"..\" segment");
  r.storage_path = "/etc/passwd";
  EXPECT_EQ(refusal(r), "storagePath: object key must not start with '/'");
  r.storage_path.reset();
  r.preview_storage_path = "a/b\x1b.jpg";
  EXPECT_NE(refusal(r), "");
  r.preview_storage_path.reset();
  r.derivative_storage_paths = DerivativeSet{"a/s.webp", "a/../m.webp", "a/l.webp"};
  EXPECT_EQ(refusal(r),
            "derivativeStoragePaths.medium: object key must not contain a \".\" or \"..\" "
            "segment");
  r.derivative_storage_paths.reset();
  r.storage_bucket = "../x";
  EXPECT_NE(refusal(r).find("storageBucket: bucket \"../x\" is not a valid S3 bucket name"),
            std::string::npos);
}

TEST(Limits, AChangeIsCheckedOnlyWhereItChangesTheRecord) {
  // As an older version may have stored it: a title with an escape sequence.
  Record stored;
  stored.title = "x\x1b[2Jy";
  stored.description = std::string(20000, 'd');
  Record edited = stored;
  edited.tags = {"fine"};
  EXPECT_NO_THROW(validate_change(stored, edited));
  edited.title = "still\x1b bad";
  try {
    validate_change(stored, edited);
    ADD_FAILURE() << "a new title with a control character was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("title: contains the control character U+001B", 0), 0u);
  }
  edited.title = "clean";
  edited.description = std::string(20001, 'd');
  EXPECT_THROW(validate_change(stored, edited), Error);
}

TEST(Limits, MessagesTheLibraryWritesAreFittedToTheirField) {
  EXPECT_EQ(fit_message("a\x1b[2Jb\nc\td\r", 100), "a [2Jb\nc\td ");
  EXPECT_EQ(fit_message("bad \xff byte", 100), "bad \xef\xbf\xbd byte");
  EXPECT_EQ(fit_message("exactly", 7), "exactly");
  EXPECT_EQ(fit_message("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4), "\xc3\xa9...");
  Record r;
  r.storage_persist_error = fit_message(repeated("\x07x", 10000), limits::persist_error_chars);
  EXPECT_EQ(refusal(r), "");
}

}  // namespace
}  // namespace pindeck::model
