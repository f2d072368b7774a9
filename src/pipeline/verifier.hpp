// SPDX-License-Identifier: Apache-2.0
// Checks the objects of persisted records against what the records say, and rebuilds what is
// missing or damaged (DESIGN §6.9). Requests go to the object store asynchronously (the S3
// client's event loop, the local store's I/O threads), at most `max_in_flight` at a time; what
// comes back is judged on the calling thread, so memory holds at most that many objects.
//
// What is checked: the original with a HEAD (exists, size = byteSize, content type = contentType);
// the preview and the derivatives with a GET (exists, content type of the key's extension, the
// bytes are a whole image of that format, as wide as the record's width or the derivative's
// target width when that is smaller).
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "pindeck/record.hpp"
#include "pindeck/verify.hpp"
#include "pipeline/object_store.hpp"
#include "staging/store.hpp"

namespace pindeck::pipeline {

class Verifier {
 public:
  // `work_dir` holds the temporary copy of an original a repair derives from.
  Verifier(ObjectStore& store, staging::Store& staging, std::filesystem::path work_dir,
           int max_in_flight, bool repair);

  // Checks every object of `records` (all persisted to this store) and, when repairing, puts
  // right what it can; returns what was found, in the order of `records`, and adds the objects
  // checked to `objects_checked`. A store that cannot be asked (the network, a refusal) throws
  // once every request started has ended.
  std::vector<VerifyFinding> check(const std::vector<Record>& records,
                                   std::size_t& objects_checked);

 private:
  void repair(const Record& record, std::vector<VerifyFinding*>& findings);

  ObjectStore& store_;
  staging::Store& staging_;
  std::filesystem::path work_dir_;
  int max_in_flight_;
  bool repair_;
};

}  // namespace pindeck::pipeline
