#include "compiler/rewrite/fuse_multi_output.hpp"

#include <algorithm>
#include <memory>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "compiler/graph/clone.hpp"
#include "compiler/graph/rebuild.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/elemwise.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "compiler/rewrite/fuse_elemwise.hpp"

namespace hypatia {
namespace {

/// Nodes the cycle check of one merge may visit before it gives up (the
/// loops then stay apart): keeps the pass near-linear on large graphs.
constexpr std::size_t kMaxCycleSearch = 512;

/// A lone elementwise op, or a single-output fused loop not marked in place.
bool is_loop(const Apply& node) {
  if (dynamic_cast<const ElemwiseOp*>(&node.op())) return true;
  const auto* fused = dynamic_cast<const FusedElemwiseOp*>(&node.op());
  return fused && fused->inner_outputs().size() == 1 && fused->inplace_inputs().empty();
}

/// Elementwise ops in a loop node, and how many of them call a math function.
std::pair<std::size_t, int> loop_size(const Apply& node) {
  const auto* fused = dynamic_cast<const FusedElemwiseOp*>(&node.op());
  if (!fused) return {1, calls_math_function(node) ? 1 : 0};
  int math = 0;
  for (const auto& inner : topological_order({fused->inner_output()}, fused->placeholders())) {
    math += calls_math_function(*inner) ? 1 : 0;
  }
  return {fused->size(), math};
}

/// Disjoint sets of loop nodes (union-find): the loops merged into one.
class Clusters {
 public:
  explicit Clusters(std::size_t n) : parent_(n), members_(n) {
    std::iota(parent_.begin(), parent_.end(), std::size_t{0});
    for (std::size_t i = 0; i < n; ++i) members_[i] = {i};
  }
  std::size_t find(std::size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  /// The members of the cluster whose root is `root`.
  const std::vector<std::size_t>& members(std::size_t root) const { return members_[root]; }
  /// Joins the cluster of root b into that of root a.
  void join(std::size_t a, std::size_t b) {
    parent_[b] = a;
    members_[a].insert(members_[a].end(), members_[b].begin(), members_[b].end());
    members_[b].clear();
  }

 private:
  std::vector<std::size_t> parent_;
  std::vector<std::vector<std::size_t>> members_;
};

/// One merged loop: what it reads from outside, the values it replaces.
struct Unit {
  std::vector<const Apply*> members;
  std::vector<Var> external;
  std::vector<Var> results;  ///< in the order of the fused op's inner outputs
  std::shared_ptr<const FusedElemwiseOp> op;
};

/// The merged loop of `members` (in topological order): their inner graphs
/// composed over placeholders for the operands read from outside.
Unit compose(const std::vector<std::shared_ptr<Apply>>& members,
             const std::unordered_map<const VarNode*, std::vector<const Apply*>>& readers,
             const std::unordered_set<const VarNode*>& function_outputs) {
  Unit unit;
  std::unordered_set<const Apply*> inside;
  for (const auto& m : members) inside.insert(m.get());
  std::unordered_map<const VarNode*, Var> inner;  // a member's value, over placeholders
  std::unordered_map<const VarNode*, Var> placeholder_of;
  std::vector<Var> placeholders;
  auto operand = [&](const Var& in) -> Var {
    if (in.owner() && inside.count(in.owner().get())) return inner.at(in.node());
    if (in.is_constant() && in.ndim() == 0) return in;  // stays inside the loop, as fuse_elemwise keeps it
    auto [it, fresh] = placeholder_of.try_emplace(in.node());
    if (fresh) {
      it->second = tensor(in.type());
      placeholders.push_back(it->second);
      unit.external.push_back(in);
    }
    return it->second;
  };
  std::vector<Var> outputs;
  for (const auto& m : members) {
    std::vector<Var> operands;
    for (const Var& in : m->inputs()) operands.push_back(operand(in));
    Var value;
    if (const auto* fused = dynamic_cast<const FusedElemwiseOp*>(&m->op())) {
      std::vector<std::pair<Var, Var>> substitute;
      for (std::size_t i = 0; i < operands.size(); ++i) substitute.emplace_back(fused->placeholders()[i], operands[i]);
      value = clone_replace({fused->inner_output()}, substitute).front();
    } else {
      value = make_apply(m->op_ptr(), operands);
    }
    const Var out = m->output();
    inner.emplace(out.node(), value);
    // Written when read outside the loop or returned.
    bool outside = function_outputs.count(out.node()) > 0;
    if (auto it = readers.find(out.node()); it != readers.end()) {
      for (const Apply* r : it->second) outside = outside || !inside.count(r);
    }
    if (!outside) continue;
    unit.results.push_back(out);
    outputs.push_back(value);
  }
  unit.op = outputs.size() == 1 ? std::make_shared<FusedElemwiseOp>(placeholders, outputs.front())
                                : std::make_shared<FusedElemwiseOp>(placeholders, outputs);
  for (const auto& m : members) unit.members.push_back(m.get());
  return unit;
}

}  // namespace

std::vector<Var> fuse_multi_output(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  const auto order = topological_order(outputs, inputs);
  std::unordered_set<const VarNode*> leaves;
  for (const Var& v : inputs) leaves.insert(v.node());
  std::unordered_map<const VarNode*, std::vector<const Apply*>> readers;
  for (const auto& node : order) {
    for (const Var& in : node->inputs()) readers[in.node()].push_back(node.get());
  }
  std::unordered_set<const VarNode*> function_outputs;
  for (const Var& v : outputs) function_outputs.insert(v.node());

  // Loop nodes, numbered in topological order.
  std::vector<std::shared_ptr<Apply>> loops;
  std::unordered_map<const Apply*, std::size_t> loop_of, position;
  std::vector<std::size_t> ops;
  std::vector<int> math;
  for (std::size_t i = 0; i < order.size(); ++i) {
    position.emplace(order[i].get(), i);
    if (!is_loop(*order[i])) continue;
    loop_of.emplace(order[i].get(), loops.size());
    loops.push_back(order[i]);
    const auto [n, m] = loop_size(*order[i]);
    ops.push_back(n);
    math.push_back(m);
  }
  if (loops.size() < 2) return outputs;

  Clusters clusters(loops.size());
  auto cluster_of = [&](const Apply* node) -> std::optional<std::size_t> {
    auto it = loop_of.find(node);
    if (it == loop_of.end()) return std::nullopt;
    return clusters.find(it->second);
  };
  auto merged = [&](const Apply* node) {  // part of a loop of several nodes
    const auto c = cluster_of(node);
    return c && clusters.members(*c).size() > 1;
  };
  // Whether one loop computing the clusters a and b would read a value that
  // depends on what it writes: a walk up from its operands over the graph as
  // it will be, where a merged loop depends on everything any member reads.
  auto makes_cycle = [&](std::size_t a, std::size_t b) {
    std::unordered_set<const Apply*> inside;
    std::size_t first = order.size();
    for (std::size_t root : {a, b}) {
      for (std::size_t i : clusters.members(root)) {
        inside.insert(loops[i].get());
        first = std::min(first, position.at(loops[i].get()));
      }
    }
    std::vector<const Apply*> stack;
    std::unordered_set<const Apply*> seen;
    std::unordered_set<std::size_t> expanded;  // merged loops whose operands are on the stack
    bool cycle = false;
    auto push_operands = [&](const Apply& node, std::optional<std::size_t> own) {
      for (const Var& in : node.inputs()) {
        const Apply* p = in.owner().get();
        if (!p || leaves.count(in.node()) || !position.count(p)) continue;
        if (inside.count(p)) {
          cycle = cycle || !inside.count(&node);
          continue;
        }
        const auto c = cluster_of(p);
        if (own && c == own) continue;  // within one merged loop
        // Nodes before the loop's first member cannot depend on it, unless
        // their merged loop (which reads all its members' operands) can.
        if (position.at(p) < first && !merged(p)) continue;
        if (seen.insert(p).second) stack.push_back(p);
      }
    };
    for (const Apply* m : inside) push_operands(*m, std::nullopt);
    std::size_t visits = 0;
    while (!stack.empty() && !cycle) {
      if (++visits > kMaxCycleSearch) return true;  // too far to tell: the loops stay apart
      const Apply* node = stack.back();
      stack.pop_back();
      if (!merged(node)) {
        push_operands(*node, std::nullopt);
        continue;
      }
      const std::size_t root = *cluster_of(node);
      if (!expanded.insert(root).second) continue;
      for (std::size_t i : clusters.members(root)) push_operands(*loops[i], root);
    }
    return cycle;
  };
  for (std::size_t i = 0; i < loops.size(); ++i) {
    const Var t = loops[i]->output();
    // Only values with several users: a value with one user is fuse_elemwise's
    // to fuse (excluding it by name keeps such chains apart).
    if (readers[t.node()].size() + function_outputs.count(t.node()) < 2) continue;
    for (const Apply* reader : readers[t.node()]) {
      const std::size_t a = clusters.find(i);
      const auto b = cluster_of(reader);
      if (!b || *b == a || loops[*b]->output().broadcastable() != t.broadcastable()) continue;
      if (ops[a] + ops[*b] > kMaxFusedOps || math[a] + math[*b] > kMaxFusedMath) continue;
      if (makes_cycle(a, *b)) continue;
      clusters.join(a, *b);
      ops[a] += ops[*b];
      math[a] += math[*b];
    }
  }

  std::vector<Unit> units;
  std::unordered_map<const Apply*, std::size_t> unit_of;
  for (std::size_t root = 0; root < loops.size(); ++root) {
    if (clusters.find(root) != root || clusters.members(root).size() < 2) continue;
    std::vector<std::size_t> numbers = clusters.members(root);
    std::sort(numbers.begin(), numbers.end());  // loops are numbered in topological order
    std::vector<std::shared_ptr<Apply>> members;
    for (std::size_t i : numbers) members.push_back(loops[i]);
    Unit unit = compose(members, readers, function_outputs);
    for (const Apply* m : unit.members) unit_of[m] = units.size();
    units.push_back(std::move(unit));
  }
  if (units.empty()) return outputs;

  // Rebuild, each value after what it reads: a merged loop's node (and its
  // FusedOutputOp nodes) once all its operands exist; other nodes rebuilt
  // when an input changed. Iterative: chains may be deep.
  std::unordered_map<const VarNode*, Var> rebuilt;
  std::unordered_set<const Apply*> done;
  auto mapped = [&](const Var& v) {
    auto it = rebuilt.find(v.node());
    return it == rebuilt.end() ? v : it->second;
  };
  auto pending = [&](const Var& v) -> const Apply* {  // the node computing v, if still to build
    const Apply* p = v.owner().get();
    if (!p || leaves.count(v.node()) || !position.count(p) || done.count(p)) return nullptr;
    return p;
  };
  auto operands_of = [&](const Apply* node) -> const std::vector<Var>& {
    auto it = unit_of.find(node);
    return it == unit_of.end() ? node->inputs() : units[it->second].external;
  };
  auto build = [&](const Apply* node) {
    auto it = unit_of.find(node);
    if (it == unit_of.end()) {
      std::vector<Var> operands;
      bool changed = false;
      for (const Var& in : node->inputs()) {
        operands.push_back(mapped(in));
        changed = changed || !operands.back().is(in);
      }
      if (changed) rebuilt[node->output().node()] = remake_apply(node->op_ptr(), operands, node->output());
      done.insert(node);
      return;
    }
    const Unit& unit = units[it->second];
    std::vector<Var> operands;
    for (const Var& v : unit.external) operands.push_back(mapped(v));
    const Var value = remake_apply(unit.op, operands, unit.results[0]);
    rebuilt[unit.results[0].node()] = value;
    std::vector<Var> reads{value};
    reads.insert(reads.end(), operands.begin(), operands.end());
    for (std::size_t k = 1; k < unit.results.size(); ++k) {
      rebuilt[unit.results[k].node()] =
          remake_apply(std::make_shared<FusedOutputOp>(unit.op, k), reads, unit.results[k]);
    }
    done.insert(unit.members.begin(), unit.members.end());
  };
  // What the walk has entered: a unit by its first member, other nodes themselves.
  auto entry = [&](const Apply* node) {
    auto it = unit_of.find(node);
    return it == unit_of.end() ? node : units[it->second].members.front();
  };
  std::vector<const Apply*> stack;
  std::unordered_set<const Apply*> entered;
  for (const Var& out : outputs) {
    if (const Apply* p = pending(out)) stack.push_back(p);
    while (!stack.empty()) {
      const Apply* node = stack.back();
      if (done.count(node)) {
        stack.pop_back();
        continue;
      }
      entered.insert(entry(node));
      const Apply* next = nullptr;
      for (const Var& in : operands_of(node)) {
        if ((next = pending(in))) break;
      }
      if (next) {
        if (entered.count(entry(next))) throw Error("internal: fuse_multi_output made a cycle");
        stack.push_back(next);
        continue;
      }
      build(node);
      stack.pop_back();
    }
  }
  std::vector<Var> result;
  for (const Var& v : outputs) result.push_back(mapped(v));
  return result;
}

}  // namespace hypatia
