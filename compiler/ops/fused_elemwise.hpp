/// \file A fused elementwise op: a small graph of elementwise ops over
/// placeholder inputs, computed in one loop (Theano's Composite).
///
/// Made by the fuse_elemwise pass, never by users. Its generated code
/// computes every inner node per element in registers, so intermediate
/// tensors are never written to memory.
#pragma once

#include <vector>

#include "compiler/op.hpp"

namespace hypatia {

class FusedElemwiseOp : public Op {
 public:
  /// `placeholders` stand for the node's inputs; `output` is built from them
  /// (and from 0-d constants) with elementwise ops only.
  FusedElemwiseOp(std::vector<Var> placeholders, Var output);

  std::string name() const override;
  std::string key() const override { return key_; }
  TensorType infer_type(const std::vector<Var>& inputs) const override;
  Array perform(const Apply& node, const std::vector<Array>& inputs) const override;
  std::string pretty(const std::vector<std::string>& args) const override;
  bool emit_cpp(CppEmitter& cg, const Apply& node) const override;

  /// Number of elementwise ops inside.
  std::size_t size() const { return inner_.size(); }

 private:
  std::vector<Var> placeholders_;
  Var output_;
  std::vector<std::shared_ptr<Apply>> inner_;  ///< inner nodes, in topological order
  std::string key_;
};

}  // namespace hypatia
