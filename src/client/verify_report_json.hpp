// SPDX-License-Identifier: Apache-2.0
// The JSON form of a verify report (pindeck::verify_report_to_json), and its reading back, which
// the saved position of an interrupted verify needs (DESIGN §6.9).
#pragma once

#include <nlohmann/json.hpp>

#include "pindeck/verify.hpp"

namespace pindeck::client {

nlohmann::json verify_report_json(const VerifyReport& report);
// Throws Error(Errc::invalid) naming what is wrong.
VerifyReport verify_report_from_json(const nlohmann::json& json);

}  // namespace pindeck::client
