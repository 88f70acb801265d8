/// \file The caching device allocator: cuMemAlloc is slow (it may synchronise
/// the device), so freed blocks go back to free lists by size class (powers
/// of two from 256 bytes) and the next request of that class reuses one. A
/// block is returned to the driver only when the cached total passes
/// kMaxCachedBytes. Thread-safe. Throws hp::Error without a GPU.
#pragma once

#include <cstddef>
#include <memory>

#include "runtime/cuda/driver.hpp"

namespace hypatia::cuda {

/// A block of device memory; back on its free list when the last reference goes.
class DeviceBlock {
 public:
  DeviceBlock(DevicePtr ptr, std::size_t size_class) : ptr_(ptr), size_class_(size_class) {}
  ~DeviceBlock();
  DeviceBlock(const DeviceBlock&) = delete;
  DeviceBlock& operator=(const DeviceBlock&) = delete;
  DevicePtr ptr() const { return ptr_; }
  std::size_t bytes() const { return size_class_; }

 private:
  DevicePtr ptr_;
  std::size_t size_class_;
};

/// At least `bytes` of device memory (256-byte aligned, as cuMemAlloc's).
std::shared_ptr<DeviceBlock> device_alloc(std::size_t bytes);

/// The size class of a request: the next power of two, at least 256.
std::size_t size_class_of(std::size_t bytes);

/// Bytes held in free lists now (for tests and statistics).
std::size_t cached_device_bytes();

inline constexpr std::size_t kMaxCachedBytes = std::size_t{1} << 31;

}  // namespace hypatia::cuda
