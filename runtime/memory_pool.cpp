/// \file hp::Storage (hypatia/array.hpp): the aligned memory every Array holds,
/// and the memory pool that recycles large blocks (BlockCache) so that a
/// program computing big arrays again and again does not pay the operating
/// system's page faults on every call.
#include "hypatia/array.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "hypatia/error.hpp"

namespace hypatia {
namespace {

constexpr std::size_t kAlignment = 64;
/// 256 TiB: more than any machine's memory and than x86-64's 128 TiB user
/// address space. Refusing larger requests up front gives the same hp::Error
/// whatever the overcommit setting, and under sanitizers that abort on them.
constexpr std::size_t kMaxBytes = std::size_t{1} << 48;

/// Freed blocks of at least kCachedMin bytes wait here, up to kCacheCap bytes
/// in all, for a later allocation of about their size: reusing them costs a
/// memset at most, while fresh memory from the OS costs a page fault per
/// page (measured: 30-70 ms for 64 MiB on this class of machine). When a
/// freed block does not fit, the blocks freed longest ago make room: a
/// program calling its functions in a loop frees and allocates the same
/// sizes again and again, and those must stay cached even after other sizes
/// (an earlier phase, another function) filled the cache.
class BlockCache {
 public:
  static constexpr std::size_t kCachedMin = std::size_t{1} << 16;
  static constexpr std::size_t kCacheCap = std::size_t{512} << 20;

  /// A cached block of at least `bytes` and at most 25 % more, or null.
  std::pair<void*, std::size_t> take(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    auto it = by_size_.lower_bound(bytes);
    if (it == by_size_.end() || it->first > bytes + bytes / 4) return {nullptr, 0};
    const auto [size, stamp] = *it;
    void* block = by_age_.at(stamp).block;
    by_age_.erase(stamp);
    by_size_.erase(it);
    total_ -= size;
    return {block, size};
  }

  /// Keeps the block, freeing the oldest ones if needed; false (the caller
  /// frees it) for a block larger than the whole cache.
  bool give(void* block, std::size_t bytes) {
    std::vector<void*> evicted;
    {
      std::lock_guard lock(mutex_);
      if (bytes > kCacheCap) return false;
      while (total_ + bytes > kCacheCap) {
        auto oldest = by_age_.begin();
        evicted.push_back(oldest->second.block);
        total_ -= oldest->second.by_size->first;
        by_size_.erase(oldest->second.by_size);
        by_age_.erase(oldest);
      }
      const std::uint64_t stamp = next_stamp_++;
      by_age_.emplace(stamp, Entry{block, by_size_.emplace(bytes, stamp)});
      total_ += bytes;
    }
    for (void* p : evicted) std::free(p);  // outside the lock
    return true;
  }

 private:
  using BySize = std::multimap<std::size_t, std::uint64_t>;  ///< size -> stamp
  struct Entry {
    void* block;
    BySize::iterator by_size;
  };
  std::mutex mutex_;
  BySize by_size_;
  std::map<std::uint64_t, Entry> by_age_;  ///< stamp (order of giving) -> block
  std::uint64_t next_stamp_ = 0;
  std::size_t total_ = 0;
};

BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;  // never destroyed: Storage may outlive statics
  return *cache;
}

}  // namespace

// calloc rather than aligned_alloc + memset: large fresh blocks come from
// mmap already zeroed (numpy's zeros does the same). calloc takes no
// alignment, so we over-allocate by kAlignment and align inside the block.
Storage::Storage(std::size_t nbytes, Init init) : nbytes_(nbytes) {
  const auto cannot = [nbytes] {
    throw Error("hp::Array: cannot allocate " + std::to_string(nbytes) + " bytes");
  };
  if (nbytes > kMaxBytes) cannot();
  const std::size_t wanted = nbytes + kAlignment;
  bool zeroed = false;
  if (wanted >= BlockCache::kCachedMin) std::tie(block_, capacity_) = block_cache().take(wanted);
  if (block_ == nullptr) {
    block_ = init == Init::Zero ? std::calloc(wanted, 1) : std::malloc(wanted);
    capacity_ = wanted;
    zeroed = init == Init::Zero;
  }
  if (block_ == nullptr) cannot();
  const auto start = reinterpret_cast<std::uintptr_t>(block_);
  const auto aligned = (start + kAlignment - 1) & ~static_cast<std::uintptr_t>(kAlignment - 1);
  data_ = reinterpret_cast<void*>(aligned);
  if (init == Init::Zero && !zeroed) std::memset(data_, 0, nbytes);
}

Storage::~Storage() {
  if (capacity_ >= BlockCache::kCachedMin && block_cache().give(block_, capacity_)) return;
  std::free(block_);
}

}  // namespace hypatia
