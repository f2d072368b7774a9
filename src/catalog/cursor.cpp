// SPDX-License-Identifier: Apache-2.0
#include "catalog/cursor.hpp"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "pindeck/error.hpp"

namespace pindeck::catalog {

using nlohmann::json;

namespace {

[[noreturn]] void bad_cursor() {
  throw Error(Errc::invalid, "cursor: not a cursor this library returned (pass nextCursor as is)");
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) bad_cursor();
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) bad_cursor();
  // EVP_DecodeBlock keeps the zero bytes that padding stands for.
  std::size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

}  // namespace

std::string encode_cursor(const Cursor& cursor) {
  json payload = std::visit(
      [](const auto& c) -> json {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, TimeCursor>) return {"t", c.uploaded_at, c.pk};
        if constexpr (std::is_same_v<T, ProjectCursor>) return {"p", c.project_sort, c.title, c.pk};
        if constexpr (std::is_same_v<T, OffsetCursor>) return {"o", c.offset};
        if constexpr (std::is_same_v<T, ClosenessCursor>) return {"c", c.distance_512, c.pk};
      },
      cursor);
  return base64(payload.dump());
}

Cursor decode_cursor(std::string_view token) {
  json p = json::parse(unbase64(token), nullptr, false);
  if (!p.is_array() || p.empty() || !p[0].is_string()) bad_cursor();
  const auto kind = p[0].get<std::string>();
  if (kind == "t" && p.size() == 3 && p[1].is_number_integer() && p[2].is_number_integer()) {
    return TimeCursor{p[1].get<std::int64_t>(), p[2].get<std::int64_t>()};
  }
  if (kind == "p" && p.size() == 4 && p[1].is_number_integer() && p[2].is_string() &&
      p[3].is_number_integer()) {
    return ProjectCursor{p[1].get<std::int64_t>(), p[2].get<std::string>(),
                         p[3].get<std::int64_t>()};
  }
  if (kind == "o" && p.size() == 2 && p[1].is_number_integer() && p[1].get<std::int64_t>() >= 0) {
    return OffsetCursor{p[1].get<std::int64_t>()};
  }
  if (kind == "c" && p.size() == 3 && p[1].is_number_integer() && p[2].is_number_integer() &&
      p[1].get<std::int64_t>() >= 0) {
    return ClosenessCursor{p[1].get<std::int64_t>(), p[2].get<std::int64_t>()};
  }
  bad_cursor();
}

}  // namespace pindeck::catalog
