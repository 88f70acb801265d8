/// numpy's arange: start, start + step, ... up to stop excluded, from three
/// scalars (symbolic or C++ numbers). The length is known only at run time.
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/elemwise.hpp"
#include "hypatia/config.hpp"
#include "hypatia/ops.hpp"

namespace hypatia {
namespace {

/// The number of elements of arange(start, stop, step) for integer bounds,
/// without overflow (the distance is taken in unsigned arithmetic).
std::int64_t int_length(std::int64_t start, std::int64_t stop, std::int64_t step) {
  if (step > 0 && stop > start) {
    const std::uint64_t distance = static_cast<std::uint64_t>(stop) - static_cast<std::uint64_t>(start);
    return static_cast<std::int64_t>((distance - 1) / static_cast<std::uint64_t>(step) + 1);
  }
  if (step < 0 && start > stop) {
    const std::uint64_t distance = static_cast<std::uint64_t>(start) - static_cast<std::uint64_t>(stop);
    const std::uint64_t magnitude = static_cast<std::uint64_t>(-(step + 1)) + 1;
    return static_cast<std::int64_t>((distance - 1) / magnitude + 1);
  }
  return 0;
}

class ARangeOp : public Op {
 public:
  /// floatX is read here, when the node is made (README: "floatX").
  ARangeOp() : weak_float_dtype_(config().floatX) {}
  std::string name() const override { return "ARange"; }

  TensorType infer_type(const std::vector<Var>& inputs) const override {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].ndim() != 0) {
        throw TypeError(fmt::format("{}: {} must be a scalar, got {}", describe_operands(*this, inputs),
                                    i == 0 ? "start" : i == 1 ? "stop" : "step", inputs[i].type().str()));
      }
      if (inputs[i].dtype() == DType::Bool) {
        throw TypeError(fmt::format("{}: arange of bool bounds is not defined", describe_operands(*this, inputs)));
      }
    }
    return TensorType(promote_operands(inputs, weak_float_dtype_), {false});
  }

  Array perform(const Apply& node, const std::vector<Array>& inputs) const override {
    const DType dtype = node.output().dtype();
    if (!is_float(dtype)) {
      const std::int64_t start = inputs[0].get_flat_int(0), stop = inputs[1].get_flat_int(0),
                         step = inputs[2].get_flat_int(0);
      if (step == 0) throw InvalidValueError(fmt::format("{}: the step is zero", node_str(node)));
      const std::int64_t n = int_length(start, stop, step);
      Array out({n}, dtype);
      for (std::int64_t i = 0; i < n; ++i) {
        out.set_flat_int(i, static_cast<std::int64_t>(static_cast<std::uint64_t>(start) +
                                                      static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(step)));
      }
      return out;
    }
    const double start = inputs[0].get_flat_double(0), stop = inputs[1].get_flat_double(0),
                 step = inputs[2].get_flat_double(0);
    if (step == 0) throw InvalidValueError(fmt::format("{}: the step is zero", node_str(node)));
    const double count = std::ceil((stop - start) / step);
    if (!(count < 1e15)) {
      if (count > 0 || std::isnan(count)) {
        throw InvalidValueError(fmt::format("{}: arange({}, {}, {}) has no finite length", node_str(node), start,
                                            stop, step));
      }
    }
    const std::int64_t n = count > 0 ? static_cast<std::int64_t>(count) : 0;
    Array out({n}, dtype);
    for (std::int64_t i = 0; i < n; ++i) out.set_flat_double(i, start + static_cast<double>(i) * step);
    return out;
  }

  std::string pretty(const std::vector<std::string>& args) const override {
    return fmt::format("arange({}, {}, {})", args[0], args[1], args[2]);
  }

  bool emit_cpp(CppEmitter& cg, const Apply& node) const override {
    const Var out = node.output();
    const DType dtype = out.dtype();
    const std::string name = fmt::format("v{}", cg.node_index());
    std::vector<std::string> v;
    for (int i = 0; i < 3; ++i) {
      const Var& in = node.inputs()[i];
      const std::string load = in.is_constant() ? CppEmitter::literal(in.constant_value())
                                                : fmt::format("((const {}*){}.data)[0]", CppEmitter::c_type(in.dtype()),
                                                              cg.tensor(in));
      v.push_back(CppEmitter::convert(load, in.dtype(), is_float(dtype) ? DType::Float64 : DType::Int64));
    }
    cg.line("const {0} {1}_start = {2}, {1}_stop = {3}, {1}_step = {4};", is_float(dtype) ? "double" : "hp_i64",
            name, v[0], v[1], v[2]);
    cg.fail_if(fmt::format("{}_step == 0", name));
    if (is_float(dtype)) {
      cg.line("const double {0}_count = __builtin_ceil(({0}_stop - {0}_start) / {0}_step);", name);
      cg.fail_if(fmt::format("!({0}_count < 1e15) && ({0}_count > 0 || {0}_count != {0}_count)", name));
      cg.line("const hp_i64 {0}_n = {0}_count > 0 ? (hp_i64){0}_count : 0;", name);
    } else {
      cg.line("hp_i64 {}_n = 0;", name);
      cg.open(fmt::format("if ({0}_step > 0 && {0}_stop > {0}_start)", name));
      cg.line("{0}_n = (hp_i64)(((unsigned long long){0}_stop - (unsigned long long){0}_start - 1) / "
              "(unsigned long long){0}_step + 1);", name);
      cg.close();
      cg.open(fmt::format("if ({0}_step < 0 && {0}_start > {0}_stop)", name));
      cg.line("{0}_n = (hp_i64)(((unsigned long long){0}_start - (unsigned long long){0}_stop - 1) / "
              "((unsigned long long)(-({0}_step + 1)) + 1) + 1);", name);
      cg.close();
    }
    cg.allocate(out, name, {name + "_n"});
    const std::string T = CppEmitter::c_type(dtype);
    if (is_float(dtype)) {
      cg.line("for (hp_i64 i = 0; i < {0}_n; ++i) (({1}*){0}.data)[i] = ({1})({0}_start + (double)i * {0}_step);", name, T);
    } else {
      cg.line("for (hp_i64 i = 0; i < {0}_n; ++i) (({1}*){0}.data)[i] = ({1})(hp_i64)((unsigned long long){0}_start + "
              "(unsigned long long)i * (unsigned long long){0}_step);", name, T);
    }
    return true;
  }

  // Theano's: start shifts every element; the length, hence stop, is piecewise constant.
  std::vector<InputGrad> grad(const Apply& node, const Var& g) const override {
    const Var out = node.output();
    const Var positions = make_apply(std::make_shared<ARangeOp>(), {Var(0), shape(out)[0], Var(1)});
    return {fit_grad_to(node.inputs()[0], sum(g)), InputGrad::zero(),
            fit_grad_to(node.inputs()[2], sum(g * positions))};
  }

 private:
  DType weak_float_dtype_;
};

Var make_arange(const Var& start, const Var& stop, const Var& step) {
  for (const Var* v : {&start, &stop, &step}) {
    if (v->is_null()) throw Error("arange: a bound is a null hp::Var");
  }
  return make_apply(std::make_shared<ARangeOp>(), {start, stop, step});
}

}  // namespace

Var arange(const Var& stop) { return make_arange(0, stop, 1); }
Var arange(const Var& start, const Var& stop, const Var& step) { return make_arange(start, stop, step); }

}  // namespace hypatia
