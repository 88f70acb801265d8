#include "compiler/codegen/cpp_codegen.hpp"

#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"

#include "compiler/codegen/schedule.hpp"
#include "compiler/graph/describe.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "hypatia/print.hpp"
#include "runtime/templates.hpp"

namespace hypatia {
namespace {

constexpr int kMaxRank = 8;
constexpr std::size_t kMaxCommentLength = 160;

std::string short_text(std::string s) {
  if (s.size() > kMaxCommentLength) s = s.substr(0, kMaxCommentLength) + "...";
  return s;
}

bool fits_rank(const Var& v) { return v.ndim() <= kMaxRank; }



/// Calls visit(v) for each constant in the order codegen binds them: node
/// inputs in topological order, then outputs.
template <class Visit>
void for_each_constant(const std::vector<std::shared_ptr<Apply>>& nodes, const std::vector<Var>& inputs,
                       const std::vector<Var>& outputs, Visit&& visit) {
  std::unordered_set<const VarNode*> seen, input_set;
  for (const Var& v : inputs) input_set.insert(v.node());
  auto consider = [&](const Var& v) {
    if (v.is_constant() && !input_set.count(v.node()) && seen.insert(v.node()).second) visit(v);
  };
  for (const auto& node : nodes) {
    for (const Var& in : node->inputs()) consider(in);
  }
  for (const Var& v : outputs) consider(v);
}

}  // namespace

std::vector<Array> program_constants(const std::vector<std::shared_ptr<Apply>>& nodes,
                                     const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  std::vector<Array> constants;
  for_each_constant(nodes, inputs, outputs, [&](const Var& c) {
    if (c.ndim() > 0) constants.push_back(c.constant_value());
  });
  return constants;
}

std::optional<CppProgramText> generate_cpp(const std::vector<Var>& inputs,
                                           const std::vector<Var>& outputs,
                                           const std::string& function_name) {
  CppProgramText program;
  const auto order = schedule(inputs, outputs);
  for (const Var& v : inputs) {
    if (!fits_rank(v)) return std::nullopt;
  }
  for (const auto& node : order) {
    if (!fits_rank(node->output())) return std::nullopt;
    for (const Var& in : node->inputs()) {
      if (!fits_rank(in)) return std::nullopt;
    }
  }

  // Each output is written straight into the function's output storage by
  // the node that computes it, the first time it appears; others are copied.
  std::unordered_map<const VarNode*, int> first_output;
  for (std::size_t k = 0; k < outputs.size(); ++k) first_output.emplace(outputs[k].node(), static_cast<int>(k));
  std::unordered_set<const VarNode*> input_set;
  for (const Var& v : inputs) input_set.insert(v.node());
  CppEmitter cg([&](const Var& v) {
    auto it = first_output.find(v.node());
    return it == first_output.end() || input_set.count(v.node()) ? -1 : it->second;
  });

  // Multi-output fused loops write the values of the FusedOutputOp nodes that read them.
  for (const auto& node : order) {
    const auto* part = dynamic_cast<const FusedOutputOp*>(&node->op());
    if (part && node->inputs()[0].owner()) cg.add_fused_output(*node->inputs()[0].owner(), part->output_index(), node->output());
  }

  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string name = fmt::format("x{}", i);
    cg.line("const hp_tensor {} = in[{}];  // input {}: {} {}", name, i, i,
            comment_text(short_text(inputs[i].name())), inputs[i].type().str());
    // The executor checked the rank: telling Clang lets it unroll every loop over axes.
    cg.line("__builtin_assume({}.ndim == {});", name, inputs[i].ndim());
    cg.bind(inputs[i], name);
  }

  std::unordered_set<const VarNode*> bound(input_set);
  auto bind_constant = [&](const Var& c) {
    if (!bound.insert(c.node()).second) return;
    const Array& value = c.constant_value();
    const std::string name = cg.fresh("c");
    if (value.ndim() == 0) {
      cg.prelude(fmt::format("static const {} {}_value = {};\n", CppEmitter::c_type(value.dtype()), name,
                             CppEmitter::literal(value)));
      cg.line("const hp_tensor {0} = {{(void*)&{0}_value, 0, {{0}}, {{0}}}};", name);
    } else {
      const std::size_t slot = inputs.size() + program.constants.size();
      program.constants.push_back(value);
      cg.line("const hp_tensor {} = in[{}];  // constant", name, slot);
      cg.line("__builtin_assume({}.ndim == {});", name, value.ndim());
    }
    cg.bind(c, name);
  };
  auto bind_leaf = [&](const Var& v) {
    if (v.is_constant()) bind_constant(v);
    else if (!bound.count(v.node())) throw Error(fmt::format("internal: codegen met {} unbound", describe_var(v)));
  };

  // The memory plan: each value's memory belongs to a root (itself, or for a
  // view the value it views); a root's scratch memory is released after the
  // last node reading the root or any view of it. Outputs are never released.
  std::unordered_map<const VarNode*, const VarNode*> root;
  std::unordered_map<const VarNode*, std::size_t> last_read;
  constexpr std::size_t kNever = static_cast<std::size_t>(-1);
  auto root_of = [&](const Var& v) {
    auto it = root.find(v.node());
    return it == root.end() ? v.node() : it->second;
  };
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Apply& node = *order[k];
    if (node.op().output_aliases_input()) root[node.output().node()] = root_of(node.inputs()[0]);
    for (const Var& in : node.inputs()) last_read[root_of(in)] = k;
  }
  for (const Var& v : outputs) last_read[root_of(v)] = kNever;
  std::unordered_map<std::size_t, std::vector<Var>> release_after;
  for (const auto& node : order) {
    const Var out = node->output();
    if (root_of(out) != out.node()) continue;  // a view: its root decides
    auto it = last_read.find(out.node());
    if (it != last_read.end() && it->second != kNever) release_after[it->second].push_back(out);
  }

  for (std::size_t k = 0; k < order.size(); ++k) {
    const Apply& node = *order[k];
    program.nodes.push_back(order[k]);
    std::vector<DType> in_dtypes;
    for (const Var& in : node.inputs()) {
      if (!in.owner() || input_set.count(in.node())) bind_leaf(in);
      in_dtypes.push_back(in.dtype());
    }
    program.node_input_dtypes.push_back(in_dtypes);
    const Var out = node.output();
    cg.begin_node(static_cast<int>(k), node.op().name() + "  " + short_text(pp_brief(out)));
    cg.set_dying(release_after[k]);  // in-place ops may take over this memory
    if (!node.op().emit_cpp(cg, node)) {
      program.fallback_nodes.push_back(static_cast<int>(k));
      const std::string name = fmt::format("v{}", k);
      cg.line("hp_tensor {};", name);
      cg.open("");
      std::string args;
      for (const Var& in : node.inputs()) args += (args.empty() ? "" : ", ") + cg.tensor(in);
      cg.line("const hp_tensor args[{}] = {{{}}};", std::max<std::size_t>(1, node.inputs().size()), args);
      cg.fail_if(fmt::format("hp_perform(ctx, {}, args, {}, &{})", k, node.inputs().size(), name));
      cg.close();
      cg.line("__builtin_assume({}.ndim == {});", name, out.ndim());
      cg.bind(out, name);
    }
    cg.line("if (profile) hp_node_done(ctx, {});", k);
    for (const Var& dead : release_after[k]) {
      const std::string scratch = cg.scratch_tensor(dead);
      if (!scratch.empty()) cg.line("hp_temp_release(ctx, {}.data);  // last read", scratch);
    }
    bound.insert(out.node());
  }

  std::string epilogue = "\n  // outputs that are views, inputs, constants or repeated: copied\n";
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const Var& v = outputs[k];
    program.output_dtypes.push_back(v.dtype());
    if (v.is_constant()) bind_leaf(v);
    const bool direct = first_output.at(v.node()) == static_cast<int>(k) && cg.allocated_as_output(v);
    if (!direct) {
      epilogue += fmt::format("  if (hp_output_copy(ctx, {}, &{})) return {};\n", k, cg.tensor(v),
                              order.size() + 1 + k);
    }
  }

  const std::string header = fmt::format(
      "// Generated by Hypatia for function {}\n"
      "// {} inputs, {} outputs, {} nodes. User names appear only in comments.\n",
      comment_text(function_name.empty() ? "<unnamed>" : "'" + short_text(function_name) + "'"),
      inputs.size(), outputs.size(), order.size());
  program.source = std::string(codegen_template("abi.h")) + "\n" + std::string(codegen_template("math.h")) +
                   "\n" + cg.finish(header, epilogue, static_cast<int>(order.size()));
  return program;
}

}  // namespace hypatia
