// SPDX-License-Identifier: Apache-2.0
// A process-wide bound on the memory of decodes that must hold a whole image at once (progressive
// JPEG keeps every DCT coefficient, interlaced PNG every pixel, however small the output). Such
// decodes wait for each other instead of stacking up: two 5120x2880 progressive JPEGs at once
// would otherwise need ~180 MiB for coefficients alone.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace pindeck::media {

class DecodeBudget {
 public:
  explicit DecodeBudget(std::uint64_t capacity_bytes) : capacity_(capacity_bytes) {}
  DecodeBudget(const DecodeBudget&) = delete;
  DecodeBudget& operator=(const DecodeBudget&) = delete;

  // Holds `bytes` of the budget until destroyed.
  class Lease {
   public:
    Lease(DecodeBudget& budget, std::uint64_t bytes) : budget_(&budget), bytes_(bytes) {}
    Lease(Lease&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) {
      other.budget_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (budget_ != nullptr) budget_->release(bytes_);
    }

   private:
    DecodeBudget* budget_;
    std::uint64_t bytes_;
  };

  // Waits until `bytes` fit next to what is in flight. A request of 0 never waits; one larger
  // than the whole capacity waits until nothing else is in flight, then goes alone.
  Lease acquire(std::uint64_t bytes);

  std::uint64_t in_use() const;

  // The budget derive() uses; 128 MiB unless changed with set_capacity().
  static DecodeBudget& process();
  void set_capacity(std::uint64_t capacity_bytes);

 private:
  void release(std::uint64_t bytes);

  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::uint64_t capacity_;
  std::uint64_t in_use_ = 0;
};

}  // namespace pindeck::media
