#include "pipeline/object_store.hpp"

#include "media/object_key.hpp"

namespace pindeck::pipeline {

void check_object_key(std::string_view key) {
  media::validate_object_key(key);
}

}  // namespace pindeck::pipeline
