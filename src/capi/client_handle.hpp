// SPDX-License-Identifier: Apache-2.0
// What a pd_client handle is, shared by the C ABI's files that take one.
#pragma once

#include "pindeck/client.hpp"

struct pd_client {
  pindeck::Client client;
};
