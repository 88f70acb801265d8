// \file The MLP example's plots, drawn with Cairo and written as PNG: a
// scatter plot of points coloured by a value in [0, 1] (matplotlib's
// scatter with the "cool" colour map, as the tutorial's notebook draws the
// network's output), and curves against iteration in stacked panels (the
// training history). Only what examples/mlp.cpp needs; Cairo stays inside
// plot_png.cpp.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace plot_png {

/// Picture sizes in pixels (the tests decode the PNGs and check them).
inline constexpr int scatter_width = 600;
inline constexpr int scatter_height = 600;
inline constexpr int history_width = 800;
inline constexpr int history_height = 600;

/// A closed interval of one axis.
struct Range {
  double min;
  double max;
};

/// A colour with components in [0, 1].
struct Rgb {
  double r;
  double g;
  double b;
};

/// matplotlib's "cool" colour map: cyan at 0, magenta at 1; t is clamped to [0, 1].
Rgb cool_colour(double t);

/// Points (xs[i], ys[i]), each filled with cool_colour(values[i]), inside the
/// axes `x` by `y` (points outside are clipped), with `title` above.
/// Throws std::invalid_argument on sizes that differ, std::runtime_error when
/// the file cannot be written.
void write_scatter(const std::filesystem::path& path, const std::vector<double>& xs, const std::vector<double>& ys,
                   const std::vector<double>& values, Range x, Range y, const std::string& title);

/// One curve of write_history: a panel of its own, labelled `name`.
struct Curve {
  std::string name;
  std::vector<double> values;
  Rgb colour;
};

/// Each curve against 1, 2, ..., n in its own panel, stacked top to bottom,
/// sharing the x axis labelled `x_label`, with `title` above. The y axis of
/// each panel spans its curve's values (padded). Throws as write_scatter.
void write_history(const std::filesystem::path& path, const std::vector<Curve>& curves, const std::string& x_label,
                   const std::string& title);

}  // namespace plot_png
