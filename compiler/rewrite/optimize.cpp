#include "compiler/rewrite/optimize.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "compiler/graph/function_graph.hpp"
#include "compiler/graph/rebuild.hpp"
#include "compiler/rewrite/canonicalize.hpp"
#include "compiler/rewrite/constant_fold.hpp"
#include "compiler/rewrite/fuse_elemwise.hpp"
#include "compiler/rewrite/fuse_multi_output.hpp"
#include "compiler/rewrite/inplace.hpp"
#include "compiler/rewrite/merge.hpp"
#include "compiler/rewrite/simplify_shapes.hpp"
#include "compiler/rewrite/specialize_dot.hpp"
#include "compiler/rewrite/specialize_gemm.hpp"
#include "compiler/rewrite/specialize_pow.hpp"
#include "compiler/rewrite/stabilize.hpp"
#include "hypatia/error.hpp"

namespace hypatia {
namespace {

/// Splits "a:b:c" (blanks and empty items ignored).
std::vector<std::string> split_names(std::string_view text) {
  std::vector<std::string> names;
  while (!text.empty()) {
    const auto colon = text.find(':');
    std::string_view item = text.substr(0, colon);
    text = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) names.emplace_back(item);
  }
  return names;
}

bool same_vars(const std::vector<Var>& a, const std::vector<Var>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].node() != b[i].node()) return false;
  }
  return true;
}

void check_known(const std::vector<std::string>& names, std::string_view flag) {
  for (const std::string& name : names) {
    const auto& passes = rewrite_passes();
    const bool known = std::any_of(passes.begin(), passes.end(),
                                   [&](const RewritePass& p) { return p.name == name; });
    if (known) continue;
    std::vector<std::string_view> all;
    for (const RewritePass& p : passes) {
      if (std::find(all.begin(), all.end(), p.name) == all.end()) all.push_back(p.name);
    }
    throw Error(fmt::format("{}: unknown rewrite pass '{}' (known passes: {})", flag, name,
                            fmt::join(all, ", ")));
  }
}

/// A pass must keep every output's type: anything else is a bug in the pass.
void check_types(const RewritePass& pass, const std::vector<Var>& before, const std::vector<Var>& after) {
  if (after.size() != before.size()) {
    throw Error(fmt::format("rewrite pass '{}' returned {} outputs for {}", pass.name, after.size(),
                            before.size()));
  }
  for (std::size_t i = 0; i < after.size(); ++i) {
    if (after[i].is_null() || !(after[i].type() == before[i].type())) {
      throw Error(fmt::format("rewrite pass '{}' changed the type of output {} from {} to {}", pass.name,
                              i, before[i].type().str(),
                              after[i].is_null() ? "a null variable" : after[i].type().str()));
    }
  }
}

}  // namespace

const std::vector<RewritePass>& rewrite_passes() {
  static const std::vector<RewritePass> passes = {
      {"merge", "one node per distinct computation; constants merged by value", merge, true, false},
      {"simplify_shapes", "shape(x) and shape(x)[i] from what sets them; constants where known",
       simplify_shapes, true, false},
      {"constant_fold", "nodes of constants computed at compile time by the reference evaluator",
       constant_fold, true, false},
      {"canonicalize", "x*1, x+0, -(-x), x+(-y), cast to the same dtype, dimshuffle/reshape chains",
       canonicalize, true, true},
      {"stabilize", "log(sigmoid), log1p, logsumexp and log-softmax forms that stay finite", stabilize,
       true, false},
      {"specialize_pow", "pow(x, small integer constant) as multiplications", specialize_pow, false,
       false},
      {"specialize_gemm", "dot(A, B) scaled and added to C as one BLAS gemm/gemv call", specialize_gemm,
       false, false},
      {"specialize_dot", "sum(x * y) of two float64 vectors in memory as one BLAS ddot call", specialize_dot,
       false, false},
      {"merge", "one node per distinct computation (after specialisation)", merge, false, false},
      {"fuse_elemwise", "connected elementwise ops as one loop, also into a following reduction",
       fuse_elemwise, false, false},
      {"fuse_multi_output", "elementwise loops that share a value as one loop writing several outputs",
       fuse_multi_output, false, false},
      {"inplace", "elementwise results may take over a dead operand's scratch memory", inplace, false, false},
  };
  return passes;
}

PassSelection PassSelection::from_config() {
  return {split_names(config().optimizer_including), split_names(config().optimizer_excluding)};
}

std::string PassSelection::key() const {
  std::string key;
  for (const std::string& name : including) key += (key.empty() ? "+" : ",+") + name;
  for (const std::string& name : excluding) key += (key.empty() ? "-" : ",-") + name;
  return key;
}

std::vector<const RewritePass*> passes_for(Mode mode, const PassSelection& selection) {
  check_known(selection.including, "optimizer_including");
  check_known(selection.excluding, "optimizer_excluding");
  auto named = [](const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  std::vector<const RewritePass*> chosen;
  for (const RewritePass& pass : rewrite_passes()) {
    const bool by_mode = mode == Mode::FastRun || pass.fast_compile;
    if ((by_mode || named(selection.including, pass.name)) && !named(selection.excluding, pass.name)) {
      chosen.push_back(&pass);
    }
  }
  return chosen;
}

std::vector<Var> optimize(const std::vector<Var>& inputs, std::vector<Var> outputs, Mode mode,
                          const PassSelection& selection, std::vector<PassRun>* trace) {
  for (const RewritePass* pass : passes_for(mode, selection)) {
    const int rounds = pass->repeat ? kMaxRounds : 1;
    for (int round = 0; round < rounds; ++round) {
      const auto start = std::chrono::steady_clock::now();
      std::vector<std::pair<Var, Var>> replacements;
      std::vector<Var> next;
      if (trace) {
        RecordReplacements record(replacements);
        next = pass->run(inputs, outputs);
      } else {
        next = pass->run(inputs, outputs);
      }
      check_types(*pass, outputs, next);
#ifndef NDEBUG
      FunctionGraph(inputs, next).validate();  // debug builds: every pass leaves a valid graph
#endif
      const bool changed = !same_vars(outputs, next);
      if (trace) {
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        trace->push_back({pass->name, ms, changed ? next : std::vector<Var>{},
                          changed ? std::move(replacements) : std::vector<std::pair<Var, Var>>{}});
      }
      outputs = std::move(next);
      if (!changed) break;
    }
  }
  return outputs;
}

}  // namespace hypatia
