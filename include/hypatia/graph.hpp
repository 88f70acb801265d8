/// \file The symbolic graph: tensor types, variables, apply nodes, constants,
/// shared variables and the constructors of symbolic inputs.
///
/// A Var is a cheap handle (shared ownership) to one variable of the graph.
/// A variable is an input (no owner), a constant, a shared variable, or the
/// output of an Apply node, which owns its inputs. Graphs are immutable once
/// built: rewriting builds new nodes.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/dtype.hpp"
#include "hypatia/tensor_type.hpp"

namespace hypatia {

class Op;
class Apply;
struct VarNode;
struct SharedValue;
struct IndexEntry;

/// A Python slice start:stop:step; absent parts take Python's defaults.
struct Slice {
  std::optional<std::int64_t> start, stop, step;
};
/// `hp::slice()` is `:`, `hp::slice(1, 3)` is `1:3`, `hp::slice(std::nullopt, std::nullopt, -1)` is `::-1`.
inline Slice slice(std::optional<std::int64_t> start = std::nullopt,
                   std::optional<std::int64_t> stop = std::nullopt,
                   std::optional<std::int64_t> step = std::nullopt) {
  return Slice{start, stop, step};
}

/// numpy's newaxis (None) in an index, x[{hp::newaxis, 0}], and Theano's 'x'
/// in a dimshuffle pattern, where it reads as -1.
struct NewAxis {
  constexpr operator int() const { return -1; }  // NOLINT(google-explicit-constructor)
};
inline constexpr NewAxis newaxis{};

class Var {
 public:
  /// A null handle; most operations on it throw hp::Error.
  Var() = default;
  /// A C++ number becomes a weakly typed constant (NEP 50): `x * 2` keeps x's dtype.
  template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
  Var(T value)  // NOLINT(google-explicit-constructor)
      : Var(make_literal(Array(value))) {}

  const TensorType& type() const;
  /// The user's name, "" when unnamed.
  const std::string& name() const;
  DType dtype() const { return type().dtype; }
  int ndim() const { return type().ndim(); }
  std::vector<bool> broadcastable() const { return type().broadcastable; }

  /// The node that computes this variable; null for inputs, constants and shared variables.
  const std::shared_ptr<Apply>& owner() const;
  /// Which output of owner() this is.
  int index() const;
  bool is_input() const { return !owner() && !is_constant() && !is_shared(); }
  bool is_constant() const;
  /// A constant made from a C++ number, typed weakly in arithmetic.
  bool is_weak_literal() const;
  const Array& constant_value() const;
  bool is_shared() const;
  bool is_null() const { return node_ == nullptr; }

  /// Evaluates this variable given values for the inputs it depends on
  /// (`bar.eval({{foo, 3.0}})`), as Theano's eval: compiles a function of the
  /// given variables in the default mode (config().mode) and calls it. The
  /// function is cached on the variable, so evaluating it again with the same
  /// given variables (and config) does not compile again. A given may also be
  /// a shared variable or an inner variable, whose value then replaces it.
  /// Every given must be used and every input the variable reads given.
  Array eval(const std::vector<std::pair<Var, Array>>& givens = {}) const;

  /// Names this variable (Theano's `x.name = "xent"`); pp, debugprint,
  /// to_dot, render_graph, hypatia-dump's graphs and error messages show it.
  /// The name belongs to the variable, so every copy of this hp::Var sees it,
  /// and it survives givens and the rewrites that keep the node. Names never
  /// change what is computed or cached. Returns *this. See also hp::named.
  Var& set_name(const std::string& name);

  // Theano's methods, each the free function of ops.hpp of the same name:
  // x.T(), x.sum(1), x.mean(), x.reshape({2, 3}), x.astype(hp::float32).
  Var T() const;
  Var sum() const;
  Var sum(int axis, bool keepdims = false) const;
  Var mean() const;
  Var mean(int axis, bool keepdims = false) const;
  Var max() const;
  Var max(int axis, bool keepdims = false) const;
  Var min() const;
  Var min(int axis, bool keepdims = false) const;
  Var argmax() const;
  Var argmax(int axis, bool keepdims = false) const;
  Var reshape(const std::vector<std::int64_t>& shape) const;
  Var flatten(int ndim = 1) const;
  Var dimshuffle(const std::vector<int>& pattern) const;
  Var astype(DType dtype) const;

  /// numpy's indexing: `x[0]`, `x[-1]`, `x[hp::slice(1, 3)]`, `x[idx]` with an
  /// integer hp::Var (advanced indexing, a copy), `x[mask]` with a boolean
  /// one. Constant integers and slices alone give a view (hp::subtensor).
  Var operator[](const IndexEntry& index) const;
  /// Several entries, one per leading axis: `x[{rows, cols}]`,
  /// `x[{hp::slice(1, 3), 0}]`, `x[{hp::slice(), hp::newaxis}]` (C++20's
  /// operator[] takes one argument, so they go in braces).
  Var operator[](std::initializer_list<IndexEntry> indices) const;
  Var operator[](const std::vector<IndexEntry>& indices) const;

  /// Identity (not symbolic equality: use hp::eq for that).
  bool is(const Var& other) const { return node_ == other.node_; }
  const VarNode* node() const { return node_.get(); }
  /// A process-unique number, in creation order.
  std::uint64_t id() const;

  /// Builds a variable from its parts; used by the graph builders.
  explicit Var(std::shared_ptr<VarNode> node) : node_(std::move(node)) {}
  const std::shared_ptr<VarNode>& node_ptr() const { return node_; }

 private:
  static Var make_literal(const Array& value);
  const VarNode& checked() const;

  std::shared_ptr<VarNode> node_;
};

/// One entry of x[...]: an integer, an hp::slice, hp::newaxis, or an
/// hp::Var (integer indices, or a boolean mask).
struct IndexEntry {
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  IndexEntry(T i) : value(static_cast<std::int64_t>(i)) {}  // NOLINT(google-explicit-constructor)
  IndexEntry(Slice s) : value(s) {}                         // NOLINT(google-explicit-constructor)
  IndexEntry(NewAxis n) : value(n) {}                       // NOLINT(google-explicit-constructor)
  IndexEntry(Var v) : value(std::move(v)) {}                // NOLINT(google-explicit-constructor)
  std::variant<std::int64_t, Slice, NewAxis, Var> value;
};

/// Hash and ordering by identity, for maps keyed by variable.
struct VarHash {
  std::size_t operator()(const Var& v) const { return std::hash<const VarNode*>{}(v.node()); }
};
struct VarIs {
  bool operator()(const Var& a, const Var& b) const { return a.is(b); }
};

/// One application of an Op to input variables, producing output variables.
class Apply {
 public:
  Apply(std::shared_ptr<const Op> op, std::vector<Var> inputs);
  /// Destroys the chain of nodes that dies with this one iteratively, so
  /// that a graph of any depth is freed without overflowing the stack.
  ~Apply();
  Apply(const Apply&) = delete;
  Apply& operator=(const Apply&) = delete;
  const Op& op() const { return *op_; }
  const std::shared_ptr<const Op>& op_ptr() const { return op_; }
  const std::vector<Var>& inputs() const { return inputs_; }
  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  /// Output i as a Var; throws if it no longer exists.
  Var output(int i = 0) const;

 private:
  friend Var make_apply(std::shared_ptr<const Op> op, std::vector<Var> inputs);
  std::shared_ptr<const Op> op_;
  std::vector<Var> inputs_;
  std::vector<std::weak_ptr<VarNode>> outputs_;
};

/// Creates the node op(inputs) and returns its output; the op checks and
/// infers the type (hp::TypeError naming the op and operand types).
Var make_apply(std::shared_ptr<const Op> op, std::vector<Var> inputs);

/// A variable with a value that lives across calls, shared by every function
/// that uses it (theano.shared).
class Shared : public Var {
 public:
  Shared() = default;
  /// A copy of the value, or (borrow = true) the stored array itself.
  Array get_value(bool borrow = false) const;
  /// Replaces the value (copied). A value of another dtype is converted when
  /// that loses nothing (an upcast, as Theano's filter), else hp::TypeError;
  /// the rank and broadcastable axes must fit the type; a new shape is fine.
  void set_value(const Array& value);

  explicit Shared(std::shared_ptr<VarNode> node) : Var(std::move(node)) {}
  /// The lockable storage of the value, for executors.
  SharedValue& storage() const;
};

/// The state of a shared variable. Executors lock `mutex` while reading or replacing `value`.
struct SharedValue;

// --- constructors ---------------------------------------------------------------
/// Broadcast pattern from a shape: true where the size is 1.
std::vector<bool> broadcastable_of(const Shape& shape);

Var scalar(const std::string& name = "", std::optional<DType> dtype = std::nullopt);
Var vector(const std::string& name = "", std::optional<DType> dtype = std::nullopt);
Var matrix(const std::string& name = "", std::optional<DType> dtype = std::nullopt);
/// A (1, n) matrix whose first axis broadcasts.
Var row(const std::string& name = "", std::optional<DType> dtype = std::nullopt);
/// An (n, 1) matrix whose second axis broadcasts.
Var col(const std::string& name = "", std::optional<DType> dtype = std::nullopt);
Var tensor3(const std::string& name = "", std::optional<DType> dtype = std::nullopt);
Var tensor4(const std::string& name = "", std::optional<DType> dtype = std::nullopt);
Var tensor(const std::string& name, std::optional<DType> dtype, std::vector<bool> broadcastable);
Var tensor(const TensorType& type, const std::string& name = "");

/// A constant; its broadcast pattern is taken from its shape (size-1 axes broadcast).
Var constant(const Array& value, const std::string& name = "");

/// Names `v` and returns it, so that an expression can be named where it is
/// built: `hp::Var xent = hp::named(-y * hp::log(p), "xent")`. The same as
/// v.set_name(name): the name belongs to the variable.
Var named(Var v, const std::string& name);

/// A shared variable holding a copy of `value`. Its dtype is the value's
/// (not floatX: convert first); broadcastable defaults to all false.
Shared shared(const Array& value, const std::string& name = "",
              std::optional<std::vector<bool>> broadcastable = std::nullopt);
/// The same with the pattern written as a list: hp::shared(v, "b", {false, true}).
inline Shared shared(const Array& value, const std::string& name, const std::vector<bool>& broadcastable) {
  return shared(value, name, std::optional<std::vector<bool>>(broadcastable));
}

// Theano's typed constructors: the prefix letter names the dtype (b int8,
// w int16, i int32, l int64, f float32, d float64), as T.ivector("y").
#define HYPATIA_TYPED_CONSTRUCTORS(prefix, dtype)                                                    \
  inline Var prefix##scalar(const std::string& name = "") { return scalar(name, dtype); }        \
  inline Var prefix##vector(const std::string& name = "") { return vector(name, dtype); }        \
  inline Var prefix##matrix(const std::string& name = "") { return matrix(name, dtype); }        \
  inline Var prefix##row(const std::string& name = "") { return row(name, dtype); }              \
  inline Var prefix##col(const std::string& name = "") { return col(name, dtype); }              \
  inline Var prefix##tensor3(const std::string& name = "") { return tensor3(name, dtype); }      \
  inline Var prefix##tensor4(const std::string& name = "") { return tensor4(name, dtype); }
HYPATIA_TYPED_CONSTRUCTORS(b, DType::Int8)
HYPATIA_TYPED_CONSTRUCTORS(w, DType::Int16)
HYPATIA_TYPED_CONSTRUCTORS(i, DType::Int32)
HYPATIA_TYPED_CONSTRUCTORS(l, DType::Int64)
HYPATIA_TYPED_CONSTRUCTORS(f, DType::Float32)
HYPATIA_TYPED_CONSTRUCTORS(d, DType::Float64)
#undef HYPATIA_TYPED_CONSTRUCTORS

}  // namespace hypatia
