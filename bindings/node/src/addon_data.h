// SPDX-License-Identifier: Apache-2.0
// What the addon keeps per Node environment (main thread or worker thread).
#ifndef PINDECK_NODE_ADDON_DATA_H
#define PINDECK_NODE_ADDON_DATA_H

#include <napi.h>

namespace pindeck_node {

struct AddonData {
  // (code, message, detailsJson) => PindeckError, registered by lib/index.js so that the class
  // users catch is a JavaScript class.
  Napi::FunctionReference error_factory;
};

inline AddonData& addon_data(Napi::Env env) {
  return *env.GetInstanceData<AddonData>();
}

}  // namespace pindeck_node

#endif
