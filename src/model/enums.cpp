// SPDX-License-Identifier: Apache-2.0
#include "model/enums.hpp"

#include <array>
#include <utility>

namespace pindeck::model {

namespace {

template <typename Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

constexpr NameTable<SourceType, 4> source_types{{{SourceType::upload, "upload"},
                                                 {SourceType::discord, "discord"},
                                                 {SourceType::pinterest, "pinterest"},
                                                 {SourceType::ai, "ai"}}};
constexpr NameTable<StorageProvider, 3> storage_providers{{{StorageProvider::convex, "convex"},
                                                           {StorageProvider::rustfs, "rustfs"},
                                                           {StorageProvider::local, "local"}}};
constexpr NameTable<PersistStatus, 3> persist_statuses{{{PersistStatus::pending, "pending"},
                                                        {PersistStatus::succeeded, "succeeded"},
                                                        {PersistStatus::failed, "failed"}}};
constexpr NameTable<RecordStatus, 4> record_statuses{{{RecordStatus::active, "active"},
                                                      {RecordStatus::draft, "draft"},
                                                      {RecordStatus::pending, "pending"},
                                                      {RecordStatus::broken, "broken"}}};
constexpr NameTable<AiStatus, 4> ai_statuses{{{AiStatus::queued, "queued"},
                                              {AiStatus::processing, "processing"},
                                              {AiStatus::completed, "completed"},
                                              {AiStatus::failed, "failed"}}};
constexpr NameTable<VariationType, 2> variation_types{
    {{VariationType::shot_type, "shot_type"}, {VariationType::style, "style"}}};
constexpr NameTable<Counter, 2> counters{{{Counter::likes, "likes"}, {Counter::views, "views"}}};

template <typename Enum, std::size_t N>
std::string_view name_of(const NameTable<Enum, N>& table, Enum v) {
  for (const auto& [value, name] : table) {
    if (value == v) return name;
  }
  return "?";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const NameTable<Enum, N>& table, std::string_view s) {
  for (const auto& [value, name] : table) {
    if (name == s) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(SourceType v) {
  return name_of(source_types, v);
}
std::string_view to_string(StorageProvider v) {
  return name_of(storage_providers, v);
}
std::string_view to_string(PersistStatus v) {
  return name_of(persist_statuses, v);
}
std::string_view to_string(RecordStatus v) {
  return name_of(record_statuses, v);
}

std::string_view to_string(AiStatus v) {
  return name_of(ai_statuses, v);
}
std::string_view to_string(VariationType v) {
  return name_of(variation_types, v);
}
std::string_view to_string(Counter v) {
  return name_of(counters, v);
}

std::optional<SourceType> parse_source_type(std::string_view s) {
  return value_of(source_types, s);
}
std::optional<StorageProvider> parse_storage_provider(std::string_view s) {
  return value_of(storage_providers, s);
}
std::optional<PersistStatus> parse_persist_status(std::string_view s) {
  return value_of(persist_statuses, s);
}
std::optional<RecordStatus> parse_record_status(std::string_view s) {
  return value_of(record_statuses, s);
}

std::optional<AiStatus> parse_ai_status(std::string_view s) {
  return value_of(ai_statuses, s);
}
std::optional<VariationType> parse_variation_type(std::string_view s) {
  return value_of(variation_types, s);
}

}  // namespace pindeck::model
