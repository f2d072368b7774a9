// SPDX-License-Identifier: Apache-2.0
// The one exception type of the C++ API. Its code maps one to one onto the C ABI's pd_status.
#pragma once

#include <stdexcept>
#include <string>

#include "pindeck/export.h"
#include "pindeck/pindeck.h"

namespace pindeck {

enum class Errc {
  invalid = PD_ERR_INVALID,
  not_found = PD_ERR_NOT_FOUND,
  conflict = PD_ERR_CONFLICT,
  io = PD_ERR_IO,
  database = PD_ERR_DATABASE,
  media = PD_ERR_MEDIA,
  network = PD_ERR_NETWORK,
  s3 = PD_ERR_S3,
  nomem = PD_ERR_NOMEM,
  internal = PD_ERR_INTERNAL,
  closed = PD_ERR_CLOSED,
  misuse = PD_ERR_MISUSE,
};

class PD_EXPORT Error : public std::runtime_error {
 public:
  Error(Errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Errc code() const noexcept { return code_; }

 private:
  Errc code_;
};

}  // namespace pindeck
