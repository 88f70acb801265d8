#include "chart_png.hpp"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <cstdio>
#include <stdexcept>

namespace hypatia_bench {

namespace {

constexpr int kWidth = 1200;
constexpr int kHeight = 1100;

struct Box {
  double x, y, w, h;
};

/// A log10 axis spanning the positive values of `series` (whole decades).
struct LogAxis {
  double low, high;  ///< decades
  double fraction(double v) const { return (std::log10(v) - low) / (high - low); }
};

LogAxis log_axis(const std::vector<ChartSeries>& series, double include) {
  double lo = include, hi = include;
  for (const ChartSeries& s : series) {
    for (double v : s.values) {
      if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  return {std::floor(std::log10(lo)), std::max(std::ceil(std::log10(hi)), std::floor(std::log10(lo)) + 1)};
}

void text(cairo_t* cr, double x, double y, const std::string& s, double size, double align = 0) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, s.c_str(), &extents);
  cairo_move_to(cr, x - align * extents.width, y);
  cairo_show_text(cr, s.c_str());
}

std::string decade_label(double decade) {
  char buffer[32];
  const double v = std::pow(10.0, decade);
  std::snprintf(buffer, sizeof buffer, v >= 1 ? "%.0f" : "%g", v);
  return buffer;
}

void legend(cairo_t* cr, const std::vector<ChartSeries>& series, double x, double y) {
  for (const ChartSeries& s : series) {
    cairo_set_source_rgb(cr, s.r, s.g, s.b);
    cairo_rectangle(cr, x, y - 9, 14, 10);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, x + 18, y, s.name, 12);
    x += 30 + 7.5 * static_cast<double>(s.name.size());
  }
}

void draw_lines(cairo_t* cr, const Chart& chart, Box box) {
  const LogAxis axis = log_axis(chart.lines, 1);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  text(cr, box.x, box.y - 28, chart.lines_title, 15);
  legend(cr, chart.lines, box.x, box.y - 10);
  const std::size_t n = chart.x_labels.size();
  auto px = [&](std::size_t i) { return box.x + box.w * (n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) : 0.5); };
  auto py = [&](double v) { return box.y + box.h * (1 - axis.fraction(v)); };
  cairo_set_line_width(cr, 1);
  for (double d = axis.low; d <= axis.high; ++d) {
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
    cairo_move_to(cr, box.x, py(std::pow(10, d)));
    cairo_line_to(cr, box.x + box.w, py(std::pow(10, d)));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, box.x - 8, py(std::pow(10, d)) + 4, decade_label(d), 11, 1);
  }
  for (std::size_t i = 0; i < n; ++i) text(cr, px(i), box.y + box.h + 18, chart.x_labels[i], 11, 0.5);
  cairo_save(cr);
  cairo_translate(cr, box.x - 50, box.y + box.h / 2);
  cairo_rotate(cr, -std::numbers::pi / 2);
  text(cr, 0, 0, chart.lines_y_label, 12, 0.5);
  cairo_restore(cr);
  cairo_set_line_width(cr, 2.2);
  for (const ChartSeries& s : chart.lines) {
    cairo_set_source_rgb(cr, s.r, s.g, s.b);
    bool drawing = false;
    for (std::size_t i = 0; i < std::min(n, s.values.size()); ++i) {
      if (s.values[i] <= 0) {
        drawing = false;
        continue;
      }
      if (drawing) cairo_line_to(cr, px(i), py(s.values[i]));
      else cairo_move_to(cr, px(i), py(s.values[i]));
      drawing = true;
    }
    cairo_stroke(cr);
  }
}

void draw_bars(cairo_t* cr, const Chart& chart, Box box) {
  const LogAxis axis = log_axis(chart.bars, 1);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  text(cr, box.x, box.y - 28, chart.bars_title, 15);
  legend(cr, chart.bars, box.x, box.y - 10);
  const double group_w = box.w / static_cast<double>(std::max<std::size_t>(chart.groups.size(), 1));
  const double bar_w = group_w * 0.8 / static_cast<double>(std::max<std::size_t>(chart.bars.size(), 1));
  auto py = [&](double v) { return box.y + box.h * (1 - axis.fraction(v)); };
  cairo_set_line_width(cr, 1);
  for (double d = axis.low; d <= axis.high; ++d) {
    cairo_set_source_rgb(cr, d == 0 ? 0.3 : 0.85, d == 0 ? 0.3 : 0.85, d == 0 ? 0.3 : 0.85);
    cairo_move_to(cr, box.x, py(std::pow(10, d)));
    cairo_line_to(cr, box.x + box.w, py(std::pow(10, d)));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, box.x - 8, py(std::pow(10, d)) + 4, decade_label(d) + "x", 11, 1);
  }
  for (std::size_t g = 0; g < chart.groups.size(); ++g) {
    const double gx = box.x + group_w * static_cast<double>(g) + group_w * 0.1;
    for (std::size_t s = 0; s < chart.bars.size(); ++s) {
      const ChartSeries& series = chart.bars[s];
      if (g >= series.values.size() || series.values[g] <= 0) continue;
      const double top = py(series.values[g]), base = py(1);
      cairo_set_source_rgb(cr, series.r, series.g, series.b);
      cairo_rectangle(cr, gx + bar_w * static_cast<double>(s), std::min(top, base), bar_w * 0.9, std::fabs(base - top));
      cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, gx + group_w * 0.4, box.y + box.h + 18, chart.groups[g], 11, 0.5);
  }
}

}  // namespace

void write_chart_png(const std::filesystem::path& path, const Chart& chart) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, kWidth, kHeight);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb(cr, 0, 0, 0);
  text(cr, kWidth / 2.0, 30, chart.title, 18, 0.5);
  draw_lines(cr, chart, {90, 110, kWidth - 130, 380});
  draw_bars(cr, chart, {90, 620, kWidth - 130, 400});
  const cairo_status_t status = cairo_surface_write_to_png(surface, path.c_str());
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace hypatia_bench
