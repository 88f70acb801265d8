/// Theano's methods on a variable (x.T(), x.sum(1), x.astype(...)) and its
/// name: each method is the free function of ops.hpp of the same name.
#include <fmt/format.h>

#include "compiler/graph/graph_node.hpp"
#include "hypatia/error.hpp"
#include "hypatia/graph.hpp"
#include "hypatia/ops.hpp"
#include "runtime/text.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {

Var& Var::set_name(const std::string& name) {
  if (is_null()) throw Error(fmt::format("set_name({}): null hp::Var", quoted_name(name)));
  node_->name = name;
  return *this;
}

Var named(Var v, const std::string& name) {
  if (v.is_null()) throw Error(fmt::format("named({}): null hp::Var", quoted_name(name)));
  v.set_name(name);
  return v;
}

Var Var::T() const { return hypatia::transpose(*this); }
Var Var::sum() const { return hypatia::sum(*this); }
Var Var::sum(int axis, bool keepdims) const { return hypatia::sum(*this, axis, keepdims); }
Var Var::mean() const { return hypatia::mean(*this); }
Var Var::mean(int axis, bool keepdims) const { return hypatia::mean(*this, axis, keepdims); }
Var Var::max() const { return hypatia::max(*this); }
Var Var::max(int axis, bool keepdims) const { return hypatia::max(*this, axis, keepdims); }
Var Var::min() const { return hypatia::min(*this); }
Var Var::min(int axis, bool keepdims) const { return hypatia::min(*this, axis, keepdims); }
Var Var::argmax() const { return hypatia::argmax(*this); }
Var Var::argmax(int axis, bool keepdims) const { return hypatia::argmax(*this, axis, keepdims); }
Var Var::reshape(const std::vector<std::int64_t>& shape) const { return hypatia::reshape(*this, shape); }
Var Var::flatten(int ndim) const { return hypatia::flatten(*this, ndim); }
Var Var::dimshuffle(const std::vector<int>& pattern) const { return hypatia::dimshuffle(*this, pattern); }
Var Var::astype(DType dtype) const { return hypatia::cast(*this, dtype); }

Var Var::operator[](const IndexEntry& index) const { return hypatia::index(*this, {index}); }
Var Var::operator[](std::initializer_list<IndexEntry> indices) const {
  return hypatia::index(*this, std::vector<IndexEntry>(indices));
}
Var Var::operator[](const std::vector<IndexEntry>& indices) const { return hypatia::index(*this, indices); }

}  // namespace hypatia
