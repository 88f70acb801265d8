#include "compiler/pipeline/backend_cuda.hpp"

#include <unordered_map>

#include <fmt/format.h>

#include "compiler/codegen/cuda_codegen.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/advanced_subtensor.hpp"
#include "compiler/ops/dot.hpp"
#include "compiler/reference/evaluate.hpp"
#include "hypatia/print.hpp"
#include "runtime/cache.hpp"
#include "runtime/cuda/compile.hpp"
#include "runtime/cuda/driver.hpp"
#include "runtime/cuda/program.hpp"

namespace hypatia {
namespace {

bool fits_rank(const std::vector<std::shared_ptr<Apply>>& nodes) {
  for (const auto& node : nodes) {
    if (node->output().ndim() > cuda::kMaxRank) return false;
    for (const Var& in : node->inputs()) {
      if (in.ndim() > cuda::kMaxRank) return false;
    }
  }
  return true;
}

/// The executor's plan of `program`: every value of the graph numbered, each
/// step reading and writing slots, host steps and errors as functions of arrays.
cuda::Plan plan_of(const std::vector<Var>& inputs, const std::vector<Var>& outputs, const CudaProgramText& program) {
  cuda::Plan plan;
  std::unordered_map<const VarNode*, int> slots;
  auto slot_of = [&](const Var& v) {
    auto [it, fresh] = slots.emplace(v.node(), static_cast<int>(slots.size()));
    if (fresh && v.is_constant()) plan.constants.emplace_back(it->second, v.constant_value());
    return it->second;
  };
  for (const Var& in : inputs) plan.inputs.push_back(slot_of(in));
  for (const CudaStep& text : program.steps) {
    const std::shared_ptr<Apply> node = program.nodes[text.node];
    cuda::PlanStep step;
    step.kind = text.kind;
    step.kernel = text.kernel;
    step.finish_kernel = text.finish_kernel;
    step.kept_axes = text.kept_axes;
    step.reduced_axes = text.reduced_axes;
    step.partial_bytes = text.partial_bytes;
    step.no_identity = text.no_identity;
    for (std::size_t i = text.first_input; i < node->inputs().size(); ++i) {
      const Var& in = node->inputs()[i];
      if (!(in.is_constant() && in.ndim() == 0)) step.operands.push_back(slot_of(in));
    }
    for (std::size_t k = 1; k < node->inputs().size(); ++k) {
      const Var& in = node->inputs()[k];
      step.literal_indices.push_back(in.is_constant() && in.ndim() == 0);
    }
    for (const Var& in : node->inputs()) step.host_inputs.push_back(slot_of(in));
    step.output = slot_of(node->output());
    step.out_dtype = node->output().dtype();
    step.out_ndim = node->output().ndim();
    step.label = node_str(*node);
    step.is_dot = is_dot(node->op());
    step.host = [node](const std::vector<Array>& values) { return node->op().perform(*node, values); };
    if (text.kind == CudaStep::Kind::Gather) {
      step.gather_shape = [node](const Shape& x, const std::vector<Shape>& indices) {
        GatherShape shape = *gather_shape(*node, x, indices);
        return cuda::GatherGeometry{std::move(shape.out), std::move(shape.first)};
      };
    }
    plan.steps.push_back(std::move(step));
    plan.nodes.push_back({node->op().name(), pp_brief(node->output()), 0.0, 0});
  }
  for (const Var& out : outputs) plan.outputs.push_back(slot_of(out));
  plan.slots = slots.size();
  // The reference names the op and the value at fault.
  plan.raise_error = [inputs, outputs](const std::vector<Array>& values) {
    std::vector<std::pair<Var, Array>> givens;
    for (std::size_t i = 0; i < inputs.size(); ++i) givens.emplace_back(inputs[i], values[i]);
    EvalOptions options;
    options.require_givens_used = false;
    evaluate(outputs, givens, options);
  };
  return plan;
}

}  // namespace

std::unique_ptr<Program> build_cuda_program(const BackendRequest& request) {
  cuda::require_device(request.label);
  PassSelection gpu_selection = request.selection;
  gpu_selection.excluding.insert(gpu_selection.excluding.end(), {"specialize_gemm", "specialize_dot"});
  const std::vector<Var> outputs = request.graphs->graph(request.mode, gpu_selection);
  CudaProgramText program = generate_cuda(request.inputs, outputs, request.name);
  if (!fits_rank(program.nodes)) {
    throw Error(fmt::format("{}: device=cuda: a tensor of rank above {} (the CUDA kernels' limit)", request.label,
                            cuda::kMaxRank));
  }
  const int arch = cuda::device().arch;
  const cuda::CompiledKernels kernels =
      cuda::compile_kernels(program.source, arch, request.name, debugprint(outputs), cache::DiskCache::from_config());
  return cuda::make_program(plan_of(request.inputs, outputs, program), kernels.cubin);
}

}  // namespace hypatia
