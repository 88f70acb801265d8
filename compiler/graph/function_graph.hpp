/// \file FunctionGraph: the nodes between a function's inputs and outputs,
/// with who reads each variable, as Theano's FunctionGraph.
///
/// Apply nodes are immutable and shared between graphs, so the graph owns its
/// view of them: the node list (inputs before their readers, via Boost.Graph's
/// topological sort of the dependency graph), each variable's clients, and
/// the outputs. replace() substitutes variables (types must agree) and
/// rebuilds what depends on them, reusing every node that does not.
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hypatia/graph.hpp"

namespace hypatia {

class FunctionGraph {
 public:
  /// A reader of a variable: input `index` of `node`, or (node null) output `index`.
  struct Client {
    const Apply* node;
    std::size_t index;
  };

  FunctionGraph(std::vector<Var> inputs, std::vector<Var> outputs);

  const std::vector<Var>& inputs() const { return inputs_; }
  const std::vector<Var>& outputs() const { return outputs_; }
  /// Every node between the inputs and the outputs, each after the producers of its inputs.
  const std::vector<std::shared_ptr<Apply>>& nodes() const { return nodes_; }
  /// The readers of `v` (none for a variable outside the graph).
  const std::vector<Client>& clients(const Var& v) const;

  /// Replaces `old_var` by `replacement` everywhere (hp::TypeError unless
  /// their types are equal) and rebuilds the nodes depending on it.
  void replace(const Var& old_var, const Var& replacement);
  void replace_all(const std::vector<std::pair<Var, Var>>& replacements);

  /// Checks the invariants: every node input is a graph input, a constant, a
  /// shared variable or an earlier node's output; the order has no cycle;
  /// each node's output type is what its op infers from its inputs. Throws
  /// hp::Error describing the first violation.
  void validate() const;

 private:
  void index();

  std::vector<Var> inputs_;
  std::vector<Var> outputs_;
  std::vector<std::shared_ptr<Apply>> nodes_;
  std::unordered_map<const VarNode*, std::vector<Client>> clients_;
};

}  // namespace hypatia
