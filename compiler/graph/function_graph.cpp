#include "compiler/graph/function_graph.hpp"

#include <unordered_set>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>
#include <fmt/format.h>

#include "compiler/graph/clone.hpp"
#include "compiler/graph/describe.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"

namespace hypatia {
namespace {

using DependencyGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

}  // namespace

FunctionGraph::FunctionGraph(std::vector<Var> inputs, std::vector<Var> outputs)
    : inputs_(std::move(inputs)), outputs_(std::move(outputs)) {
  index();
}

void FunctionGraph::index() {
  // The nodes are found by a walk from the outputs; Boost.Graph orders them
  // (and would report a cycle, which immutable nodes cannot form).
  std::vector<std::shared_ptr<Apply>> found = topological_order(outputs_, inputs_);
  std::unordered_map<const Apply*, std::size_t> number;
  for (std::size_t i = 0; i < found.size(); ++i) number.emplace(found[i].get(), i);
  DependencyGraph dependencies(found.size());
  for (std::size_t i = 0; i < found.size(); ++i) {
    for (const Var& in : found[i]->inputs()) {
      if (!in.owner()) continue;
      auto it = number.find(in.owner().get());
      if (it != number.end()) boost::add_edge(it->second, i, dependencies);
    }
  }
  std::vector<std::size_t> reversed;
  boost::topological_sort(dependencies, std::back_inserter(reversed));
  nodes_.clear();
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it) nodes_.push_back(found[*it]);

  clients_.clear();
  for (const auto& node : nodes_) {
    for (std::size_t i = 0; i < node->inputs().size(); ++i) {
      clients_[node->inputs()[i].node()].push_back({node.get(), i});
    }
  }
  for (std::size_t k = 0; k < outputs_.size(); ++k) clients_[outputs_[k].node()].push_back({nullptr, k});
}

const std::vector<FunctionGraph::Client>& FunctionGraph::clients(const Var& v) const {
  static const std::vector<Client> none;
  auto it = clients_.find(v.node());
  return it == clients_.end() ? none : it->second;
}

void FunctionGraph::replace(const Var& old_var, const Var& replacement) { replace_all({{old_var, replacement}}); }

void FunctionGraph::replace_all(const std::vector<std::pair<Var, Var>>& replacements) {
  for (const auto& [old_var, replacement] : replacements) {
    if (old_var.is_null() || replacement.is_null()) throw Error("FunctionGraph::replace: a null hp::Var");
    if (!(old_var.type() == replacement.type())) {
      throw TypeError(fmt::format("FunctionGraph::replace: {} of type {} cannot be replaced by {} of type {}",
                                  describe_var(old_var), old_var.type().str(), describe_var(replacement),
                                  replacement.type().str()));
    }
  }
  outputs_ = clone_replace(outputs_, replacements);
  index();
}

void FunctionGraph::validate() const {
  std::unordered_set<const VarNode*> available;
  for (const Var& v : inputs_) available.insert(v.node());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Apply& node = *nodes_[i];
    for (std::size_t k = 0; k < node.inputs().size(); ++k) {
      const Var& in = node.inputs()[k];
      if (available.count(in.node()) || in.is_constant() || in.is_shared()) continue;
      throw Error(fmt::format("invalid graph: input {} of node {} ({}) is {}", k, i, node.op().name(),
                              in.owner() ? "computed after the node" : "an input the graph was not given"));
    }
    const TensorType inferred = node.op().infer_type(node.inputs());
    if (!(inferred == node.output().type())) {
      throw Error(fmt::format("invalid graph: node {} ({}) has type {} but its op infers {}", i,
                              node.op().name(), node.output().type().str(), inferred.str()));
    }
    available.insert(node.output().node());
  }
  for (std::size_t k = 0; k < outputs_.size(); ++k) {
    const Var& v = outputs_[k];
    if (!available.count(v.node()) && !v.is_constant() && !v.is_shared()) {
      throw Error(fmt::format("invalid graph: output {} is an input the graph was not given", k));
    }
  }
}

}  // namespace hypatia
