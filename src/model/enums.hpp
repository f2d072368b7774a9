// SPDX-License-Identifier: Apache-2.0
// Text names of the record's enums, exactly as they appear in JSON.
#pragma once

#include <optional>
#include <string_view>

#include "pindeck/record.hpp"

namespace pindeck::model {

std::string_view to_string(SourceType v);
std::string_view to_string(StorageProvider v);
std::string_view to_string(PersistStatus v);
std::string_view to_string(RecordStatus v);
std::string_view to_string(AiStatus v);
std::string_view to_string(VariationType v);
std::string_view to_string(Counter v);

// Each parse_* returns nothing for an unknown name; callers turn that into an error naming the
// field (see expected_values()).
std::optional<SourceType> parse_source_type(std::string_view s);
std::optional<StorageProvider> parse_storage_provider(std::string_view s);
std::optional<PersistStatus> parse_persist_status(std::string_view s);
std::optional<RecordStatus> parse_record_status(std::string_view s);
std::optional<AiStatus> parse_ai_status(std::string_view s);
std::optional<VariationType> parse_variation_type(std::string_view s);

// "upload, discord, pinterest or ai": the accepted names, for error messages.
template <typename Enum>
constexpr std::string_view expected_values();
template <>
constexpr std::string_view expected_values<SourceType>() {
  return "upload, discord, pinterest or ai";
}
template <>
constexpr std::string_view expected_values<StorageProvider>() {
  return "convex, rustfs or local";
}
template <>
constexpr std::string_view expected_values<PersistStatus>() {
  return "pending, succeeded or failed";
}
template <>
constexpr std::string_view expected_values<RecordStatus>() {
  return "active, draft, pending or broken";
}
template <>
constexpr std::string_view expected_values<AiStatus>() {
  return "queued, processing, completed or failed";
}
template <>
constexpr std::string_view expected_values<VariationType>() {
  return "shot_type or style";
}

}  // namespace pindeck::model
