/// \file The differential fuzzer's graphs: a random, well-typed graph is a
/// Recipe, a list of steps that each call one public function (an input, a
/// constant, a C++ number, or an op with its parameters). A recipe is plain
/// data, so it prints as a small text record, reads back, and can be cut down
/// (minimised) step by step; build() turns it into hp::Vars and the input
/// arrays (strided, transposed, reversed or broadcast views where the step
/// says so).
///
/// The generator keeps the runtime shape of every step beside its type, so
/// that every op it emits is valid for the values it will get: elementwise
/// operands agree on every axis their types do not mark broadcastable, dot's
/// inner sizes match, reshapes keep the size, indices are in bounds.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hypatia/hypatia.hpp"

namespace hypatia::fuzz {

/// How an input array is laid out in memory (every layout holds the same values).
enum class Layout { Contiguous, Strided, Transposed, Reversed, Broadcast };

struct Step {
  enum class Kind { Input, Constant, Literal, Op };
  Kind kind = Kind::Op;
  // Input, Constant, Literal: the value. Floats in `values`, integers and bools in `ints`.
  DType dtype = DType::Float64;
  std::vector<bool> broadcastable;  ///< Input only
  Shape shape;                      ///< runtime shape of the step's value (every kind)
  Layout layout = Layout::Contiguous;
  int layout_axis = 0;
  std::vector<double> values;
  std::vector<std::int64_t> int_values;
  // Op: the public function's name, its operands (earlier steps) and parameters.
  std::string op;
  std::vector<int> args;
  std::vector<std::int64_t> params;  ///< axes, permutation, pattern, new shape, ndim, axis
  bool all_axes = false;             ///< reductions: no axis given
  bool keepdims = false;
  std::vector<Index> indices;  ///< subtensor, set_subtensor, inc_subtensor
};

struct Recipe {
  std::vector<Step> steps;
  std::vector<int> outputs;  ///< steps whose values are the graph's outputs
};

/// A recipe made into variables and argument arrays.
struct Built {
  std::vector<Var> inputs;   ///< the Input steps' variables, in step order
  std::vector<Array> args;   ///< their values, laid out as the steps say
  std::vector<Var> outputs;
  std::vector<Var> step_vars;  ///< one per step
};

/// Applies one step given the variables of the earlier steps (TypeError when
/// the op refuses the operand types).
Var apply_step(const Step& step, const std::vector<Var>& vars, int index);
/// The array of an Input or Constant step, laid out as the step says.
Array make_value(const Step& step);
Built build(const Recipe& recipe);
/// The steps the outputs need, renumbered (unused leaves dropped).
Recipe prune(const Recipe& recipe);
/// Several recipes side by side as one (what a batch compiles).
Recipe concat(const std::vector<Recipe>& recipes);

/// Text form of a recipe, one step a line; parse_recipe reads it back
/// (hp::Error naming the line on a bad record).
std::string format_recipe(const Recipe& recipe);
Recipe parse_recipe(const std::string& text);

/// Which ops the generator may use.
struct GenOptions {
  int max_ops = 8;                   ///< op steps per graph (at least 1)
  std::int64_t max_elements = 240;   ///< per array
  bool differentiable_only = false;  ///< float64 graphs of smooth ops, for verify_grad
  /// Share of graphs with large arrays (up to 2^16 elements): the runtime's
  /// parallel loops and blocked strided paths start at tens of thousands.
  double big_fraction = 0.03;
};

/// Seeded generator of random recipes: the same seed gives the same graphs.
class Generator {
 public:
  explicit Generator(std::uint64_t seed, GenOptions options = {});
  Recipe next();

 private:
  struct Pool;
  std::mt19937_64 rng_;
  GenOptions options_;
};

/// The names of the ops the generator emits, for reports ("add", "sum", ...).
const std::vector<std::string>& op_names();

}  // namespace hypatia::fuzz
