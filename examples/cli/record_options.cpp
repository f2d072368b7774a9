// SPDX-License-Identifier: Apache-2.0
#include "record_options.hpp"

#include <CLI/CLI.hpp>
#include <map>
#include <string_view>

#include "pindeck/error.hpp"

namespace pindeck_cli {

namespace {

// The record field (its JSON name, as the library's refusals start) each option sets.
const std::map<std::string, std::string, std::less<>> option_of_field{
    {"title", "--title"},
    {"description", "--description"},
    {"category", "--category"},
    {"tags", "--tags"},
    {"group", "--group"},
    {"projectName", "--project"},
    {"projectOrder", "--project-order"},
    {"moodboardName", "--moodboard"},
    {"sref", "--sref"},
    {"sourceUrl", "--source-url"},
    {"parentImageId", "--parent"},
    {"genre", "--genre"},
    {"style", "--style"},
    {"shot", "--shot"},
};

const std::map<std::string, pindeck::AiStatus> ai_statuses{
    {"queued", pindeck::AiStatus::queued},
    {"processing", pindeck::AiStatus::processing},
    {"completed", pindeck::AiStatus::completed},
    {"failed", pindeck::AiStatus::failed}};

// The library's refusal ("projectOrder: must not be negative (got -1)", "tags[1]: must not be
// an empty string") told in terms of the option the user typed.
CLI::ValidationError refusal_naming_option(const pindeck::Error& refusal) {
  const std::string_view message = refusal.what();
  const auto field = message.substr(0, message.find_first_of(":["));
  const auto option = option_of_field.find(field);
  if (option == option_of_field.end()) return CLI::ValidationError(std::string(message));
  auto problem = message.substr(message.find(':') + 1);
  while (problem.starts_with(' ')) problem.remove_prefix(1);
  // "tags[1]: ..." is about one tag, "tags: ..." about the list.
  if (field == "tags" && message[field.size()] == '[') {
    return CLI::ValidationError(option->second, "every tag " + std::string(problem));
  }
  return CLI::ValidationError(option->second, std::string(problem));
}

}  // namespace

void add_record_options(CLI::App& command, RecordOptions& options) {
  command.add_option("--title", options.title, "title of every image (default: its file name)");
  command.add_option("--description", options.description, "free text, found by search");
  command.add_option("--category", options.category, "category (default: General)");
  command.add_option("--tags", options.tags, "comma-separated tags")->delimiter(',');
  command.add_option("--tag", options.tag, "a tag (give it once per tag)");
  command.add_option("--group", options.group, "group name");
  command.add_option("--project", options.project, "project name");
  command.add_option("--project-order", options.project_order, "position in the project row");
  command.add_option("--moodboard", options.moodboard, "moodboard name");
  command.add_option("--sref", options.sref, "style reference (e.g. a Midjourney --sref code)");
  command.add_option("--source-url", options.source_url, "where the image came from");
  command.add_option("--parent", options.parent,
                     "id of the record each image is a variation of (its parentImageId)");
  command.add_option("--genre", options.genre, "genre (e.g. Noir, Sci-Fi)");
  command.add_option("--style", options.style, "visual style or medium (e.g. 35mm Film, VHS)");
  command.add_option("--shot", options.shot, "shot (e.g. Medium Shot, OTS)");
  command
      .add_option("--ai-status", options.ai_status,
                  "state of the vision model's analysis: queued, processing, completed or failed")
      ->check(CLI::IsMember(ai_statuses));
  // The record's own rules decide (one owner for them), applied to the metadata alone before the
  // first file is read.
  command.callback([&options] {
    try {
      pindeck::record_from_json(pindeck::record_to_json(metadata_from(options)));
    } catch (const pindeck::Error& refusal) {
      throw refusal_naming_option(refusal);
    }
  });
}

pindeck::Record metadata_from(const RecordOptions& options) {
  pindeck::Record metadata;
  if (options.title) metadata.title = *options.title;
  metadata.description = options.description;
  if (options.category) metadata.category = *options.category;
  metadata.tags = options.tags;
  metadata.tags.insert(metadata.tags.end(), options.tag.begin(), options.tag.end());
  metadata.group = options.group;
  metadata.project_name = options.project;
  metadata.project_order = options.project_order;
  metadata.moodboard_name = options.moodboard;
  metadata.sref = options.sref;
  metadata.source_url = options.source_url;
  metadata.parent_image_id = options.parent;
  metadata.genre = options.genre;
  metadata.style = options.style;
  metadata.shot = options.shot;
  if (options.ai_status) metadata.ai_status = ai_statuses.at(*options.ai_status);
  return metadata;
}

}  // namespace pindeck_cli
