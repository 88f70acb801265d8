/// \file The runtime services generated CPU code calls (declared for it in
/// codegen_templates/abi.h): outputs, scratch memory, threads, BLAS, copies,
/// and the reference implementation of ops without generated code.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "hypatia/array.hpp"
#include "runtime/cpu/jit.hpp"

/// Mirrors `struct hp_tensor` of abi.h.
struct hp_tensor {
  void* data;
  std::int64_t ndim;
  std::int64_t shape[8];
  std::int64_t strides[8];
};

namespace hypatia {

inline constexpr int kMaxCompiledRank = 8;

/// A call's scratch memory: bump allocation, plus reuse of what generated
/// code releases when a value's last reader has run (the memory plan). After
/// a call, reset() keeps one block as large as the call needed at its peak,
/// so later calls do not allocate.
class Arena {
 public:
  void* allocate(std::size_t nbytes);
  /// `p` (from allocate) is free for a later allocate of this call.
  void release(void* p);
  void reset();

 private:
  std::vector<std::unique_ptr<Storage>> blocks_;
  std::size_t used_ = 0;
  std::size_t total_ = 0;
  std::unordered_map<void*, std::size_t> live_;  ///< allocation -> its size
  std::multimap<std::size_t, void*> free_;       ///< released allocations by size
};

/// hp_tensor describing an Array (no copy).
hp_tensor tensor_of(const Array& a);
/// A new Array holding a copy of `t`'s elements.
Array array_of(const hp_tensor& t, DType dtype);

/// Runs a node's reference implementation for generated code: inputs as
/// Arrays, the result as an Array kept alive by the call.
using PerformNode = std::function<Array(std::int64_t node, const std::vector<Array>& inputs)>;

}  // namespace hypatia

/// The state of one call of generated code (opaque to it).
struct hp_context {
  /// The program's (not copied: a call must not allocate for them).
  const std::vector<hypatia::DType>* output_dtypes = nullptr;
  std::vector<hypatia::Array> outputs;
  hypatia::Arena* arena = nullptr;
  const std::vector<std::vector<hypatia::DType>>* node_input_dtypes = nullptr;
  const hypatia::PerformNode* perform = nullptr;
  std::vector<hypatia::Array> keep_alive;
  std::string error;
  /// Profiling: seconds per node, measured between hp_node_done calls.
  std::vector<double> node_seconds;
  std::chrono::steady_clock::time_point last_tick;
};

// The entry points generated code calls, as declared in codegen_templates/abi.h.
extern "C" {
void* hp_output(hp_context* ctx, std::int64_t index, std::int64_t ndim, const std::int64_t* shape);
int hp_output_copy(hp_context* ctx, std::int64_t index, const hp_tensor* value);
void* hp_temp(hp_context* ctx, std::int64_t nbytes);
void hp_parallel_for(hp_context* ctx, std::int64_t n, void (*body)(void*, std::int64_t, std::int64_t),
                     void* closure);
int hp_elementwise(hp_context* ctx, const hp_tensor* out, int out_size, const hp_tensor* const* operands,
                   const int* sizes, void** const* slots, int n, int out_read,
                   void (*body)(void*, std::int64_t, std::int64_t), void* args);
int hp_elementwise_outputs(hp_context* ctx, const hp_tensor* const* outs, const int* out_sizes, int n_outs,
                           const hp_tensor* const* operands, const int* sizes, void** const* slots, int n,
                           int out_read, void (*body)(void*, std::int64_t, std::int64_t), void* args);
int hp_dot(hp_context* ctx, int dtype, const hp_tensor* a, const hp_tensor* b, hp_tensor* out);
int hp_gemm(hp_context* ctx, int dtype, double alpha, const hp_tensor* a, const hp_tensor* b, hp_tensor* out);
void hp_copy(const hp_tensor* src, int src_dtype, hp_tensor* dst, int dst_dtype);
int hp_perform(hp_context* ctx, std::int64_t node, const hp_tensor* inputs, std::int64_t n_inputs,
               hp_tensor* out);
void hp_node_done(hp_context* ctx, std::int64_t node);
void hp_temp_release(hp_context* ctx, void* p);
// runtime/cpu/sort_lines.cpp
int hp_sort(hp_context* ctx, int dtype, const hp_tensor* x, std::int64_t axis, hp_tensor* out, int argsort);
int hp_searchsorted(hp_context* ctx, int a_dtype, const hp_tensor* a, int v_dtype, const hp_tensor* v,
                    hp_tensor* out, int right);
}

namespace hypatia {

/// The runtime entry points, for the JIT to link generated code against.
std::vector<jit::HostSymbol> runtime_symbols();

}  // namespace hypatia
