/// \file hypatia-bench's chart, drawn with Cairo and written as PNG: a line
/// panel (time per element of the 10-op chain against size, one line per
/// implementation) above a bar panel (speed-up over the hand-written loop for
/// one row of each graph, one bar per implementation), both on log axes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hypatia_bench {

/// One implementation: its name, colour and a value per x (or per group);
/// values <= 0 are missing and not drawn.
struct ChartSeries {
  std::string name;
  double r, g, b;
  std::vector<double> values;
};

struct Chart {
  std::string title;
  std::string lines_title;            ///< the line panel's title
  std::string lines_y_label;
  std::vector<std::string> x_labels;  ///< evenly spaced
  std::vector<ChartSeries> lines;
  std::string bars_title;
  std::vector<std::string> groups;    ///< one bar group per entry
  std::vector<ChartSeries> bars;      ///< values per group; drawn as ratios around 1
};

/// Writes `chart` as a 1200x1100 PNG; throws std::runtime_error when it cannot.
void write_chart_png(const std::filesystem::path& path, const Chart& chart);

}  // namespace hypatia_bench
