// SPDX-License-Identifier: Apache-2.0
// SHA-256 against the FIPS 180-2 example vectors.
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <span>

#include "util/hex.hpp"

namespace pindeck::util {
namespace {

constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kTwoBlocks =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* kMillionA =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

TEST(Sha256, OneShotMatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(""), kEmpty);
  EXPECT_EQ(sha256_hex("abc"), kAbc);
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), kTwoBlocks);
  EXPECT_EQ(to_hex(sha256("abc")), kAbc);
}

TEST(Sha256, AMillionAsStreamedInUnevenPieces) {
  Sha256 digest;
  const std::string piece(4093, 'a');  // not a multiple of the 64-byte block
  std::size_t left = 1'000'000;
  while (left > 0) {
    const std::size_t n = std::min(left, piece.size());
    digest.update(std::string_view(piece).substr(0, n));
    left -= n;
  }
  EXPECT_EQ(to_hex(digest.finish()), kMillionA);
}

TEST(Sha256, FinishStartsOverAndEveryUpdateFormAgrees) {
  Sha256 digest;
  digest.update("a");
  const std::byte b[] = {std::byte{'b'}};
  digest.update(std::span<const std::byte>(b));
  digest.update("c", 1);
  EXPECT_EQ(to_hex(digest.finish()), kAbc);
  EXPECT_EQ(to_hex(digest.finish()), kEmpty) << "finish() starts over";
}

TEST(Sha256, AsViewIsTheDigestsBytes) {
  const Sha256Digest d = sha256("abc");
  EXPECT_EQ(to_hex(as_view(d)), kAbc);
}

}  // namespace
}  // namespace pindeck::util
