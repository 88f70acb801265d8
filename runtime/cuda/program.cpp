#include "runtime/cuda/program.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "runtime/cuda/allocator.hpp"
#include "runtime/cuda/blas.hpp"
#include "runtime/cuda/driver.hpp"
#include "runtime/shapes.hpp"

namespace hypatia::cuda {
namespace {

/// A value of one call on the device: contiguous, `data` at element 0.
struct DeviceTensor {
  std::shared_ptr<DeviceBlock> block;
  DevicePtr data = 0;
  Shape shape;
  DType dtype = DType::Float64;

  std::int64_t size() const {
    std::int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
  std::size_t bytes() const { return static_cast<std::size_t>(size()) * dtype_size(dtype); }
};

/// codegen_templates/cuda_abi.h's hp_cuda_tensor, as a kernel parameter.
struct KernelTensor {
  DevicePtr data = 0;
  std::int64_t ndim = 0;
  std::int64_t shape[kMaxRank] = {};
  std::int64_t strides[kMaxRank] = {};
};
static_assert(sizeof(KernelTensor) == 144, "hp_cuda_tensor's layout");

DeviceTensor device_empty(const Shape& shape, DType dtype) {
  DeviceTensor t;
  t.shape = shape;
  t.dtype = dtype;
  t.block = device_alloc(std::max<std::size_t>(t.bytes(), 1));
  t.data = t.block->ptr();
  return t;
}

DeviceTensor upload(const Array& value) {
  const Array host = value.contiguous();
  DeviceTensor t = device_empty(host.shape(), host.dtype());
  copy_to_device(t.data, host.raw_data(), t.bytes());
  return t;
}

Array download(const DeviceTensor& t) {
  Array host = Array::uninitialized(t.shape, t.dtype);
  copy_to_host(host.raw_data(), t.data, t.bytes());
  return host;
}

/// `t` seen with rank `ndim` and shape `shape` (its own shape aligned on the
/// right): stride 0 along missing leading axes and broadcast (size-1) axes.
KernelTensor aligned(const DeviceTensor& t, const Shape& shape) {
  KernelTensor k;
  k.data = t.data;
  k.ndim = static_cast<std::int64_t>(shape.size());
  const int pad = static_cast<int>(shape.size() - t.shape.size());
  std::int64_t stride = 1;
  for (int a = static_cast<int>(shape.size()) - 1; a >= 0; --a) {
    k.shape[a] = shape[a];
    const int own = a - pad;
    if (own < 0) continue;
    const bool broadcast = t.shape[own] == 1 && shape[a] != 1;
    k.strides[a] = broadcast ? 0 : stride;
    stride *= t.shape[own];
  }
  return k;
}

KernelTensor shape_only(const Shape& shape) {
  DeviceTensor none;
  none.shape = shape;
  return aligned(none, shape);
}

/// The broadcast shape of `values` aligned on the right (the type checks ran at compile time).
Shape broadcast(const std::vector<const DeviceTensor*>& values, int ndim) {
  Shape shape(ndim, 1);
  for (const DeviceTensor* t : values) {
    const int pad = ndim - static_cast<int>(t->shape.size());
    for (std::size_t i = 0; i < t->shape.size(); ++i) {
      if (t->shape[i] != 1) shape[pad + i] = t->shape[i];
    }
  }
  return shape;
}

std::int64_t product(const Shape& shape, const std::vector<int>& axes) {
  std::int64_t n = 1;
  for (int a : axes) n *= shape[a];
  return n;
}

unsigned blocks_for(std::int64_t work, std::int64_t per_block, int multiprocessors) {
  const std::int64_t wanted = (work + per_block - 1) / per_block;
  return static_cast<unsigned>(std::clamp<std::int64_t>(wanted, 1, std::int64_t{multiprocessors} * 32));
}

/// Kernel arguments: each value kept alive at a stable address until the launch.
class LaunchArgs {
 public:
  template <class T>
  void add(const T& value) {
    storage_.emplace_back(sizeof(T), '\0');
    std::memcpy(storage_.back().data(), &value, sizeof(T));
    pointers_.push_back(storage_.back().data());
  }
  void** get() { return pointers_.data(); }

 private:
  std::deque<std::string> storage_;
  std::vector<void*> pointers_;
};

class CudaProgram : public Program {
 public:
  CudaProgram(Plan plan, const std::string& cubin)
      : plan_(std::move(plan)), module_(std::make_shared<Module>(cubin)) {
    for (const PlanStep& step : plan_.steps) {
      for (const std::string& kernel : {step.kernel, step.finish_kernel}) {
        if (!kernel.empty() && !functions_.count(kernel)) functions_[kernel] = module_->function(kernel);
      }
    }
    for (const auto& [slot, value] : plan_.constants) constant_of_[slot] = &value;
  }

  std::vector<Array> run(const std::vector<Array>& inputs, std::vector<NodeProfile>* nodes) const override {
    if (nodes) {  // calls are counted; per-node times on the GPU are not measured yet
      if (nodes->empty()) *nodes = node_list();
      for (NodeProfile& node : *nodes) node.calls += 1;
    }
    std::vector<std::optional<DeviceTensor>> values(plan_.slots);
    for (std::size_t i = 0; i < plan_.inputs.size(); ++i) values[plan_.inputs[i]] = upload(inputs[i]);
    auto value_of = [&](int slot) -> const DeviceTensor& {
      if (!values[slot]) values[slot] = upload(*constant_of_.at(slot));  // a constant, uploaded when read
      return *values[slot];
    };
    DeviceTensor error_flag = upload(Array(Shape{}, DType::Int32));
    for (const PlanStep& step : plan_.steps) values[step.output] = run_step(step, value_of, error_flag.data);
    synchronize();
    if (download(error_flag).get_flat_int(0) != 0) {
      plan_.raise_error(inputs);
      throw Error("internal: a CUDA kernel reported an error the reference evaluator does not raise");
    }
    std::vector<Array> results;
    for (const int slot : plan_.outputs) {
      if (values[slot]) results.push_back(download(*values[slot]));
      else results.push_back(constant_of_.at(slot)->copy());
    }
    return results;
  }

  std::vector<NodeProfile> node_list() const override { return plan_.nodes; }

 private:
  template <class ValueOf>
  DeviceTensor run_step(const PlanStep& step, ValueOf& value_of, DevicePtr error) const {
    std::vector<const DeviceTensor*> operands;  // the kernel's tensor parameters, in order
    for (const int slot : step.operands) operands.push_back(&value_of(slot));
    switch (step.kind) {
      case PlanStep::Kind::Elementwise: return elementwise(step, operands, error);
      case PlanStep::Kind::Reduction: return reduction(step, operands, error);
      case PlanStep::Kind::Softmax: return softmax(step, *operands.at(0));
      case PlanStep::Kind::Lines: return lines(step, *operands.at(0));
      case PlanStep::Kind::Gather: return gather(step, operands, error);
      case PlanStep::Kind::Host: break;
    }
    if (step.is_dot && cublas_available()) {
      if (auto product = dot(step, *operands.at(0), *operands.at(1))) return *product;
    }
    // On the host: the step's reference computation (views, indexing, joins; dot without cuBLAS).
    std::vector<Array> host;
    for (const int slot : step.host_inputs) {
      const auto constant = constant_of_.find(slot);
      host.push_back(constant != constant_of_.end() ? *constant->second : download(value_of(slot)));
    }
    return upload(step.host(host));
  }

  /// dot through cuBLAS for float32/float64 operands of ranks 1 and 2 (a
  /// vector taken as one row on the left, one column on the right); nullopt
  /// for anything else (the host computes it).
  static std::optional<DeviceTensor> dot(const PlanStep& step, const DeviceTensor& a, const DeviceTensor& b) {
    const DType dtype = step.out_dtype;
    const bool floats = (dtype == DType::Float32 || dtype == DType::Float64) && a.dtype == dtype && b.dtype == dtype;
    if (!floats || a.shape.empty() || b.shape.empty() || a.shape.size() > 2 || b.shape.size() > 2) return std::nullopt;
    const std::int64_t m = a.shape.size() == 2 ? a.shape[0] : 1, k = a.shape.back();
    const std::int64_t n = b.shape.size() == 2 ? b.shape[1] : 1;
    if (b.shape[0] != k) {
      throw ShapeError(fmt::format("{}: shapes {} and {} are not aligned", step.label, shapes::str(a.shape),
                                   shapes::str(b.shape)));
    }
    Shape shape;
    if (a.shape.size() == 2) shape.push_back(m);
    if (b.shape.size() == 2) shape.push_back(n);
    DeviceTensor out = device_empty(shape, dtype);
    if (out.size() > 0) gemm(dtype, m, n, k, a.data, b.data, out.data);
    return out;
  }

  DeviceTensor elementwise(const PlanStep& step, const std::vector<const DeviceTensor*>& operands,
                           DevicePtr error) const {
    const Shape shape = broadcast(operands, step.out_ndim);
    DeviceTensor out = device_empty(shape, step.out_dtype);
    const std::int64_t n = out.size();
    if (n == 0) return out;
    bool flat = true, aligned_all = out.data % (4 * dtype_size(out.dtype)) == 0;
    for (const DeviceTensor* t : operands) {
      flat = flat && t->shape == shape;
      aligned_all = aligned_all && t->data % (4 * dtype_size(t->dtype)) == 0;
    }
    const int mode = !flat ? 0 : aligned_all ? 2 : 1;  // HP_STRIDED, HP_FLAT, HP_VECTOR
    LaunchArgs args;
    args.add(n);
    args.add(mode);
    args.add(error);
    args.add(aligned(out, shape));
    for (const DeviceTensor* t : operands) args.add(aligned(*t, shape));
    const int sms = device().multiprocessors;
    launch(functions_.at(step.kernel), {blocks_for(mode == 2 ? n / 4 + 1 : n, kBlockThreads, sms)}, {kBlockThreads},
           0, args.get());
    return out;
  }

  DeviceTensor reduction(const PlanStep& step, const std::vector<const DeviceTensor*>& operands,
                         DevicePtr error) const {
    const int value_ndim = static_cast<int>(step.kept_axes.size() + step.reduced_axes.size());
    const Shape value_shape = broadcast(operands, value_ndim);
    const std::int64_t m = product(value_shape, step.kept_axes), k = product(value_shape, step.reduced_axes);
    const bool keepdims = step.out_ndim == value_ndim;
    Shape out_shape;
    for (int a = 0; a < value_ndim; ++a) {
      const bool reduced = std::find(step.reduced_axes.begin(), step.reduced_axes.end(), a) != step.reduced_axes.end();
      if (!reduced) out_shape.push_back(value_shape[a]);
      else if (keepdims) out_shape.push_back(1);
    }
    DeviceTensor out = device_empty(out_shape, step.out_dtype);
    if (m == 0) return out;
    if (k == 0 && step.no_identity) {
      throw InvalidValueError(fmt::format("{}: zero-size reduction (value shape {}) has no identity", step.label,
                                          shapes::str(value_shape)));
    }
    const int sms = device().multiprocessors;
    // Few long rows: split each over `parts` blocks, then combine the partials.
    std::int64_t parts = 1;
    if (m < 2 * sms && k > 16384) parts = std::clamp<std::int64_t>(std::min((k + 8191) / 8192, 4 * sms / m), 1, 1024);
    const std::int64_t chunk = (k + parts - 1) / std::max<std::int64_t>(parts, 1);
    const auto partial = device_alloc(static_cast<std::size_t>(m * parts * step.partial_bytes));
    const unsigned rows = blocks_for(m, 1, sms);
    LaunchArgs args;
    args.add(m);
    args.add(k);
    args.add(chunk);
    args.add(error);
    args.add(partial->ptr());
    args.add(aligned(out, out_shape));
    args.add(shape_only(value_shape));
    for (const DeviceTensor* t : operands) args.add(aligned(*t, value_shape));
    launch(functions_.at(step.kernel), {rows, static_cast<unsigned>(parts)}, {kBlockThreads}, 0, args.get());
    if (parts > 1) {
      LaunchArgs finish;
      finish.add(m);
      finish.add(k);
      finish.add(static_cast<int>(parts));
      finish.add(partial->ptr());
      finish.add(aligned(out, out_shape));
      launch(functions_.at(step.finish_kernel), {rows}, {kBlockThreads}, 0, finish.get());
    }
    synchronize();  // the partials' block goes back to the free list
    return out;
  }

  /// x[idx]: the output's shape and the slices' first elements from the shapes
  /// (the index tensors' broadcast checked there), the indices read by the kernel.
  DeviceTensor gather(const PlanStep& step, const std::vector<const DeviceTensor*>& operands,
                      DevicePtr error) const {
    const DeviceTensor& x = *operands.at(0);
    std::vector<Shape> index_shapes;
    std::vector<const DeviceTensor*> index_tensors;
    std::size_t next = 1;
    for (const bool literal : step.literal_indices) {
      if (literal) {
        index_shapes.emplace_back();
        continue;
      }
      index_tensors.push_back(operands.at(next++));
      index_shapes.push_back(index_tensors.back()->shape);
    }
    const GatherGeometry shape = step.gather_shape(x.shape, index_shapes);
    DeviceTensor out = device_empty(shape.out, step.out_dtype);
    const std::int64_t n = out.size();
    if (n == 0) return out;
    LaunchArgs args;
    args.add(n);
    args.add(error);
    args.add(aligned(out, out.shape));
    args.add(aligned(x, x.shape));
    for (const std::int64_t first : shape.first) args.add(first);  // one per axis of x
    for (const DeviceTensor* t : index_tensors) args.add(aligned(*t, t->shape));
    launch(functions_.at(step.kernel), {blocks_for(n, kBlockThreads, device().multiprocessors)}, {kBlockThreads}, 0,
           args.get());
    return out;
  }

  /// Softmax: one block per row of the last axis.
  DeviceTensor softmax(const PlanStep& step, const DeviceTensor& in) const {
    return per_row(step, in, in.shape.back(), 1);
  }

  /// Lines: one thread per line along the step's axis.
  DeviceTensor lines(const PlanStep& step, const DeviceTensor& in) const {
    return per_row(step, in, in.shape.at(static_cast<std::size_t>(step.reduced_axes.at(0))), kBlockThreads);
  }

  /// out, of in's shape, from `kernel(rows, n, out, in)`: rows of length n,
  /// `rows_per_block` of them to a block of kBlockThreads threads.
  DeviceTensor per_row(const PlanStep& step, const DeviceTensor& in, std::int64_t n,
                       std::int64_t rows_per_block) const {
    DeviceTensor out = device_empty(in.shape, step.out_dtype);
    const std::int64_t rows = n == 0 ? 0 : in.size() / n;
    if (rows == 0) return out;
    LaunchArgs args;
    args.add(rows);
    args.add(n);
    args.add(aligned(out, in.shape));
    args.add(aligned(in, in.shape));
    launch(functions_.at(step.kernel), {blocks_for(rows, rows_per_block, device().multiprocessors)},
           {kBlockThreads}, 0, args.get());
    return out;
  }

  Plan plan_;
  std::unordered_map<int, const Array*> constant_of_;
  std::shared_ptr<Module> module_;
  std::unordered_map<std::string, void*> functions_;
};

}  // namespace

std::unique_ptr<Program> make_program(Plan plan, const std::string& cubin) {
  return std::make_unique<CudaProgram>(std::move(plan), cubin);
}

}  // namespace hypatia::cuda
