// SPDX-License-Identifier: Apache-2.0
// Object keys: kebab-case names in many scripts, dates in UTC, the five keys, and the guarantee
// that no key leaves its prefix.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "expect_invalid.hpp"
#include "media/object_key.hpp"
#include "model/base36.hpp"
#include "model/storage_names.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {
namespace {

using model::is_base36;
using model::random_base36;
using model::to_base36;

// 2024-03-05T12:34:56.789Z
constexpr std::int64_t kMarch5 = 1709642096789;

ObjectStoreLayout test_layout() {
  ObjectStoreLayout layout;
  layout.public_base_url = "http://127.0.0.1:9000";
  return layout;
}

NonceSource fixed_nonce(std::string value) {
  return [value](std::size_t) { return value; };
}

using pindeck::test::expect_invalid;

TEST(Base36, WritesLikeJavaScript) {
  EXPECT_EQ(to_base36(0), "0");
  EXPECT_EQ(to_base36(35), "z");
  EXPECT_EQ(to_base36(36), "10");
  EXPECT_EQ(to_base36(kMarch5), "ltecrgk5");  // (1709642096789).toString(36)
  EXPECT_TRUE(is_base36("a0z9"));
  EXPECT_FALSE(is_base36(""));
  EXPECT_FALSE(is_base36("aZ"));
  EXPECT_FALSE(is_base36("a-b"));
}

TEST(Base36, RandomDigitsAreBase36AndVary) {
  const std::string a = random_base36(6);
  EXPECT_EQ(a.size(), 6u);
  EXPECT_TRUE(is_base36(a));
  const std::string long_one = random_base36(4000);
  EXPECT_TRUE(is_base36(long_one));
  // Every one of the 36 digits appears in 4000 draws (fails with probability ~1e-46).
  for (char c : std::string("0123456789abcdefghijklmnopqrstuvwxyz")) {
    EXPECT_NE(long_one.find(c), std::string::npos) << c;
  }
  EXPECT_NE(random_base36(12), random_base36(12));
}

TEST(KebabBaseName, LatinWithAccentsLosesTheAccents) {
  EXPECT_EQ(kebab_base_name("Café Crème Brûlée", ""), "cafe-creme-brulee");
  EXPECT_EQ(kebab_base_name("Ångström Łódź Ærø", ""), "angstrom-odz-r");
  EXPECT_EQ(kebab_base_name("Señor Niño's Piñata!", ""), "senor-nino-s-pinata");
  EXPECT_EQ(kebab_base_name("İstanbul Şehri", ""), "istanbul-sehri");
}

TEST(KebabBaseName, CompatibilityFormsAreFolded) {
  EXPECT_EQ(kebab_base_name("ＦＵＬＬ ｗｉｄｔｈ", ""), "full-width");
  EXPECT_EQ(kebab_base_name("ﬁnal ﬂight", ""), "final-flight");
  EXPECT_EQ(kebab_base_name("E=mc²", ""), "e-mc2");
  EXPECT_EQ(kebab_base_name("Ⅻ chapter", ""), "xii-chapter");
}

TEST(KebabBaseName, NonLatinScriptsFallBackToTheFileName) {
  EXPECT_EQ(kebab_base_name("Москва ночью", "IMG_2041.JPG"), "img-2041");
  EXPECT_EQ(kebab_base_name("東京の夜", "tokyo night.png"), "tokyo-night");
  EXPECT_EQ(kebab_base_name("صورة جميلة", "سبب.jpg"), "image");
  EXPECT_EQ(kebab_base_name("Москва 2024", ""), "2024");  // digits survive, the rest is a gap
}

TEST(KebabBaseName, EmojiAndPunctuationAreGaps) {
  EXPECT_EQ(kebab_base_name("🎬 Final Cut 🎞️ v2", ""), "final-cut-v2");
  EXPECT_EQ(kebab_base_name("🔥🔥🔥", "fire.webp"), "fire");
  EXPECT_EQ(kebab_base_name("--Hello___World--", ""), "hello-world");
}

TEST(KebabBaseName, PathsCannotComeThrough) {
  EXPECT_EQ(kebab_base_name("../../etc/passwd", ""), "etc-passwd");
  EXPECT_EQ(kebab_base_name("a/b\\c", ""), "a-b-c");
  EXPECT_EQ(kebab_base_name("", "../../secret/.hidden"), "hidden");
  EXPECT_EQ(kebab_base_name("", "C:\\Users\\me\\Shot 01.tiff"), "shot-01");
  EXPECT_EQ(kebab_base_name("..", ".."), "image");
}

TEST(KebabBaseName, EmptyTitleAndFileNameGiveImage) {
  EXPECT_EQ(kebab_base_name("", ""), "image");
  EXPECT_EQ(kebab_base_name("   ", "   "), "image");
  EXPECT_EQ(kebab_base_name("", "noext"), "noext");
  EXPECT_EQ(kebab_base_name("\xff\xfe broken utf8", ""), "broken-utf8");
}

TEST(KebabBaseName, LongTitlesAreCutAt96WithoutATrailingDash) {
  const std::string long_title(300, 'a');
  EXPECT_EQ(kebab_base_name(long_title, ""), std::string(96, 'a'));
  // A gap right at the cut: 95 letters, a space, more letters.
  const std::string gap_at_cut = std::string(95, 'b').append(" ").append(50, 'c');
  EXPECT_EQ(kebab_base_name(gap_at_cut, ""), std::string(95, 'b'));
  // Accents do not count against the 96 characters: they are gone before the cut.
  std::string accented;
  for (int i = 0; i < 120; ++i) accented += "é";
  EXPECT_EQ(kebab_base_name(accented, ""), std::string(96, 'e'));
}

TEST(DateFolder, UsesUtcDays) {
  EXPECT_EQ(date_folder(0), "1970/01_01");
  EXPECT_EQ(date_folder(kMarch5), "2024/03_05");
  // Last and first millisecond of a day, a leap day and a year end.
  EXPECT_EQ(date_folder(1709683199999), "2024/03_05");  // 2024-03-05T23:59:59.999Z
  EXPECT_EQ(date_folder(1709683200000), "2024/03_06");
  EXPECT_EQ(date_folder(1709164800000), "2024/02_29");
  EXPECT_EQ(date_folder(1735689599999), "2024/12_31");
  EXPECT_EQ(date_folder(1735689600000), "2025/01_01");
  EXPECT_EQ(date_folder(253402300799999), "9999/12_31");
  expect_invalid([] { date_folder(-1); }, "1970");
  expect_invalid([] { date_folder(253402300800000); }, "9999");
}

TEST(PreviewExtension, KeepsWritableFormatsElseWebp) {
  EXPECT_EQ(preview_extension("jpg"), "jpg");
  EXPECT_EQ(preview_extension("png"), "png");
  EXPECT_EQ(preview_extension("webp"), "webp");
  for (const char* ext : {"gif", "avif", "heic", "tiff"}) EXPECT_EQ(preview_extension(ext), "webp");
  expect_invalid([] { preview_extension("exe"); }, "\"exe\"");
  expect_invalid([] { preview_extension("JPG"); }, "\"JPG\"");
  expect_invalid([] { preview_extension("../jpg"); }, "jpg, png");
}

TEST(ObjectKeyNamer, MakesTheFiveKeys) {
  const ObjectKeyNamer namer(test_layout(), fixed_nonce("k3x9q0"));
  const ObjectKeys keys = namer.keys_for("Neon Alley, Tokyo", "IMG_1.jpeg", kMarch5, "jpg");
  const std::string stem = "media-uploads/2024/03_05/";
  EXPECT_EQ(keys.original, stem + "original/neon-alley-tokyo-ltecrgk5-k3x9q0.jpg");
  EXPECT_EQ(keys.preview, stem + "preview/neon-alley-tokyo-ltecrgk5-k3x9q0-preview.jpg");
  EXPECT_EQ(keys.small, stem + "low/neon-alley-tokyo-ltecrgk5-k3x9q0-w320.webp");
  EXPECT_EQ(keys.medium, stem + "high/neon-alley-tokyo-ltecrgk5-k3x9q0-w768.webp");
  EXPECT_EQ(keys.large, stem + "high/neon-alley-tokyo-ltecrgk5-k3x9q0-w1280.webp");
}

TEST(ObjectKeyNamer, PreviewOfAFormatLibvipsCannotWriteIsWebp) {
  const ObjectKeyNamer namer(test_layout(), fixed_nonce("000000"));
  const ObjectKeys keys = namer.keys_for("", "scan.heic", kMarch5, "heic");
  EXPECT_EQ(keys.original, "media-uploads/2024/03_05/original/scan-ltecrgk5-000000.heic");
  EXPECT_EQ(keys.preview, "media-uploads/2024/03_05/preview/scan-ltecrgk5-000000-preview.webp");
}

TEST(ObjectKeyNamer, LongTitleIsCutBeforeTheSuffix) {
  const ObjectKeyNamer namer(test_layout(), fixed_nonce("abcdef"));
  const std::string stem = namer.file_stem(std::string(500, 'x'), "", kMarch5);
  EXPECT_EQ(stem, std::string(96, 'x').append("-ltecrgk5-abcdef"));
}

TEST(ObjectKeyNamer, DefaultNonceIsRandomBase36) {
  const ObjectKeyNamer namer(test_layout());
  const std::regex shape("sunset-ltecrgk5-[0-9a-z]{6}");
  const std::string a = namer.file_stem("Sunset", "", kMarch5);
  const std::string b = namer.file_stem("Sunset", "", kMarch5);
  EXPECT_TRUE(std::regex_match(a, shape)) << a;
  EXPECT_TRUE(std::regex_match(b, shape)) << b;
  EXPECT_NE(a, b);
}

TEST(ObjectKeyNamer, RefusesABrokenNonceSource) {
  for (const char* bad : {"abc", "ABCDEF", "../../", "abcdefg"}) {
    const ObjectKeyNamer namer(test_layout(), fixed_nonce(bad));
    try {
      namer.file_stem("t", "", kMarch5);
      ADD_FAILURE() << "nonce \"" << bad << "\" was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::internal);
    }
  }
}

TEST(ObjectKeyNamer, HostileTitlesStayInsideThePrefix) {
  const ObjectKeyNamer namer(test_layout(), fixed_nonce("zzzzzz"));
  const std::regex safe(
      "media-uploads/[0-9]{4}/[0-9]{2}_[0-9]{2}/(original|preview|low|high)/"
      "[a-z0-9-]+\\.(jpg|png|webp|gif|avif|heic|tiff)");
  for (const char* title :
       {"../../../etc/passwd", "/absolute/path", "a/../../b", "..", "./.", "%2e%2e%2f",
        "C:\\Windows\\system32", "\n\r\t", "🙂/🙃", "ΑΒΓ/../Δ"}) {
    for (const char* ext : {"jpg", "gif"}) {
      const ObjectKeys keys = namer.keys_for(title, "../x/../../up.png", kMarch5, ext);
      for (const std::string& key :
           {keys.original, keys.preview, keys.small, keys.medium, keys.large}) {
        EXPECT_TRUE(std::regex_match(key, safe)) << key;
        EXPECT_EQ(key.find(".."), std::string::npos) << key;
        EXPECT_NO_THROW(model::validate_object_key(key));
      }
    }
  }
}

TEST(ObjectKeyNamer, CustomBucketAndPrefixAndPublicUrl) {
  ObjectStoreLayout layout;
  layout.bucket = "studio-refs";
  layout.prefix = "team_a/boards";
  layout.public_base_url = "https://cdn.example.com/";
  const ObjectKeyNamer namer(layout, fixed_nonce("q1w2e3"));
  const ObjectKeys keys = namer.keys_for("Frame 12", "", kMarch5, "png");
  EXPECT_EQ(keys.original, "team_a/boards/2024/03_05/original/frame-12-ltecrgk5-q1w2e3.png");
  EXPECT_EQ(namer.public_url(keys.original),
            "https://cdn.example.com/studio-refs/team_a/boards/2024/03_05/original/"
            "frame-12-ltecrgk5-q1w2e3.png");
}

TEST(ObjectKeyNamer, EmptyPrefixStartsKeysAtTheYear) {
  ObjectStoreLayout layout = test_layout();
  layout.prefix = "";
  const ObjectKeyNamer namer(layout, fixed_nonce("aaaaaa"));
  EXPECT_EQ(namer.keys_for("x", "", 0, "gif").large, "1970/01_01/high/x-0-aaaaaa-w1280.webp");
}

TEST(ObjectKeyNamer, PublicUrlRefusesKeysOutsideThePrefix) {
  const ObjectKeyNamer namer(test_layout(), fixed_nonce("aaaaaa"));
  EXPECT_EQ(namer.public_url("media-uploads/2024/03_05/original/a.jpg"),
            "http://127.0.0.1:9000/pindeck/media-uploads/2024/03_05/original/a.jpg");
  expect_invalid([&] { namer.public_url("other/2024/a.jpg"); }, "not under the prefix");
  expect_invalid([&] { namer.public_url("media-uploads-evil/a.jpg"); }, "not under the prefix");
  expect_invalid([&] { namer.public_url("media-uploads/../secret"); }, "\"..\"");
  expect_invalid([&] { namer.public_url("/media-uploads/a.jpg"); }, "start with '/'");
  expect_invalid([&] { namer.public_url("media-uploads//a.jpg"); }, "//");
  expect_invalid([&] { namer.public_url("media-uploads/A.jpg"); }, "[a-z0-9/_.-]");
  expect_invalid([&] { namer.public_url("media-uploads"); }, "not under the prefix");
}

TEST(ObjectStoreLayout, RefusesInvalidConfiguration) {
  const auto with = [](auto change) {
    ObjectStoreLayout layout = test_layout();
    change(layout);
    return layout;
  };
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.prefix = "../up"; })); }, "prefix");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.prefix = "/abs"; })); }, "prefix");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.prefix = "a//b"; })); }, "prefix");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.prefix = "Media"; })); }, "prefix");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.prefix = "trailing/"; })); }, "prefix");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.bucket = "Pindeck"; })); }, "bucket");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.bucket = "ab"; })); }, "bucket");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.bucket = "a..b"; })); }, "bucket");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.bucket = "-abc"; })); }, "bucket");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.bucket = "10.0.0.1"; })); }, "bucket");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.public_base_url = ""; })); },
                 "public_base_url");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.public_base_url = "ftp://host"; })); },
                 "public_base_url");
  expect_invalid([&] { ObjectKeyNamer(with([](auto& l) { l.public_base_url = "http:///x"; })); },
                 "public_base_url");
  expect_invalid(
      [&] { ObjectKeyNamer(with([](auto& l) { l.public_base_url = "http://h/?a=b"; })); },
      "public_base_url");
}

TEST(ObjectKeyNamer, RefusesBadUploadTimesAndExtensions) {
  const ObjectKeyNamer namer(test_layout(), fixed_nonce("aaaaaa"));
  expect_invalid([&] { namer.keys_for("t", "", -5, "jpg"); }, "uploadedAt");
  expect_invalid([&] { namer.keys_for("t", "", kMarch5, "jpeg"); }, "\"jpeg\"");
  expect_invalid([&] { namer.keys_for("t", "", kMarch5, ""); }, "extension");
}

}  // namespace
}  // namespace pindeck::media
