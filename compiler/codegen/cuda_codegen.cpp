#include "compiler/codegen/cuda_codegen.hpp"

#include <fmt/format.h>

#include "compiler/codegen/schedule.hpp"
#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/graph/op.hpp"
#include "hypatia/print.hpp"

namespace hypatia {
namespace {

constexpr std::size_t kMaxCommentLength = 160;

std::string short_text(std::string s) {
  if (s.size() > kMaxCommentLength) {
    s.resize(kMaxCommentLength);
    s += "...";
  }
  return s;
}

}  // namespace

CudaProgramText generate_cuda(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                              const std::string& function_name) {
  CudaProgramText program;
  program.nodes = schedule(inputs, outputs);
  CudaEmitter cg;
  for (std::size_t k = 0; k < program.nodes.size(); ++k) {
    const Apply& node = *program.nodes[k];
    cg.begin_node(static_cast<int>(k), node.op().name() + "  " + short_text(pp_brief(node.output())));
    if (!node.op().emit_cuda(cg, node)) {
      cg.line("// runs on the host (cuBLAS, a view, or the reference implementation)");
      cg.host_step(static_cast<int>(k));
    }
  }
  const std::string header = fmt::format(
      "// Hypatia CUDA program for {}: {} inputs, {} outputs, {} nodes, {} kernels.\n"
      "// User names appear only in comments.\n",
      function_name.empty() ? "<unnamed>" : fmt::format("'{}'", comment_text(short_text(function_name))), inputs.size(),
      outputs.size(), program.nodes.size(), cg.kernels().size());
  program.source = cg.finish(header);
  program.steps = cg.steps();
  program.kernels = cg.kernels();
  return program;
}

}  // namespace hypatia
