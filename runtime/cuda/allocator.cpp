#include "runtime/cuda/allocator.hpp"

#include <map>
#include <mutex>
#include <vector>

namespace hypatia::cuda {
namespace {

struct FreeLists {
  std::mutex mutex;
  std::map<std::size_t, std::vector<DevicePtr>> blocks;  ///< size class -> free blocks
  std::size_t cached = 0;
};

FreeLists& free_lists() {
  static FreeLists* lists = new FreeLists;  // never destroyed: blocks may be freed at exit
  return *lists;
}

}  // namespace

std::size_t size_class_of(std::size_t bytes) {
  std::size_t size = 256;
  while (size < bytes) size *= 2;
  return size;
}

std::shared_ptr<DeviceBlock> device_alloc(std::size_t bytes) {
  const std::size_t size = size_class_of(bytes);
  FreeLists& lists = free_lists();
  {
    std::lock_guard lock(lists.mutex);
    auto it = lists.blocks.find(size);
    if (it != lists.blocks.end() && !it->second.empty()) {
      const DevicePtr p = it->second.back();
      it->second.pop_back();
      lists.cached -= size;
      return std::make_shared<DeviceBlock>(p, size);
    }
  }
  return std::make_shared<DeviceBlock>(allocate(size), size);
}

DeviceBlock::~DeviceBlock() {
  FreeLists& lists = free_lists();
  std::lock_guard lock(lists.mutex);
  if (lists.cached + size_class_ > kMaxCachedBytes) {
    cuda::free(ptr_);
    return;
  }
  lists.blocks[size_class_].push_back(ptr_);
  lists.cached += size_class_;
}

std::size_t cached_device_bytes() {
  FreeLists& lists = free_lists();
  std::lock_guard lock(lists.mutex);
  return lists.cached;
}

}  // namespace hypatia::cuda
