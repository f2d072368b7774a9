// SPDX-License-Identifier: Apache-2.0
#include "catalog/failure_kinds.hpp"

#include <string>

#include "pindeck/error.hpp"

namespace pindeck::catalog {

std::string_view failure_kind_text(FailureKind kind) {
  switch (kind) {
    case FailureKind::transient: return "transient";
    case FailureKind::permanent: return "permanent";
    case FailureKind::configuration: return "configuration";
  }
  throw Error(Errc::internal, "unknown failure kind");
}

FailureKind failure_kind_from_text(std::string_view text) {
  for (auto kind : {FailureKind::transient, FailureKind::permanent, FailureKind::configuration}) {
    if (failure_kind_text(kind) == text) return kind;
  }
  throw Error(Errc::database,
              "persist job with an unknown failure kind '" + std::string(text) + "'");
}

}  // namespace pindeck::catalog
