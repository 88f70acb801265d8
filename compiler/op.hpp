/// \file The Op interface: what every operation declares, in one place per family.
///
/// An Op instance carries its parameters (axes, dtype, pattern...). Each family
/// (elementwise, reduction, dot, shape ops, subtensor, softmax) implements:
/// type inference, the reference `perform`, printing and a key for equality.
/// Later issues add the gradient and the C++/CUDA code next to these.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/error.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

class Op {
 public:
  virtual ~Op() = default;

  /// The name debugprint shows: "Elemwise{add}", "Sum{axes=[1]}", "Dot".
  virtual std::string name() const = 0;
  /// Text that identifies the op and its parameters (two ops with the same key are equal).
  virtual std::string key() const { return name(); }
  /// Type of the output for these inputs; throws hp::TypeError naming the op and the types.
  virtual TensorType infer_type(const std::vector<Var>& inputs) const = 0;
  /// Reference semantics: plain, exact, strided, any dtype. `node` gives the
  /// types and the context for error messages.
  virtual Array perform(const Apply& node, const std::vector<Array>& inputs) const = 0;
  /// pp's form given the printed inputs; default `name(a, b)`.
  virtual std::string pretty(const std::vector<std::string>& args) const;
};

// --- helpers shared by the op families ----------------------------------------------

/// "Elemwise{add}(TensorType(float64, matrix), TensorType(int8, vector))": the op
/// and its operand types, for error messages.
std::string describe_operands(const Op& op, const std::vector<Var>& inputs);
/// "(2, 3)"
std::string shape_str(const Shape& shape);
/// Normalises a possibly negative axis against ndim; TypeError naming the op when out of range.
int normalize_axis(const std::string& op_name, int axis, int ndim);
/// The node printed as pp prints it, for runtime error messages.
std::string node_str(const Apply& node);

}  // namespace hypatia
