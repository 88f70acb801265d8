/// \file Pictures of graphs: hp::render_graph lays a graph out with Graphviz
/// and writes it as PNG or SVG, chosen by the file's extension. The picture
/// is hp::to_dot's graph: boxes for apply nodes, ellipses for variables
/// (shared ones blue, constants grey).
#pragma once

#include <filesystem>
#include <vector>

#include "hypatia/function.hpp"
#include "hypatia/graph.hpp"

namespace hypatia {

/// Draws the graph that computes `outputs`, as built (no rewrites), into
/// `path`, which must end in ".png" or ".svg". Throws hp::Error naming the
/// path for another extension, a file that cannot be written, or a graph
/// Graphviz cannot draw.
void render_graph(const Var& output, const std::filesystem::path& path);
void render_graph(const std::vector<Var>& outputs, const std::filesystem::path& path);

/// Draws the graph `f`'s compiled code runs (f.optimized_graph()): its
/// outputs and update values after the rewrites of its mode (FastRun's for
/// Debug, whose compiled code it checks).
void render_graph(const Function& f, const std::filesystem::path& path);

}  // namespace hypatia
