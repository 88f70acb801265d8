/// \file The general path of generated elementwise loops: operands that are
/// strided views or broadcast along some axes.
///
/// Generated code writes each elementwise loop once, as a flat function over
/// contiguous arrays of the output's shape (which Clang vectorises). When the
/// operands are not like that, the runtime gathers each operand's elements
/// for a block of the output (in C order) into contiguous buffers, runs the
/// same flat function on them, and scatters the results into the output.
/// So no strided copy of a loop body (and of the math it inlines) is
/// compiled: it used to double the compile time of every elementwise op.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/cpu/services.hpp"

namespace hypatia {

/// Elements from which generated flat loops are split across threads (HP_PARALLEL_MIN of abi.h).
inline constexpr std::int64_t kParallelMinElements = 32768;

std::int64_t element_count(const hp_tensor& t);
bool is_contiguous(const hp_tensor& t);
bool same_shape(const hp_tensor& a, const hp_tensor& b);

class BlockedElementwise {
 public:
  /// Operands of rank at most out's, aligned to its trailing axes; an axis of
  /// size 1 (or missing) is broadcast. `sizes`: bytes per element.
  BlockedElementwise(const hp_tensor& out, int out_size, const hp_tensor* const* operands, const int* sizes, int n);
  /// Several outputs of one shape (a multi-output fused loop), outs[0]'s shape
  /// the loop's; `out_sizes`: their bytes per element.
  BlockedElementwise(const hp_tensor* const* outs, const int* out_sizes, int n_outs, const hp_tensor* const* operands,
                     const int* sizes, int n);

  /// Runs `body` block by block (see the file comment). `slots[j]` is where
  /// the body's arguments hold operand j's pointer, slots[n + k] output k's.
  /// `out_read`: the body reads the outputs too (gathered before it runs).
  void run(void** const* slots, bool out_read, void (*body)(void*, std::int64_t, std::int64_t), void* args);

  /// Elements per block: small enough that every buffer stays in L1/L2.
  static constexpr std::int64_t kBlock = 512;

 private:
  struct Stream {
    char* data;
    int size;
    std::int64_t strides[8];  ///< bytes, per output axis; 0 where broadcast
  };
  /// Copies `count` elements from the position `index` of the output into
  /// `buffer` (gather) or back (scatter).
  void move(const Stream& stream, const std::int64_t* index, std::int64_t count, char* buffer, bool gather) const;

  std::int64_t ndim_;
  std::int64_t shape_[8];
  std::int64_t total_;
  std::vector<Stream> streams_;  ///< the operands, then the outputs
  std::size_t outputs_ = 1;
};

}  // namespace hypatia
