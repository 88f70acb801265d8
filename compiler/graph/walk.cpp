#include "compiler/graph/walk.hpp"

#include <unordered_set>

#include "compiler/graph/graph_node.hpp"

namespace hypatia {

std::vector<std::shared_ptr<Apply>> topological_order(const std::vector<Var>& outputs,
                                                      const std::vector<Var>& leaves) {
  std::unordered_set<const VarNode*> stop;
  for (const Var& v : leaves) stop.insert(v.node());
  std::unordered_set<const Apply*> done;
  std::vector<std::shared_ptr<Apply>> order;
  // Iterative post-order DFS: deep graphs (long chains) must not overflow the stack.
  struct Frame {
    std::shared_ptr<Apply> node;
    std::size_t next_input;
  };
  std::vector<Frame> stack;
  auto push = [&](const Var& v) {
    if (stop.count(v.node()) || !v.owner() || done.count(v.owner().get())) return;
    done.insert(v.owner().get());
    stack.push_back({v.owner(), 0});
  };
  for (const Var& out : outputs) {
    push(out);
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next_input < top.node->inputs().size()) {
        const Var input = top.node->inputs()[top.next_input++];
        push(input);
        continue;
      }
      order.push_back(top.node);
      stack.pop_back();
    }
  }
  return order;
}

}  // namespace hypatia
