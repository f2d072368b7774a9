// SPDX-License-Identifier: Apache-2.0
#include "media/decode_budget.hpp"

namespace pindeck::media {

DecodeBudget::Lease DecodeBudget::acquire(std::uint64_t bytes) {
  if (bytes > 0) {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] { return in_use_ == 0 || in_use_ + bytes <= capacity_; });
    in_use_ += bytes;
  }
  return Lease(*this, bytes);
}

void DecodeBudget::release(std::uint64_t bytes) {
  if (bytes == 0) return;
  {
    std::lock_guard lock(mutex_);
    in_use_ -= bytes;
  }
  freed_.notify_all();
}

std::uint64_t DecodeBudget::in_use() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

DecodeBudget& DecodeBudget::process() {
  static DecodeBudget budget(std::uint64_t{128} << 20);
  return budget;
}

void DecodeBudget::set_capacity(std::uint64_t capacity_bytes) {
  {
    std::lock_guard lock(mutex_);
    capacity_ = capacity_bytes;
  }
  freed_.notify_all();
}

}  // namespace pindeck::media
