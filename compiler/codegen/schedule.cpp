#include "compiler/codegen/schedule.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <boost/graph/adjacency_list.hpp>

#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/fused_elemwise.hpp"

namespace hypatia {
namespace {

/// How many of the first ready nodes (in depth-first order) are considered at each step.
constexpr std::size_t kWindow = 32;

using DependencyGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;

/// Buffers and who reads them, for a set of nodes numbered 0..n-1.
struct Lifetimes {
  /// Per node: the buffers (root variables) it reads, each once.
  std::vector<std::vector<const VarNode*>> reads;
  /// Per node: whether its result is a new intermediate buffer.
  std::vector<bool> allocates;
  /// Readers of each intermediate buffer (outputs' buffers are not intermediates).
  std::unordered_map<const VarNode*, std::size_t> readers;

  Lifetimes(const std::vector<std::shared_ptr<Apply>>& nodes, const std::vector<Var>& outputs) {
    std::unordered_map<const VarNode*, const VarNode*> root;
    auto root_of = [&](const Var& v) {
      auto it = root.find(v.node());
      return it == root.end() ? v.node() : it->second;
    };
    // Roots follow views; any topological order sees a view's input first.
    for (const auto& node : nodes) {
      if (node->op().output_aliases_input()) root[node->output().node()] = root_of(node->inputs()[0]);
    }
    std::unordered_set<const VarNode*> kept;  // outputs' buffers live to the end
    for (const Var& v : outputs) kept.insert(root_of(v));
    reads.resize(nodes.size());
    allocates.resize(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const Apply& node = *nodes[i];
      const Var out = node.output();
      allocates[i] = !node.op().output_aliases_input() && out.ndim() > 0 && !kept.count(out.node());
      if (allocates[i]) readers.emplace(out.node(), 0);
    }
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      for (const Var& in : nodes[i]->inputs()) {
        const VarNode* r = root_of(in);
        if (!readers.count(r) || std::find(reads[i].begin(), reads[i].end(), r) != reads[i].end()) continue;
        reads[i].push_back(r);
        ++readers[r];
      }
    }
  }
};

}  // namespace

std::vector<std::shared_ptr<Apply>> schedule(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  // Depth-first order from the outputs: the tie-break, and the node numbering.
  const std::vector<std::shared_ptr<Apply>> nodes = topological_order(outputs, inputs);
  const std::size_t n = nodes.size();
  std::unordered_map<const Apply*, std::size_t> number;
  for (std::size_t i = 0; i < n; ++i) number.emplace(nodes[i].get(), i);
  DependencyGraph dependencies(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::unordered_set<std::size_t> producers;
    for (const Var& in : nodes[i]->inputs()) {
      if (!in.owner()) continue;
      auto it = number.find(in.owner().get());
      if (it != number.end() && producers.insert(it->second).second) boost::add_edge(it->second, i, dependencies);
    }
  }

  Lifetimes life(nodes, outputs);
  std::vector<std::size_t> waiting(n);
  std::set<std::size_t> ready;
  for (std::size_t i = 0; i < n; ++i) {
    waiting[i] = boost::in_degree(i, dependencies);
    if (waiting[i] == 0) ready.insert(i);
  }
  auto net_buffers = [&](std::size_t i) {
    long net = life.allocates[i] ? 1 : 0;
    for (const VarNode* r : life.reads[i]) net -= life.readers.at(r) == 1 ? 1 : 0;
    return net;
  };

  std::vector<std::shared_ptr<Apply>> order;
  order.reserve(n);
  auto run = [&](std::size_t chosen) {
    order.push_back(nodes[chosen]);
    for (const VarNode* r : life.reads[chosen]) --life.readers.at(r);
    for (auto [edge, end] = boost::out_edges(chosen, dependencies); edge != end; ++edge) {
      const std::size_t next = boost::target(*edge, dependencies);
      if (--waiting[next] == 0) ready.insert(next);
    }
  };
  while (!ready.empty()) {
    auto best = ready.begin();
    long best_net = net_buffers(*best);
    std::size_t seen = 1;
    for (auto it = std::next(ready.begin()); it != ready.end() && seen < kWindow; ++it, ++seen) {
      const long net = net_buffers(*it);
      if (net < best_net) best = it, best_net = net;
    }
    const std::size_t chosen = *best;
    ready.erase(best);
    run(chosen);
    // The other outputs of a multi-output fused loop were written by it: their
    // nodes (ready now: they read the loop's inputs and value) come right after.
    std::vector<std::size_t> parts;
    for (auto [edge, end] = boost::out_edges(chosen, dependencies); edge != end; ++edge) {
      const std::size_t next = boost::target(*edge, dependencies);
      if (dynamic_cast<const FusedOutputOp*>(&nodes[next]->op()) && ready.count(next)) parts.push_back(next);
    }
    std::sort(parts.begin(), parts.end());
    for (std::size_t part : parts) {
      ready.erase(part);
      run(part);
    }
  }
  return order;
}

std::size_t peak_live_buffers(const std::vector<std::shared_ptr<Apply>>& order, const std::vector<Var>& outputs) {
  Lifetimes life(order, outputs);
  std::size_t live = 0, peak = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (life.allocates[i] && life.readers.at(order[i]->output().node()) > 0) peak = std::max(peak, ++live);
    for (const VarNode* r : life.reads[i]) {
      if (--life.readers.at(r) == 0) --live;
    }
  }
  return peak;
}

}  // namespace hypatia
