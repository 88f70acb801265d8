/// \file Fused ops made by the fusion passes, never by users: a small graph
/// of elementwise ops over placeholder inputs computed in one loop
/// (Theano's Composite), and the same followed by a reduction.
///
/// Their generated code computes every inner node per element in registers,
/// so intermediate tensors are never written to memory. A fused reduction
/// (`sum(exp(x - y))`) reads its operands once and never materialises the
/// elementwise value: it is summed block by block (see CppEmitter::reduction).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/op.hpp"
#include "compiler/ops/reduce.hpp"

namespace hypatia {

class FusedElemwiseOp : public Op {
 public:
  /// `placeholders` stand for the node's inputs; `output` is built from them
  /// (and from 0-d constants) with elementwise ops only. `inplace_inputs`:
  /// positions of inputs whose buffer the output may take over when the
  /// generated code finds it is scratch memory read last by this node (set by
  /// the inplace pass; the memory plan decides at code generation).
  FusedElemwiseOp(std::vector<Var> placeholders, Var output, std::vector<int> inplace_inputs = {});

  std::string name() const override;
  std::string key() const override { return key_; }
  TensorType infer_type(const std::vector<Var>& inputs) const override;
  Array perform(const Apply& node, const std::vector<Array>& inputs) const override;
  std::string pretty(const std::vector<std::string>& args) const override;
  bool emit_cpp(CppEmitter& cg, const Apply& node) const override;

  /// Number of elementwise ops inside.
  std::size_t size() const { return inner_.size(); }
  const std::vector<Var>& placeholders() const { return placeholders_; }
  const Var& inner_output() const { return output_; }
  const std::vector<int>& inplace_inputs() const { return inplace_inputs_; }

  /// One element of the output as a C++ expression (a GNU statement
  /// expression), given the load expressions of the inputs' elements.
  std::string scalar_cpp(const std::vector<std::string>& loads) const;
  /// Whether scalar_cpp may set `err` (integer division by zero...).
  bool may_fail() const;

 private:
  std::vector<Var> placeholders_;
  Var output_;
  std::vector<int> inplace_inputs_;
  std::vector<std::shared_ptr<Apply>> inner_;  ///< inner nodes, in topological order
  std::string key_;
};

/// reduce(elementwise DAG of the inputs): a sum, mean, max, min or prod of a
/// fused elementwise expression, in one pass over the operands.
class FusedReduceOp : public Op {
 public:
  /// `reduction` is a reduction op (not argmax) applied to `elementwise`, the
  /// body: `FusedElemwiseOp` over the node's inputs.
  FusedReduceOp(std::shared_ptr<const FusedElemwiseOp> elementwise, std::shared_ptr<const Op> reduction);

  std::string name() const override;
  std::string key() const override { return key_; }
  TensorType infer_type(const std::vector<Var>& inputs) const override;
  Array perform(const Apply& node, const std::vector<Array>& inputs) const override;
  std::string pretty(const std::vector<std::string>& args) const override;
  bool emit_cpp(CppEmitter& cg, const Apply& node) const override;

  const FusedElemwiseOp& elementwise() const { return *elementwise_; }
  const ReductionInfo& reduction() const { return info_; }

 private:
  std::shared_ptr<const FusedElemwiseOp> elementwise_;
  std::shared_ptr<const Op> reduction_op_;
  ReductionInfo info_;
  /// reduction(elementwise(placeholders)): the reference graph of the node.
  Var output_;
  std::string key_;
};

}  // namespace hypatia
