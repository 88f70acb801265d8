#include "runtime/cpu/blocked_elementwise.hpp"

#include <array>
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
    : BlockedElementwise(std::array<const hp_tensor*, 1>{&out}.data(), &out_size, 1, operands, sizes, n) {}

BlockedElementwise::BlockedElementwise(const hp_tensor* const* outs, const int* out_sizes, int n_outs,
                                       const hp_tensor* const* operands, const int* sizes, int n)
    : ndim_(outs[0]->ndim), total_(element_count(*outs[0])), outputs_(static_cast<std::size_t>(n_outs)) {
  for (std::int64_t a = 0; a < ndim_; ++a) shape_[a] = outs[0]->shape[a];
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
  for (int k = 0; k < n_outs; ++k) streams_.push_back(stream_of(*outs[k], out_sizes[k]));
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
  const std::size_t first_out = streams - outputs_;
  std::int64_t index[8] = {};
  for (std::int64_t start = 0; start < total_; start += kBlock) {
    const std::int64_t count = std::min(kBlock, total_ - start);
    std::int64_t rest = start;
    for (std::int64_t a = ndim_ - 1; a >= 0; --a) {
      index[a] = rest % shape_[a];
      rest /= shape_[a];
    }
    for (std::size_t j = 0; j < first_out; ++j) move(streams_[j], index, count, buffer(j), true);
    if (out_read) {
      for (std::size_t j = first_out; j < streams; ++j) move(streams_[j], index, count, buffer(j), true);
    }
    body(args, 0, count);
    for (std::size_t j = first_out; j < streams; ++j) move(streams_[j], index, count, buffer(j), false);
  }
}

}  // namespace hypatia
