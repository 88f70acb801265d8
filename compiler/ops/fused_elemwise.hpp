/// \file Fused ops made by the fusion passes, never by users: a small graph
/// of elementwise ops over placeholder inputs computed in one loop
/// (Theano's Composite), and the same followed by a reduction.
///
/// Their generated code computes every inner node per element in registers,
/// so intermediate tensors are never written to memory. A fused reduction
/// (`sum(exp(x - y))`) reads its operands once and never materialises the
/// elementwise value: it is summed block by block (see CppEmitter::reduction).
///
/// Several outputs from one loop, keeping one output per Apply node: a
/// FusedElemwiseOp may have several inner outputs of one shape. Its node's
/// value is inner output 0; inner output k >= 1 is the value of a node
/// FusedOutputOp(k)(that node's value, the same inputs). The reference
/// evaluates each node on its own (every consumer of the graph IR, which
/// reads one output per node, works unchanged); the generated code writes
/// every output in the first node's loop, and the FusedOutputOp nodes
/// (scheduled right after it) emit nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/graph/op.hpp"
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
  /// Several outputs computed in one loop (see the file comment): all of one
  /// broadcast pattern, so of one shape at run time. No in-place inputs.
  FusedElemwiseOp(std::vector<Var> placeholders, std::vector<Var> outputs);

  std::string name() const override;
  std::string key() const override { return key_; }
  TensorType infer_type(const std::vector<Var>& inputs) const override;
  Array perform(const Apply& node, const std::vector<Array>& inputs) const override;
  std::string pretty(const std::vector<std::string>& args) const override;
  bool emit_cpp(CppEmitter& cg, const Apply& node) const override;
  bool emit_cuda(CudaEmitter& cg, const Apply& node) const override;  // compiler/codegen/cuda_fused.cpp

  /// Number of elementwise ops inside.
  std::size_t size() const { return inner_.size(); }
  const std::vector<Var>& placeholders() const { return placeholders_; }
  const Var& inner_output() const { return outputs_[0]; }
  /// Every inner output; the node computes the first, FusedOutputOp nodes the others.
  const std::vector<Var>& inner_outputs() const { return outputs_; }
  const std::vector<int>& inplace_inputs() const { return inplace_inputs_; }
  /// pp's form of inner output k given the printed inputs.
  std::string pretty_output(std::size_t k, const std::vector<std::string>& args) const;
  /// The reference value of inner output k.
  Array perform_output(std::size_t k, const std::vector<Array>& inputs) const;

  /// One element of the output as a C++ expression (a GNU statement
  /// expression), given the load expressions of the inputs' elements.
  std::string scalar_cpp(const std::vector<std::string>& loads) const;
  /// One element of every inner output: a local per inner node, then the
  /// outputs' values (for CppEmitter::elementwise_outputs).
  ElementBody element_body(const std::vector<std::string>& loads) const;
  /// Whether scalar_cpp may set `err` (integer division by zero...).
  bool may_fail() const;

 private:
  std::vector<Var> placeholders_;
  std::vector<Var> outputs_;
  std::vector<int> inplace_inputs_;
  std::vector<std::shared_ptr<Apply>> inner_;  ///< inner nodes, in topological order
  std::string key_;
};

/// Inner output k >= 1 of a multi-output FusedElemwiseOp: the node
/// FusedOutputOp(k)(fused node's value, the fused node's inputs...). Input 0
/// orders it after the loop that writes it; the others give the reference
/// its operands.
class FusedOutputOp : public Op {
 public:
  FusedOutputOp(std::shared_ptr<const FusedElemwiseOp> fused, std::size_t k);

  std::string name() const override;
  std::string key() const override { return key_; }
  TensorType infer_type(const std::vector<Var>& inputs) const override;
  Array perform(const Apply& node, const std::vector<Array>& inputs) const override;
  std::string pretty(const std::vector<std::string>& args) const override;
  /// Nothing when the fused loop bound the output (the usual case); else
  /// false, and the node runs through its reference perform.
  bool emit_cpp(CppEmitter& cg, const Apply& node) const override;
  /// CUDA: its own kernel, recomputing output k from the fused node's inputs.
  bool emit_cuda(CudaEmitter& cg, const Apply& node) const override;  // compiler/codegen/cuda_fused.cpp

  const FusedElemwiseOp& fused() const { return *fused_; }
  std::size_t output_index() const { return k_; }

 private:
  std::shared_ptr<const FusedElemwiseOp> fused_;
  std::size_t k_;
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
  bool emit_cuda(CudaEmitter& cg, const Apply& node) const override;  // compiler/codegen/cuda_fused.cpp

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
