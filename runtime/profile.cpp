/// hp::print_profile: a summary of profiled functions, as Theano's profiler,
/// and the summary the profile flag prints at exit (Theano's config.profile).
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "runtime/executor.hpp"

namespace hypatia {
namespace {

/// The profiled functions. Never destroyed: functions with static storage
/// may retire into it while the process exits.
struct Registry {
  std::mutex mutex;
  std::vector<std::weak_ptr<Executor>> alive;
  /// Profiles of functions compiled under the profile flag that are gone, by sequence.
  std::vector<std::pair<std::uint64_t, FunctionProfile>> retired;
  std::uint64_t next_sequence = 1;
  bool at_exit_registered = false;
};

Registry& registry() {
  static Registry* instance = new Registry;
  return *instance;
}

/// Profiles of the live functions (and, with `retired`, of the gone ones
/// compiled under the flag), in the order the functions were compiled.
std::vector<FunctionProfile> collect_profiles(bool retired) {
  std::vector<std::shared_ptr<Executor>> alive;
  std::vector<std::pair<std::uint64_t, FunctionProfile>> profiles;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    for (const auto& w : r.alive) {
      if (auto f = w.lock()) alive.push_back(f);
    }
    if (retired) profiles = r.retired;
  }
  // Outside the registry's lock: a function released here retires into it.
  for (const auto& f : alive) profiles.emplace_back(f->profile_sequence, f->profile_totals());
  alive.clear();
  std::stable_sort(profiles.begin(), profiles.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<FunctionProfile> ordered;
  for (auto& [sequence, profile] : profiles) ordered.push_back(std::move(profile));
  return ordered;
}

void print_summary_to_stderr() { print_profile_summary_at_exit(std::cerr); }

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

void register_profiled(const std::shared_ptr<Executor>& executor, bool at_exit) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::erase_if(r.alive, [](const auto& w) { return w.expired(); });
  r.alive.push_back(executor);
  executor->profile_sequence = r.next_sequence++;
  executor->profile_at_exit = at_exit;
  if (at_exit && !r.at_exit_registered) {
    r.at_exit_registered = true;
    std::atexit(print_summary_to_stderr);
  }
}

Executor::~Executor() {
  if (!profile_at_exit) return;
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.retired.emplace_back(profile_sequence, stats);
}

void print_profile_summary_at_exit(std::ostream& os) {
  const std::vector<FunctionProfile> profiles = collect_profiles(true);
  if (profiles.empty()) return;
  fmt::print(os, "hypatia: profile=True: {} profiled function{} at exit\n\n", profiles.size(),
             profiles.size() == 1 ? "" : "s");
  for (const auto& p : profiles) print_function(os, p);
  os.flush();
}

void print_profile(std::ostream& os) {
  const std::vector<FunctionProfile> profiles = collect_profiles(false);
  if (profiles.empty()) {
    fmt::print(os, "No profiled functions (compile with {{.profile = true}} or HYPATIA_FLAGS=profile=True).\n");
    return;
  }
  for (const auto& p : profiles) print_function(os, p);
}

}  // namespace hypatia
