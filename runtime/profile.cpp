/// hp::print_profile: a summary of profiled functions, as Theano's profiler.
#include <algorithm>
#include <map>
#include <mutex>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "runtime/function_impl.hpp"

namespace hypatia {
namespace {

std::mutex registry_mutex;
std::vector<std::weak_ptr<FunctionImpl>> registry;

void print_function(std::ostream& os, const FunctionProfile& p) {
  fmt::print(os, "Function profiling\n==================\n");
  fmt::print(os, "  Message: {}\n", p.name.empty() ? "<unnamed function>" : p.name);
  fmt::print(os, "  Time in {} calls to Function.__call__: {:.6e}s\n", p.calls, p.seconds);
  double in_nodes = 0;
  for (const auto& n : p.nodes) in_nodes += n.seconds;
  if (p.seconds > 0) {
    fmt::print(os, "  Time in Function.fn.__call__: {:.6e}s ({:.3f}%)\n", in_nodes,
               100.0 * in_nodes / p.seconds);
  }
  fmt::print(os, "  Time in thunks: {:.6e}s\n", in_nodes);
  fmt::print(os, "  Total compile time: {:.6e}s\n\n", p.compile_seconds);

  // Per op class, most expensive first.
  std::map<std::string, std::pair<double, long>> by_op;
  for (const auto& n : p.nodes) {
    by_op[n.op].first += n.seconds;
    by_op[n.op].second += 1;
  }
  std::vector<std::pair<std::string, std::pair<double, long>>> ops(by_op.begin(), by_op.end());
  std::sort(ops.begin(), ops.end(), [](auto& a, auto& b) { return a.second.first > b.second.first; });
  fmt::print(os, "Class\n---\n<% time> <sum %> <apply time> <time per call> <#call> <#apply> <Class name>\n");
  double cumulative = 0;
  for (const auto& [op, t] : ops) {
    const double pct = in_nodes > 0 ? 100.0 * t.first / in_nodes : 0;
    cumulative += pct;
    fmt::print(os, "  {:6.1f}%  {:6.1f}%  {:10.3e}s  {:10.3e}s  {:6}  {:5}  {}\n", pct, cumulative,
               t.first, p.calls > 0 ? t.first / p.calls : 0.0, p.calls, t.second, op);
  }
  fmt::print(os, "\nApply\n------\n<% time> <sum %> <apply time> <time per call> <#call> <id> <Apply name>\n");
  std::vector<std::size_t> order(p.nodes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return p.nodes[a].seconds > p.nodes[b].seconds; });
  cumulative = 0;
  for (std::size_t i : order) {
    const NodeProfile& n = p.nodes[i];
    const double pct = in_nodes > 0 ? 100.0 * n.seconds / in_nodes : 0;
    cumulative += pct;
    fmt::print(os, "  {:6.1f}%  {:6.1f}%  {:10.3e}s  {:10.3e}s  {:6}  {:4}  {}\n", pct, cumulative,
               n.seconds, n.calls > 0 ? n.seconds / n.calls : 0.0, n.calls, i, n.node);
  }
  fmt::print(os, "\n");
}

}  // namespace

void register_profiled(const std::shared_ptr<FunctionImpl>& impl) {
  std::lock_guard lock(registry_mutex);
  registry.erase(std::remove_if(registry.begin(), registry.end(),
                                [](const auto& w) { return w.expired(); }),
                 registry.end());
  registry.push_back(impl);
}

void print_profile(std::ostream& os) {
  std::vector<std::shared_ptr<FunctionImpl>> alive;
  {
    std::lock_guard lock(registry_mutex);
    for (const auto& w : registry) {
      if (auto f = w.lock()) alive.push_back(f);
    }
  }
  if (alive.empty()) {
    fmt::print(os, "No profiled functions (compile with {{.profile = true}}).\n");
    return;
  }
  for (const auto& f : alive) print_function(os, Function(f).profile());
}

}  // namespace hypatia
