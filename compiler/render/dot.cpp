/// to_dot: a graph as Graphviz DOT text, readable when the graph is large.
///
/// Three things keep a big picture readable. A fused loop of an optimised
/// graph is one node of the graph but many ops: it is drawn as a cluster
/// (a DOT `subgraph cluster_...`) holding a box per op, so the picture shows
/// what runs in one loop. Past DotOptions::max_nodes boxes, only the nodes
/// nearest the outputs are drawn (breadth first from the roots) and one
/// note says how many were left out. And a function's roots are labelled
/// ("output 0", "update of w"), so the picture says what each result is.
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "compiler/graph/display_names.hpp"
#include "compiler/graph/op.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "hypatia/function.hpp"
#include "hypatia/print.hpp"

namespace hypatia {
namespace {

/// Replaces characters that would break a double-quoted DOT label.
std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

/// The elementwise loop a node computes, when it is a fused loop: its own,
/// or the body of a fused reduction.
const FusedElemwiseOp* fused_loop(const Apply& node) {
  if (const auto* fused = dynamic_cast<const FusedElemwiseOp*>(&node.op())) return fused;
  if (const auto* reduce = dynamic_cast<const FusedReduceOp*>(&node.op())) return &reduce->elementwise();
  return nullptr;
}

/// "mul" for Elemwise{mul}: inside a fused loop every op is elementwise.
std::string inner_op_label(const Op& op) {
  const std::string name = op.name();
  constexpr std::string_view kElemwise = "Elemwise{";
  if (name.starts_with(kElemwise) && name.ends_with('}')) {
    return name.substr(kElemwise.size(), name.size() - kElemwise.size() - 1);
  }
  return name;
}

/// What the node's name says before its "{Composite{...}}": "Elemwise",
/// "Sum{axes=[1]}".
std::string composite_prefix(const Op& op) {
  const std::string name = op.name();
  const auto at = name.find("{Composite{");
  return at == std::string::npos ? name : name.substr(0, at);
}

/// Boxes a node takes: one, or one per op of a fused loop (and its reduction).
std::size_t box_count(const Apply& node) {
  const FusedElemwiseOp* loop = fused_loop(node);
  if (!loop) return 1;
  const bool reduces = dynamic_cast<const FusedReduceOp*>(&node.op()) != nullptr;
  return loop->size() + (reduces ? 1 : 0);
}

class DotWriter {
 public:
  DotWriter(const std::vector<Var>& roots, const DisplayNames& names, const DotOptions& options)
      : roots_(roots), names_(names), order_(topological_order(roots)) {
    choose_drawn(options.max_nodes);
  }

  std::string write(const std::vector<std::string>& labels) {
    for (const auto& node : order_) {
      if (drawn_.count(node.get())) write_node(node);
    }
    for (const Var& v : roots_) var_id(v);
    for (std::size_t k = 0; k < labels.size() && k < roots_.size(); ++k) write_label(k, labels[k]);
    if (elided_ > 0) write_elided_note();
    return "digraph hypatia {\n  rankdir=TB;\n" + body_ + "}\n";
  }

 private:
  /// Breadth first from the roots, the nodes nearest the outputs, until the
  /// next one would pass `max_nodes` boxes (the first is always drawn).
  void choose_drawn(std::size_t max_nodes) {
    std::size_t boxes = 0;
    for (const auto& node : order_) boxes += box_count(*node);
    if (max_nodes == 0 || boxes <= max_nodes) {
      for (const auto& node : order_) drawn_.insert(node.get());
      return;
    }
    std::deque<const Apply*> queue;
    std::unordered_set<const Apply*> queued;
    auto enqueue = [&](const Var& v) {
      if (v.owner() && queued.insert(v.owner().get()).second) queue.push_back(v.owner().get());
    };
    for (const Var& v : roots_) enqueue(v);
    boxes = 0;
    while (!queue.empty()) {
      const Apply* node = queue.front();
      queue.pop_front();
      const std::size_t cost = box_count(*node);
      if (!drawn_.empty() && boxes + cost > max_nodes) break;
      boxes += cost;
      drawn_.insert(node);
      for (const Var& in : node->inputs()) enqueue(in);
    }
    elided_ = order_.size() - drawn_.size();
  }

  std::string new_id(const char* prefix) { return fmt::format("{}{}", prefix, next_id_++); }

  /// The ellipse of `v`, written the first time; an input computed by a node
  /// left out hangs from the note that says so.
  std::string var_id(const Var& v) {
    auto [it, inserted] = var_ids_.emplace(v.node(), "");
    if (!inserted) return it->second;
    it->second = new_id("v");
    const char* style = v.is_constant() ? ", style=filled, fillcolor=gray90"
                        : v.is_shared() ? ", style=filled, fillcolor=lightblue"
                                        : "";
    const std::string name = names_.of(v);
    std::string label = v.owner() && name.empty() ? v.type().str() : leaf_or_name(v) + "\n" + v.type().str();
    body_ += fmt::format("  {} [shape=ellipse, label=\"{}\"{}];\n", it->second, dot_escape(label), style);
    if (v.owner() && !drawn_.count(v.owner().get())) {
      body_ += fmt::format("  elided -> {} [style=dashed];\n", it->second);
    }
    return it->second;
  }

  std::string leaf_or_name(const Var& v) const { return v.owner() ? names_.of(v) : leaf_text(v, names_); }

  /// "  a -> b;" or, for one operand among several, "  a -> b [label="i"];".
  void edge(const std::string& from, const std::string& to, std::size_t operand, std::size_t operands) {
    body_ += operands > 1 ? fmt::format("  {} -> {} [label=\"{}\"];\n", from, to, operand)
                          : fmt::format("  {} -> {};\n", from, to);
  }

  void write_node(const std::shared_ptr<Apply>& node) {
    if (const auto* output = dynamic_cast<const FusedOutputOp*>(&node->op())) {
      if (write_fused_output(*node, *output)) return;
    }
    if (fused_loop(*node)) {
      write_cluster(*node);
      return;
    }
    const std::string id = new_id("a");
    body_ += fmt::format("  {} [shape=box, label=\"{}\"];\n", id, dot_escape(node->op().name()));
    const auto& inputs = node->inputs();
    for (std::size_t i = 0; i < inputs.size(); ++i) edge(var_id(inputs[i]), id, i, inputs.size());
    body_ += fmt::format("  {} -> {};\n", id, var_id(node->output()));
  }

  /// A fused loop as a cluster: a box per inner op, the node's operands
  /// feeding the ops that read them, the last op (or the reduction) feeding
  /// the node's value.
  void write_cluster(const Apply& node) {
    const FusedElemwiseOp& loop = *fused_loop(node);
    const bool reduces = dynamic_cast<const FusedReduceOp*>(&node.op()) != nullptr;
    const std::string id = new_id("a");
    std::string title = fmt::format("{}{{Composite}}: {} op{}", composite_prefix(node.op()), loop.size(),
                                    loop.size() == 1 ? "" : "s");
    if (loop.inner_outputs().size() > 1) title += fmt::format(", {} outputs", loop.inner_outputs().size());
    title += reduces ? " and the reduction in one pass" : " in one loop";
    if (!loop.inplace_inputs().empty()) title += " (in place)";

    // Inner values: placeholders stand for the node's operands; constants
    // and ops are drawn inside the cluster.
    std::unordered_map<const VarNode*, std::string>& inner = inner_ids_[&node];
    for (std::size_t i = 0; i < loop.placeholders().size(); ++i) {
      inner[loop.placeholders()[i].node()] = var_id(node.inputs()[i]);
    }
    std::string cluster = fmt::format(
        "  subgraph cluster_{} {{\n    label=\"{}\";\n    style=rounded;\n    color=gray40;\n", id, dot_escape(title));
    std::string edges;
    const auto inner_order = topological_order(loop.inner_outputs(), loop.placeholders());
    std::size_t k = 0;
    auto inner_id = [&](const Var& v) {
      auto [it, inserted] = inner.emplace(v.node(), "");
      if (inserted) {  // a constant of the loop
        it->second = fmt::format("{}_c{}", id, k++);
        cluster += fmt::format("    {} [shape=ellipse, label=\"{}\", style=filled, fillcolor=gray90];\n", it->second,
                               dot_escape(leaf_text(v, names_)));
      }
      return it->second;
    };
    for (const auto& op_node : inner_order) {
      const std::string op_id = fmt::format("{}_{}", id, k++);
      cluster += fmt::format("    {} [shape=box, label=\"{}\"];\n", op_id, dot_escape(inner_op_label(op_node->op())));
      const auto& inputs = op_node->inputs();
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        const std::string from = inner_id(inputs[i]);
        edges += inputs.size() > 1 ? fmt::format("  {} -> {} [label=\"{}\"];\n", from, op_id, i)
                                   : fmt::format("  {} -> {};\n", from, op_id);
      }
      inner[op_node->output().node()] = op_id;
    }
    std::string value = inner_id(loop.inner_output());
    if (reduces) {
      const std::string reduce_id = fmt::format("{}_r", id);
      cluster += fmt::format("    {} [shape=box, label=\"{}\"];\n", reduce_id, dot_escape(composite_prefix(node.op())));
      edges += fmt::format("  {} -> {};\n", value, reduce_id);
      value = reduce_id;
    }
    body_ += cluster + "  }\n" + edges;
    body_ += fmt::format("  {} -> {};\n", value, var_id(node.output()));
  }

  /// Output k of a multi-output loop drawn as a cluster: an edge from the
  /// op computing it. False when that loop is not drawn as a cluster.
  bool write_fused_output(const Apply& node, const FusedOutputOp& op) {
    const Var& loop_value = node.inputs().at(0);
    if (!loop_value.owner() || !drawn_.count(loop_value.owner().get())) return false;
    auto it = inner_ids_.find(loop_value.owner().get());
    if (it == inner_ids_.end()) return false;
    auto inner = it->second.find(op.fused().inner_outputs().at(op.output_index()).node());
    if (inner == it->second.end()) return false;
    body_ += fmt::format("  {} -> {};\n", inner->second, var_id(node.output()));
    return true;
  }

  void write_label(std::size_t k, const std::string& label) {
    const bool is_output = label.starts_with("output");
    body_ += fmt::format("  r{} [shape=note, style=filled, fillcolor={}, label=\"{}\"];\n", k,
                         is_output ? "palegreen" : "lightyellow", dot_escape(label));
    body_ += fmt::format("  {} -> r{} [style=dashed];\n", var_id(roots_[k]), k);
  }

  void write_elided_note() {
    body_ += fmt::format(
        "  elided [shape=note, style=filled, fillcolor=mistyrose, label=\"{} of {} nodes not drawn (those "
        "farthest from the outputs)\\nto_dot or render_graph with {{.max_nodes = 0}} draws them all\"];\n",
        elided_, order_.size());
  }

  const std::vector<Var>& roots_;
  const DisplayNames& names_;
  std::vector<std::shared_ptr<Apply>> order_;
  std::unordered_set<const Apply*> drawn_;
  std::size_t elided_ = 0;
  std::unordered_map<const VarNode*, std::string> var_ids_;
  /// Per fused node drawn as a cluster: the DOT id of each inner value.
  std::unordered_map<const Apply*, std::unordered_map<const VarNode*, std::string>> inner_ids_;
  std::size_t next_id_ = 0;
  std::string body_;
};

std::string write_dot(const std::vector<Var>& roots, const std::vector<Var>& updated, std::size_t outputs,
                      bool labelled, const DotOptions& options) {
  for (const Var& v : roots) {
    if (v.is_null()) throw Error("to_dot: null hp::Var");
  }
  const DisplayNames names(roots, updated);
  const std::vector<std::string> labels = labelled ? root_labels(outputs, updated, names) : std::vector<std::string>{};
  return DotWriter(roots, names, options).write(labels);
}

}  // namespace

std::string to_dot(const Var& v, const DotOptions& options) { return to_dot(std::vector<Var>{v}, options); }

std::string to_dot(const std::vector<Var>& outputs, const DotOptions& options) {
  return write_dot(outputs, {}, outputs.size(), false, options);
}

std::string to_dot(const std::vector<Var>& outputs, const std::vector<std::pair<Shared, Var>>& updates,
                   const DotOptions& options) {
  return write_dot(roots_of(outputs, updates), updated_of(updates), outputs.size(), true, options);
}

std::string to_dot(const Function& f, const DotOptions& options) {
  return write_dot(f.optimized_graph(), updated_of(f.updates()), f.outputs().size(), true, options);
}

}  // namespace hypatia
