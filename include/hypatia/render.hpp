/// \file Pictures of graphs: hp::render_graph lays a graph out with Graphviz
/// and writes it as PNG or SVG, chosen by the file's extension. The picture
/// is hp::to_dot's graph: boxes for apply nodes, ellipses for variables
/// (shared ones blue, constants grey), fused loops as clusters of their ops,
/// a function's outputs and updates labelled, and at most
/// DotOptions::max_nodes boxes (200 unless asked; a note says how many more
/// there are and `{.max_nodes = 0}` draws them all).
#pragma once

#include <filesystem>
#include <utility>
#include <vector>

#include "hypatia/function.hpp"
#include "hypatia/graph.hpp"
#include "hypatia/print.hpp"

namespace hypatia {

/// Draws the graph that computes `outputs`, as built (no rewrites), into
/// `path`, which must end in ".png" or ".svg". Throws hp::Error naming the
/// path for another extension, a file that cannot be written, or a graph
/// Graphviz cannot draw.
void render_graph(const Var& output, const std::filesystem::path& path, const DotOptions& options = {});
void render_graph(const std::vector<Var>& outputs, const std::filesystem::path& path,
                  const DotOptions& options = {});

/// The same with the roots labelled: the outputs ("output 0", ...), then
/// each update's new value ("update of w"), as hp::compile takes them.
void render_graph(const std::vector<Var>& outputs, const std::vector<std::pair<Shared, Var>>& updates,
                  const std::filesystem::path& path, const DotOptions& options = {});

/// Draws the graph `f`'s compiled code runs (f.optimized_graph()): its
/// outputs and update values after the rewrites of its mode (FastRun's for
/// Debug, whose compiled code it checks), labelled "output 0", "update of w".
void render_graph(const Function& f, const std::filesystem::path& path, const DotOptions& options = {});

}  // namespace hypatia
