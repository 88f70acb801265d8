/// hp::Function: calls go to the runtime's Executor; the graph-facing
/// accessors (inputs, outputs, updates, graph text) read the compiler's part.
#include <mutex>

#include "compiler/pipeline/function_impl.hpp"
#include "hypatia/print.hpp"

namespace hypatia {

std::vector<Array> Function::call(const std::vector<Array>& args) const { return impl_->executor->call(args, {}); }

std::vector<Array> Function::call(const std::vector<std::pair<std::string, Array>>& named) const {
  return impl_->executor->call({}, named);
}

std::vector<Array> Function::call(const std::vector<Array>& args,
                                  const std::vector<std::pair<std::string, Array>>& named) const {
  return impl_->executor->call(args, named);
}

Array Function::call_one(const std::vector<Array>& args) const { return impl_->executor->call_one(args); }

const std::string& Function::name() const { return impl_->executor->name; }
Mode Function::mode() const { return impl_->mode; }
std::vector<Var> Function::inputs() const { return impl_->inputs; }
std::vector<Var> Function::outputs() const { return impl_->outputs; }

std::vector<std::pair<Shared, Var>> Function::updates() const {
  std::vector<std::pair<Shared, Var>> pairs;
  for (std::size_t i = 0; i < impl_->updated.size(); ++i) {
    pairs.emplace_back(impl_->updated[i], impl_->update_values[i]);
  }
  return pairs;
}

FunctionProfile Function::profile() const { return impl_->executor->profile_totals(); }

std::string Function::source() const { return impl_->source; }

std::vector<Var> Function::optimized_graph() const { return impl_->optimized_graph(); }

FunctionProfile Function::compile_report() const {
  FunctionProfile report = impl_->executor->profile_totals();
  report.nodes.clear();
  return report;
}

std::string Function::graph_text() const { return debugprint(impl_->outputs, updates()); }

/// The optimised graph, its roots labelled as the function's outputs and updates.
std::string debugprint(const Function& f) {
  const std::vector<Var> graph = f.optimized_graph();
  const auto outputs = static_cast<long>(f.outputs().size());
  std::vector<std::pair<Shared, Var>> updates = f.updates();
  for (std::size_t i = 0; i < updates.size(); ++i) updates[i].second = graph.at(outputs + i);
  return debugprint(std::vector<Var>(graph.begin(), graph.begin() + outputs), updates);
}

}  // namespace hypatia
