// SPDX-License-Identifier: Apache-2.0
// probe, derive and palette: CPU work with no asynchronous C form, run on the libuv pool as sharp
// runs its own.
#ifndef PINDECK_NODE_MEDIA_H
#define PINDECK_NODE_MEDIA_H

#include <napi.h>

namespace pindeck_node {

// probe(pathOrBytes) -> Promise<probe JSON text>
Napi::Value probe(const Napi::CallbackInfo& info);
// derive(pathOrBytes, optionsJson|null) -> Promise<{json, outputs: [Buffer, ...]}>
Napi::Value derive(const Napi::CallbackInfo& info);
// palette(bytes) -> Promise<colours JSON text>
Napi::Value palette(const Napi::CallbackInfo& info);

}  // namespace pindeck_node

#endif
