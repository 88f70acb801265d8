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

/// The gradient an op passes to one of its inputs.
struct InputGrad {
  enum class Kind {
    Value,      ///< `value` is d(cost)/d(input), of the input's type
    Zero,       ///< no contribution: piecewise-constant ops, integer inputs, shapes
    Undefined,  ///< the derivative does not exist; using it is an error naming `reason`
  };
  Kind kind = Kind::Zero;
  Var value;
  std::string reason;

  static InputGrad of(Var v) { return {Kind::Value, std::move(v), {}}; }
  static InputGrad zero() { return {Kind::Zero, {}, {}}; }
  static InputGrad undefined(std::string why) { return {Kind::Undefined, {}, std::move(why)}; }
};

class CppEmitter;
class CudaEmitter;

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
  /// Reverse mode: the gradient of the cost with respect to each input, given
  /// `output_grad` (the gradient with respect to the output, of its type).
  /// Default: undefined for every input.
  virtual std::vector<InputGrad> grad(const Apply& node, const Var& output_grad) const;
  /// Writes the node's C++ code (compiler/emit/cpp_emitter.hpp). Returns
  /// false when the op has none: the compiled function then calls its
  /// reference `perform` for this node.
  virtual bool emit_cpp(CppEmitter& /*cg*/, const Apply& /*node*/) const { return false; }
  /// Writes the node's CUDA kernels (compiler/emit/cuda_emitter.hpp), next
  /// to its C++. Returns false when the op has none: the CUDA program then
  /// runs the node on the host side (dot through cuBLAS, views, or the
  /// reference `perform`).
  virtual bool emit_cuda(CudaEmitter& /*cg*/, const Apply& /*node*/) const { return false; }
  /// Whether the generated code's output may be a view of input 0's memory
  /// (the memory plan keeps that memory until the view's last reader).
  virtual bool output_aliases_input() const { return false; }
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
/// A node's value for messages: "(num / den)", or "'ratio' = (num / den)"
/// when the user named it; pp_brief `depth` levels deep, escaped.
std::string node_text(const Var& out, int depth);

/// Makes `g`, a gradient computed at an op's output shape, fit `input`:
/// sums over the axes the input was broadcast along (leading axes it lacks,
/// and axes its type marks broadcastable), and casts to the input's dtype.
/// Integer and boolean inputs get no gradient (InputGrad::zero()).
InputGrad fit_grad_to(const Var& input, const Var& g);

}  // namespace hypatia
