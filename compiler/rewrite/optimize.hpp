/// \file The optimizer: the ordered database of rewrite passes, and which of
/// them each mode runs (as Theano's optdb with its FAST_RUN/FAST_COMPILE tags).
///
/// Every pass is a whole-graph function (inputs, outputs) -> outputs that
/// returns the same variables when it changes nothing; each lives in its own
/// file under compiler/rewrite/. The database lists them once, in the order
/// they run. A pass marked `repeat` runs again while it still changes the
/// graph, at most kMaxRounds times (its rewrites may enable each other).
/// After every pass the outputs are checked to keep their types (a pass that
/// changes a type is a bug in the pass: hp::Error naming it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hypatia/config.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

using RewriteFn = std::vector<Var> (*)(const std::vector<Var>& inputs, const std::vector<Var>& outputs);

struct RewritePass {
  std::string_view name;
  std::string_view summary;  ///< one line: what it rewrites
  RewriteFn run;
  bool fast_compile;  ///< cheap and safe: FastCompile (and Debug's oracle) run it too
  bool repeat;        ///< run to a fixed point (bounded by kMaxRounds)
};

inline constexpr int kMaxRounds = 8;

/// Every pass, in the order they run. A name may appear more than once
/// (merge runs again after passes that create duplicates).
const std::vector<RewritePass>& rewrite_passes();

/// Passes to run besides / instead of a mode's own, by name.
struct PassSelection {
  std::vector<std::string> including;
  std::vector<std::string> excluding;

  /// The config flags optimizer_including / optimizer_excluding (':'-separated).
  static PassSelection from_config();
  /// "+a,+b,-c" form, part of cache keys; "" when empty.
  std::string key() const;
};

/// The passes `mode` runs under `selection`, in order. An unknown name in
/// the selection -> hp::Error listing the known passes.
std::vector<const RewritePass*> passes_for(Mode mode, const PassSelection& selection = {});

/// What one pass did: its name, its time, the outputs it left when it
/// changed the graph (empty when it changed nothing), and the replacements
/// its local rewrites made (those written with rebuild()).
struct PassRun {
  std::string_view name;
  double ms = 0;
  std::vector<Var> result;
  std::vector<std::pair<Var, Var>> replacements;
  bool changed() const { return !result.empty(); }
};

/// `outputs` after running passes_for(mode, selection) on the graph between
/// `inputs` and them. Debug runs FastCompile's passes (the reference oracle's
/// graph). `trace`, when given, receives one PassRun per pass run.
std::vector<Var> optimize(const std::vector<Var>& inputs, std::vector<Var> outputs, Mode mode,
                          const PassSelection& selection = {}, std::vector<PassRun>* trace = nullptr);

}  // namespace hypatia
