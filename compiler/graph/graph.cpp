#include "hypatia/graph.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/graph/describe.hpp"
#include "compiler/graph/graph_node.hpp"
#include "compiler/graph/op.hpp"
#include "hypatia/config.hpp"
#include "runtime/text.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {
namespace {

Var make_var(TensorType type, std::string name) {
  auto node = std::make_shared<VarNode>();
  node->type = std::move(type);
  node->name = std::move(name);
  return Var(std::move(node));
}

Var make_input(const std::string& name, std::optional<DType> dtype, std::vector<bool> bc) {
  return make_var(TensorType(dtype.value_or(config().floatX), std::move(bc)), name);
}

}  // namespace

// --- Var ---------------------------------------------------------------------------------

const VarNode& Var::checked() const {
  if (!node_) throw Error("use of a null hp::Var (default-constructed, never assigned)");
  return *node_;
}

Var Var::make_literal(const Array& value) {
  Var v = constant(value);
  v.node_->weak_literal = true;
  return v;
}

const TensorType& Var::type() const { return checked().type; }
const std::string& Var::name() const { return checked().name; }
const std::shared_ptr<Apply>& Var::owner() const { return checked().owner; }
int Var::index() const { return checked().index; }
bool Var::is_constant() const { return checked().constant.has_value(); }
bool Var::is_weak_literal() const { return checked().weak_literal; }
bool Var::is_shared() const { return checked().shared != nullptr; }
std::uint64_t Var::id() const { return checked().id; }

const Array& Var::constant_value() const {
  const VarNode& n = checked();
  if (!n.constant) throw Error(fmt::format("variable {} is not a constant", quoted_name(n.name)));
  return *n.constant;
}

// --- Apply ---------------------------------------------------------------------------------

Apply::Apply(std::shared_ptr<const Op> op, std::vector<Var> inputs)
    : op_(std::move(op)), inputs_(std::move(inputs)) {}

namespace {

/// How many of `inputs` hold `node`.
long references_among(const std::vector<Var>& inputs, const VarNode* node) {
  return std::count_if(inputs.begin(), inputs.end(), [&](const Var& v) { return v.node() == node; });
}

}  // namespace

// Freeing a chain recursively (an Apply its inputs, each input its owner, and
// so on) takes stack frames per node and overflows the stack past some 10^5
// nodes. Instead, each owner that dies with an input here (nothing else holds
// the input, nor its owner) is detached from the input and freed by the loop,
// after its own inputs have been treated the same way: no recursion.
Apply::~Apply() {
  std::vector<std::shared_ptr<Apply>> dying;
  const auto detach_owners = [&dying](std::vector<Var>& inputs) {
    for (const Var& in : inputs) {
      const std::shared_ptr<VarNode>& node = in.node_ptr();
      if (!node || !node->owner || node->owner.use_count() != 1) continue;
      if (node.use_count() != references_among(inputs, node.get())) continue;
      dying.push_back(std::move(node->owner));
    }
    inputs.clear();
  };
  detach_owners(inputs_);
  while (!dying.empty()) {
    std::shared_ptr<Apply> next = std::move(dying.back());
    dying.pop_back();
    detach_owners(next->inputs_);
  }
}

Var Apply::output(int i) const {
  if (i < 0 || i >= num_outputs()) {
    throw Error(fmt::format("{} has {} output(s), asked for output {}", op_->name(),
                            num_outputs(), i));
  }
  auto node = outputs_[i].lock();
  if (!node) throw Error(fmt::format("output {} of {} no longer exists", i, op_->name()));
  return Var(std::move(node));
}

Var make_apply(std::shared_ptr<const Op> op, std::vector<Var> inputs) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].is_null()) {
      throw Error(fmt::format("{}: input {} is a null hp::Var", op->name(), i));
    }
  }
  TensorType type = op->infer_type(inputs);
  auto apply = std::make_shared<Apply>(std::move(op), std::move(inputs));
  auto node = std::make_shared<VarNode>();
  node->type = std::move(type);
  node->owner = apply;
  node->index = 0;
  apply->outputs_.push_back(node);
  return Var(std::move(node));
}

// --- Shared ---------------------------------------------------------------------------------

SharedValue& Shared::storage() const {
  if (is_null()) throw Error("use of a null hp::Shared (default-constructed, never assigned)");
  if (!is_shared()) {
    throw Error(fmt::format("hp::Shared handle to {}, which is not a shared variable", describe_var(*this)));
  }
  return *node_ptr()->shared;
}

Array Shared::get_value(bool borrow) const {
  SharedValue& s = storage();
  std::lock_guard lock(s.mutex);
  return borrow ? s.value : s.value.copy();
}

void Shared::set_value(const Array& value) {
  SharedValue& s = storage();
  // As Theano's TensorType.filter: a dtype that converts without loss (an
  // upcast, or a single number that converts exactly) is converted; a
  // narrowing one is a TypeError.
  Array copy = fit_value_to_type(type(), value, "set_value of shared variable " + quoted_name(name()));
  if (copy.shares_storage(value)) copy = value.copy();
  std::lock_guard lock(s.mutex);
  s.value = std::move(copy);
  s.reshaped_by.clear();
}

// --- constructors ------------------------------------------------------------------------------

std::vector<bool> broadcastable_of(const Shape& shape) {
  std::vector<bool> bc;
  for (auto d : shape) bc.push_back(d == 1);
  return bc;
}

Var scalar(const std::string& name, std::optional<DType> dtype) { return make_input(name, dtype, {}); }
Var vector(const std::string& name, std::optional<DType> dtype) { return make_input(name, dtype, {false}); }
Var matrix(const std::string& name, std::optional<DType> dtype) {
  return make_input(name, dtype, {false, false});
}
Var row(const std::string& name, std::optional<DType> dtype) { return make_input(name, dtype, {true, false}); }
Var col(const std::string& name, std::optional<DType> dtype) { return make_input(name, dtype, {false, true}); }
Var tensor3(const std::string& name, std::optional<DType> dtype) {
  return make_input(name, dtype, {false, false, false});
}
Var tensor4(const std::string& name, std::optional<DType> dtype) {
  return make_input(name, dtype, {false, false, false, false});
}
Var tensor(const std::string& name, std::optional<DType> dtype, std::vector<bool> broadcastable) {
  return make_input(name, dtype, std::move(broadcastable));
}
Var tensor(const TensorType& type, const std::string& name) { return make_var(type, name); }

Var constant(const Array& value, const std::string& name) {
  Var v = make_var(TensorType(value.dtype(), broadcastable_of(value.shape())), name);
  v.node_ptr()->constant = value.copy();
  return v;
}

Var constant_of_type(const Array& value, const TensorType& type) {
  if (value.dtype() != type.dtype) {
    throw TypeError(fmt::format("internal: a {} constant for {}", dtype_name(value.dtype()), type.str()));
  }
  fit_value_to_type(type, value, "constant");
  Var v = make_var(type, "");
  v.node_ptr()->constant = value.copy();
  return v;
}

Shared shared(const Array& value, const std::string& name,
              std::optional<std::vector<bool>> broadcastable) {
  auto node = std::make_shared<VarNode>();
  node->type = TensorType(value.dtype(),
                          broadcastable.value_or(std::vector<bool>(value.ndim(), false)));
  node->name = name;
  fit_value_to_type(node->type, value, "hp::shared " + quoted_name(name));
  node->shared = std::make_shared<SharedValue>();
  node->shared->value = value.copy();
  return Shared(std::move(node));
}

}  // namespace hypatia
