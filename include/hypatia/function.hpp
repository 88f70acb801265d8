/// \file hp::compile and hp::Function: callable functions built from a graph,
/// as theano.function, with inputs that have defaults, shared variables,
/// updates, givens, modes and profiling.
///
/// Guarantees: a Function may be called from many threads at once (no
/// scratch is shared between calls). The updates of one call are applied
/// together after every output is computed, so a call that throws changes no
/// shared variable; calls of functions that update the same shared variable
/// are serialised, so no update is lost.
#pragma once

#include <concepts>
#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/config.hpp"
#include "hypatia/graph.hpp"
#include "hypatia/profile.hpp"

namespace hypatia {

/// Options of one input (theano.In / Param).
struct InOptions {
  /// The name the input is called by (f.call({{"b", value}})); default: the variable's name.
  std::string name = {};
  /// Theano's `mutable`: the function may overwrite the caller's array. Hypatia
  /// never writes into inputs, so this only documents intent.
  bool mutable_ = false;
};

/// An input of a compiled function, with an optional default value.
struct In {
  In(Var v) : var(std::move(v)) {}  // NOLINT(google-explicit-constructor)
  /// A named input without a default: hp::In(x, {.name = "value"}).
  In(Var v, InOptions options)
      : var(std::move(v)), name(std::move(options.name)), mutable_(options.mutable_) {}
  In(Var v, Array default_value, InOptions options = {})
      : var(std::move(v)), value(std::move(default_value)), name(std::move(options.name)),
        mutable_(options.mutable_) {}

  Var var;
  std::optional<Array> value;
  std::string name;
  bool mutable_ = false;
};

/// What compile does with an explicit input that no output or update uses.
enum class OnUnusedInput { Raise, Warn, Ignore };

struct CompileOptions {
  /// New values of shared variables, applied together after each call.
  std::vector<std::pair<Shared, Var>> updates = {};
  /// Substitutions: each first variable is replaced by the second before compiling.
  std::vector<std::pair<Var, Var>> givens = {};
  /// Default: config().mode.
  std::optional<Mode> mode = std::nullopt;
  std::string name = {};
  /// Accept arguments of a wider dtype than declared, converting them.
  bool allow_input_downcast = false;
  OnUnusedInput on_unused_input = OnUnusedInput::Raise;
  /// Record call counts and times (f.profile(), hp::print_profile).
  bool profile = false;
  /// Rewrite passes to run besides the mode's own, and passes not to run, by
  /// name (added to the flags optimizer_including / optimizer_excluding).
  std::vector<std::string> optimizer_including = {};
  std::vector<std::string> optimizer_excluding = {};
};

struct FunctionImpl;

class Function {
 public:
  /// Calls with positional arguments: hp::Array, C++ numbers, std::vector<T>.
  template <class... Args>
  std::vector<Array> operator()(Args&&... args) const {
    return call(std::vector<Array>{to_array(std::forward<Args>(args))...});
  }
  /// The output of a function with exactly one, returned directly:
  /// `hp::Array y = f.one(x)`. Takes the arguments as operator() does; a
  /// function with no output or several is an hp::Error naming it, raised
  /// before anything runs (no update is applied).
  template <class... Args>
  Array one(Args&&... args) const {
    return call_one(std::vector<Array>{to_array(std::forward<Args>(args))...});
  }
  /// Positional arguments; missing trailing ones take their defaults.
  std::vector<Array> call(const std::vector<Array>& args) const;
  /// Arguments by input name (and defaults for the rest).
  std::vector<Array> call(const std::vector<std::pair<std::string, Array>>& named) const;
  /// Positional arguments first, then named ones.
  std::vector<Array> call(const std::vector<Array>& args,
                          const std::vector<std::pair<std::string, Array>>& named) const;

  const std::string& name() const;
  Mode mode() const;
  /// The input variables, in call order.
  std::vector<Var> inputs() const;
  /// The output variables, after givens.
  std::vector<Var> outputs() const;
  /// Each updated shared variable with its new value (after givens), in the order given.
  std::vector<std::pair<Shared, Var>> updates() const;
  /// Call counts and times; empty unless compiled with profile = true.
  FunctionProfile profile() const;
  /// debugprint of the function's graph before its rewrites: the outputs,
  /// then the update values, labelled "(output 0)", "(update of w)".
  std::string graph_text() const;
  /// The graph the compiled code runs: the outputs, then the update values,
  /// after the mode's rewrites (FastRun: fused loops print as
  /// Elemwise{Composite{...}} with their inner expression). hp::debugprint(f)
  /// prints it.
  std::vector<Var> optimized_graph() const;
  /// The generated C++ source ("" when the function runs on the reference evaluator).
  std::string source() const;
  /// Compile phases and cache outcome (also kept without profile = true).
  FunctionProfile compile_report() const;

  explicit Function(std::shared_ptr<FunctionImpl> impl) : impl_(std::move(impl)) {}

 private:
  template <class T>
  static Array to_array(T&& value) {
    using D = std::decay_t<T>;
    if constexpr (std::is_same_v<D, Array>) return std::forward<T>(value);
    else if constexpr (std::is_arithmetic_v<D>) return Array(value);
    else return array(value);
  }

  Array call_one(const std::vector<Array>& args) const;

  std::shared_ptr<FunctionImpl> impl_;
};

/// Builds a function computing `outputs` from `inputs` (theano.function).
Function compile(const std::vector<In>& inputs, const std::vector<Var>& outputs,
                 const CompileOptions& options = {});
/// The same with the inputs in a std::vector<hp::Var> (built in a loop, as
/// Theano takes a Python list). A template, so that a braced list
/// `compile({x}, {y})` still means the std::vector<In> form.
template <class Inputs>
  requires std::same_as<std::remove_cvref_t<Inputs>, std::vector<Var>>
Function compile(Inputs&& inputs, const std::vector<Var>& outputs, const CompileOptions& options = {}) {
  return compile(std::vector<In>(inputs.begin(), inputs.end()), outputs, options);
}

}  // namespace hypatia
