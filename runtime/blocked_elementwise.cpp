#include "runtime/blocked_elementwise.hpp"

#include <cstring>

namespace hypatia {

std::int64_t element_count(const hp_tensor& t) {
  std::int64_t n = 1;
  for (std::int64_t a = 0; a < t.ndim; ++a) n *= t.shape[a];
  return n;
}

bool is_contiguous(const hp_tensor& t) {
  std::int64_t expected = 1;
  for (std::int64_t a = t.ndim - 1; a >= 0; --a) {
    if (t.shape[a] != 1 && t.strides[a] != expected) return false;
    expected *= t.shape[a];
  }
  return true;
}

bool same_shape(const hp_tensor& a, const hp_tensor& b) {
  if (a.ndim != b.ndim) return false;
  for (std::int64_t i = 0; i < a.ndim; ++i) {
    if (a.shape[i] != b.shape[i]) return false;
  }
  return true;
}

BlockedElementwise::BlockedElementwise(const hp_tensor& out, int out_size, const hp_tensor* const* operands,
                                       const int* sizes, int n)
    : ndim_(out.ndim), total_(element_count(out)) {
  for (std::int64_t a = 0; a < ndim_; ++a) shape_[a] = out.shape[a];
  auto stream_of = [&](const hp_tensor& t, int size) {
    Stream s{static_cast<char*>(t.data), size, {}};
    const std::int64_t skip = ndim_ - t.ndim;  // missing leading axes: broadcast
    for (std::int64_t a = 0; a < ndim_; ++a) {
      const std::int64_t own = a - skip;
      const bool broadcast = own < 0 || (t.shape[own] == 1 && shape_[a] != 1);
      s.strides[a] = broadcast ? 0 : t.strides[own] * size;
    }
    return s;
  };
  for (int j = 0; j < n; ++j) streams_.push_back(stream_of(*operands[j], sizes[j]));
  streams_.push_back(stream_of(out, out_size));
}

void BlockedElementwise::move(const Stream& stream, const std::int64_t* index, std::int64_t count, char* buffer,
                              bool gather) const {
  if (ndim_ == 0) {
    if (gather) std::memcpy(buffer, stream.data, static_cast<std::size_t>(stream.size));
    else std::memcpy(stream.data, buffer, static_cast<std::size_t>(stream.size));
    return;
  }
  std::int64_t at[8];
  std::int64_t offset = 0;
  for (std::int64_t a = 0; a < ndim_; ++a) {
    at[a] = index[a];
    offset += at[a] * stream.strides[a];
  }
  const std::int64_t last = ndim_ - 1;
  const std::int64_t inner_stride = stream.strides[last];
  const auto size = static_cast<std::size_t>(stream.size);
  std::int64_t done = 0;
  while (done < count) {
    // A run along the last axis, then carry into the outer axes.
    const std::int64_t run = std::min(count - done, shape_[last] - at[last]);
    char* p = stream.data + offset;
    char* b = buffer + done * stream.size;
    for (std::int64_t i = 0; i < run; ++i, p += inner_stride, b += stream.size) {
      if (gather) std::memcpy(b, p, size);
      else std::memcpy(p, b, size);
    }
    done += run;
    offset += run * inner_stride;
    at[last] += run;
    for (std::int64_t a = last; a > 0 && at[a] == shape_[a]; --a) {
      offset -= at[a] * stream.strides[a];
      at[a] = 0;
      ++at[a - 1];
      offset += stream.strides[a - 1];
    }
  }
}

void BlockedElementwise::run(void** const* slots, bool out_read, void (*body)(void*, std::int64_t, std::int64_t),
                             void* args) {
  if (total_ == 0) return;
  const std::size_t streams = streams_.size();
  std::vector<char> buffers;
  std::vector<std::size_t> offsets(streams);
  for (std::size_t j = 0; j < streams; ++j) {
    offsets[j] = buffers.size();
    // 64-byte aligned starts: the body's loads and stores vectorise well.
    buffers.resize(buffers.size() + ((kBlock * streams_[j].size + 63) / 64) * 64 + 64);
  }
  auto buffer = [&](std::size_t j) {
    auto address = reinterpret_cast<std::uintptr_t>(buffers.data() + offsets[j]);
    return reinterpret_cast<char*>((address + 63) & ~std::uintptr_t{63});
  };
  for (std::size_t j = 0; j < streams; ++j) *slots[j] = buffer(j);
  const Stream& out = streams_.back();
  std::int64_t index[8] = {};
  for (std::int64_t start = 0; start < total_; start += kBlock) {
    const std::int64_t count = std::min(kBlock, total_ - start);
    std::int64_t rest = start;
    for (std::int64_t a = ndim_ - 1; a >= 0; --a) {
      index[a] = rest % shape_[a];
      rest /= shape_[a];
    }
    for (std::size_t j = 0; j + 1 < streams; ++j) move(streams_[j], index, count, buffer(j), true);
    if (out_read) move(out, index, count, buffer(streams - 1), true);
    body(args, 0, count);
    move(out, index, count, buffer(streams - 1), false);
  }
}

}  // namespace hypatia
