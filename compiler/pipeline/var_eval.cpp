/// Var::eval, the Theano way: `x.eval(givens)` compiles a function of the
/// given variables in the default mode (config().mode) and calls it, and the
/// function is cached on the variable, so evaluating it again with the same
/// given variables does not compile again.
///
/// The cache is keyed on the given variables (by id, in any order) and on the
/// whole config(), since the mode and the optimizer flags change the code.
/// It holds at most kEvalCacheSize functions per variable, least recently
/// used dropped first, and dies with the variable. Each function is compiled
/// on a copy of the graph whose givens are fresh inputs of the same types and
/// whose last node is new, so it holds no reference to the variable it is
/// cached on (no ownership cycle) nor to the given variables. One lock guards
/// every variable's cache; compiles run outside it, so two threads evaluating
/// the same variable at once may both compile (the JIT's memo makes the
/// second cheap) and the first result stored is kept.
#include "compiler/pipeline/var_eval.hpp"

#include <algorithm>
#include <mutex>
#include <numeric>
#include <optional>
#include <unordered_set>

#include "compiler/graph/clone.hpp"
#include "compiler/graph/graph_node.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/reference/evaluate.hpp"
#include "hypatia/config.hpp"
#include "hypatia/function.hpp"

namespace hypatia {

struct EvalCache {
  struct Entry {
    Config config;
    std::vector<std::uint64_t> given_ids;  ///< ascending: the function's inputs, in order
    Function function;
  };
  std::vector<Entry> entries;  ///< most recently used first
};

namespace {

std::mutex& eval_cache_mutex() {
  static std::mutex mutex;
  return mutex;
}

/// The cached function for this key, moved to the front; nullopt on a miss. Call with the lock held.
std::optional<Function> find_function(const VarNode& node, const Config& config,
                                      const std::vector<std::uint64_t>& given_ids) {
  if (!node.eval_cache) return std::nullopt;
  auto& entries = node.eval_cache->entries;
  const auto hit = std::find_if(entries.begin(), entries.end(), [&](const EvalCache::Entry& e) {
    return e.given_ids == given_ids && e.config == config;
  });
  if (hit == entries.end()) return std::nullopt;
  std::rotate(entries.begin(), hit, hit + 1);
  return entries.front().function;
}

std::optional<Function> cached_function(const VarNode& node, const Config& config,
                                        const std::vector<std::uint64_t>& given_ids) {
  std::lock_guard lock(eval_cache_mutex());
  return find_function(node, config, given_ids);
}

/// Stores `function` unless another thread stored one for the same key
/// meanwhile; returns the one stored.
Function remember_function(VarNode& node, Config config, std::vector<std::uint64_t> given_ids,
                           const Function& function) {
  std::vector<EvalCache::Entry> evicted;  // destroyed after the lock is released
  std::lock_guard lock(eval_cache_mutex());
  if (auto stored = find_function(node, config, given_ids)) return *stored;
  if (!node.eval_cache) node.eval_cache = std::make_shared<EvalCache>();
  auto& entries = node.eval_cache->entries;
  entries.insert(entries.begin(), {std::move(config), std::move(given_ids), function});
  while (entries.size() > kEvalCacheSize) {
    evicted.push_back(std::move(entries.back()));
    entries.pop_back();
  }
  return function;
}

/// Raises, before anything is compiled, the errors evaluate() would raise
/// while running: an input the graph reads that is not given, a given it does
/// not read.
void check_graph_reads_givens(const Var& out, const std::vector<std::pair<Var, Array>>& givens) {
  std::unordered_set<const VarNode*> given, used;
  std::vector<Var> leaves;
  for (const auto& [v, value] : givens) {
    given.insert(v.node());
    leaves.push_back(v);
  }
  const auto read = [&](const Var& v) {
    if (given.count(v.node())) used.insert(v.node());
    else if (v.is_input()) throw missing_input_error(v);
  };
  for (const auto& node : topological_order({out}, leaves)) {
    for (const Var& in : node->inputs()) read(in);
  }
  read(out);
  for (const auto& [v, value] : givens) {
    if (!used.count(v.node())) throw unused_given_error(v);
  }
}

/// theano.function(given_vars, out) with on_unused_input ignored, built on a
/// copy of the graph that shares no node with `out` downstream of a given
/// (see the file comment).
Function compile_eval(const Var& out, const std::vector<Var>& given_vars) {
  std::vector<In> inputs;
  std::vector<std::pair<Var, Var>> stand_ins;
  for (const Var& v : given_vars) {
    Var fresh = tensor(v.type(), v.name());
    inputs.emplace_back(fresh);
    stand_ins.emplace_back(v, fresh);
  }
  Var target = clone_replace({out}, stand_ins).front();
  if (target.is(out)) target = make_apply(out.owner()->op_ptr(), out.owner()->inputs());
  return compile(inputs, {target}, {.on_unused_input = OnUnusedInput::Ignore});
}

}  // namespace

std::size_t eval_cache_entries(const Var& v) {
  std::lock_guard lock(eval_cache_mutex());
  return !v.is_null() && v.node()->eval_cache ? v.node()->eval_cache->entries.size() : 0;
}

Array Var::eval(const std::vector<std::pair<Var, Array>>& givens) const {
  if (is_null()) throw Error("eval of a null hp::Var");
  // A leaf or a given output has nothing to compute: the reference
  // evaluator returns (a copy of) its value or raises its error.
  const bool output_given = std::any_of(givens.begin(), givens.end(),
                                        [&](const auto& g) { return g.first.is(*this); });
  if (!owner() || output_given) return evaluate({*this}, givens).front();

  const std::vector<Array> values = fit_givens(givens);
  check_graph_reads_givens(*this, givens);

  std::vector<std::size_t> order(givens.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return givens[a].first.id() < givens[b].first.id(); });
  std::vector<Var> given_vars;
  std::vector<std::uint64_t> given_ids;
  std::vector<Array> args;
  for (std::size_t k : order) {
    given_vars.push_back(givens[k].first);
    given_ids.push_back(givens[k].first.id());
    args.push_back(values[k]);
  }

  std::optional<Function> function = cached_function(*node_, config(), given_ids);
  if (!function) {
    function = remember_function(*node_, config(), std::move(given_ids), compile_eval(*this, given_vars));
  }
  return function->call(args).front();
}

}  // namespace hypatia
