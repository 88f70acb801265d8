// Cairo drawing for the MLP example's plots: a canvas, axes with ticks, and
// the two kinds of picture plot_png.hpp promises. Text uses Cairo's toy API
// (one sans-serif face), which is all a tick label or a title needs.
#include "plot_png.hpp"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <stdexcept>

namespace plot_png {
namespace {

constexpr double font_size = 13;
constexpr double tick_length = 5;

/// A white RGB image and its drawing context, written out by save().
class Canvas {
 public:
  Canvas(int width, int height)
      : surface_(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), cairo_surface_destroy),
        cr_(cairo_create(surface_.get()), cairo_destroy) {
    check(cairo_status(cr_.get()), "creating a canvas");
    cairo_set_source_rgb(cr_.get(), 1, 1, 1);
    cairo_paint(cr_.get());
    cairo_select_font_face(cr_.get(), "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_.get(), font_size);
  }

  cairo_t* cr() const { return cr_.get(); }

  void save(const std::filesystem::path& path) const {
    cairo_surface_flush(surface_.get());
    check(cairo_surface_write_to_png(surface_.get(), path.c_str()), "writing " + path.string());
  }

 private:
  static void check(cairo_status_t status, const std::string& what) {
    if (status != CAIRO_STATUS_SUCCESS) {
      throw std::runtime_error("plot_png: " + what + ": " + cairo_status_to_string(status));
    }
  }

  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface_;
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr_;
};

/// A rectangle of the canvas (pixels, y down) showing data ranges x by y (y up).
struct Axes {
  double left, top, width, height;
  Range x, y;

  double px(double v) const { return left + (v - x.min) / (x.max - x.min) * width; }
  double py(double v) const { return top + height - (v - y.min) / (y.max - y.min) * height; }
};

enum class Align { Left, Centre, Right };

/// `text` with its baseline's anchor at (x, y), aligned horizontally as `align`
/// and, with `vertical_centre`, centred on y instead of sitting on it.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, Align align, bool vertical_centre = false) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  double dx = -extents.x_bearing;
  if (align == Align::Centre) dx -= extents.width / 2;
  if (align == Align::Right) dx -= extents.width;
  const double dy = vertical_centre ? -(extents.y_bearing + extents.height / 2) : 0;
  cairo_move_to(cr, x + dx, y + dy);
  cairo_show_text(cr, text.c_str());
}

/// Tick positions at a round step (1, 2 or 5 times a power of ten) inside `range`.
std::vector<double> nice_ticks(Range range, int about = 6) {
  const double raw_step = (range.max - range.min) / about;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = 10 * magnitude;
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * magnitude >= raw_step) {
      step = m * magnitude;
      break;
    }
  }
  std::vector<double> ticks;
  for (double t = std::ceil(range.min / step - 1e-9) * step; t <= range.max + step * 1e-9; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

/// A tick label with as many decimals as the tick step needs ("0.5", "-4", "1.25").
std::string tick_label(double value, const std::vector<double>& ticks) {
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
  const int decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 6);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

/// The frame of `axes` with ticks on both axes; numbers under the x axis only
/// when `x_numbers` (stacked panels share the bottom one's).
void draw_frame(cairo_t* cr, const Axes& axes, bool x_numbers) {
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, axes.left, axes.top, axes.width, axes.height);
  cairo_stroke(cr);
  const std::vector<double> x_ticks = nice_ticks(axes.x);
  for (double t : x_ticks) {
    const double x = axes.px(t);
    cairo_move_to(cr, x, axes.top + axes.height);
    cairo_line_to(cr, x, axes.top + axes.height + tick_length);
    cairo_stroke(cr);
    if (x_numbers)
      draw_text(cr, tick_label(t, x_ticks), x, axes.top + axes.height + tick_length + font_size + 2, Align::Centre);
  }
  const std::vector<double> y_ticks = nice_ticks(axes.y);
  for (double t : y_ticks) {
    const double y = axes.py(t);
    cairo_move_to(cr, axes.left - tick_length, y);
    cairo_line_to(cr, axes.left, y);
    cairo_stroke(cr);
    draw_text(cr, tick_label(t, y_ticks), axes.left - tick_length - 3, y, Align::Right, true);
  }
}

/// `text` turned a quarter left, centred on (x, y): a y-axis label.
void draw_vertical_text(cairo_t* cr, const std::string& text, double x, double y) {
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -std::numbers::pi / 2);
  draw_text(cr, text, 0, 0, Align::Centre, true);
  cairo_restore(cr);
}

/// The range of `values` padded by 10% on each side (a unit range around a constant).
Range padded_range(const std::vector<double>& values) {
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  const double pad = *hi > *lo ? 0.1 * (*hi - *lo) : 0.5;
  return {*lo - pad, *hi + pad};
}

}  // namespace

Rgb cool_colour(double t) {
  t = std::clamp(t, 0.0, 1.0);
  return {t, 1 - t, 1};
}

void write_scatter(const std::filesystem::path& path, const std::vector<double>& xs, const std::vector<double>& ys,
                   const std::vector<double>& values, Range x, Range y, const std::string& title) {
  if (xs.size() != ys.size() || xs.size() != values.size()) {
    throw std::invalid_argument("plot_png::write_scatter: xs, ys and values differ in size");
  }
  Canvas canvas(scatter_width, scatter_height);
  cairo_t* cr = canvas.cr();
  const Axes axes{60, 40, scatter_width - 80.0, scatter_height - 90.0, x, y};

  cairo_save(cr);
  cairo_rectangle(cr, axes.left, axes.top, axes.width, axes.height);
  cairo_clip(cr);
  cairo_set_line_width(cr, 0.3);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const Rgb c = cool_colour(values[i]);
    cairo_new_sub_path(cr);
    cairo_arc(cr, axes.px(xs[i]), axes.py(ys[i]), 2.0, 0, 2 * std::numbers::pi);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_stroke(cr);
  }
  cairo_restore(cr);

  draw_frame(cr, axes, true);
  draw_text(cr, title, axes.left + axes.width / 2, axes.top - 12, Align::Centre);
  canvas.save(path);
}

void write_history(const std::filesystem::path& path, const std::vector<Curve>& curves, const std::string& x_label,
                   const std::string& title) {
  if (curves.empty() || curves.front().values.empty()) {
    throw std::invalid_argument("plot_png::write_history: nothing to plot");
  }
  const std::size_t n = curves.front().values.size();
  for (const Curve& curve : curves) {
    if (curve.values.size() != n) throw std::invalid_argument("plot_png::write_history: curves differ in length");
  }
  Canvas canvas(history_width, history_height);
  cairo_t* cr = canvas.cr();
  const double left = 80, top = 40, bottom = 50, gap = 20;
  const double panel_width = history_width - left - 20;
  const double panel_height = (history_height - top - bottom - gap * (curves.size() - 1)) / curves.size();
  const Range x{0.5, n + 0.5};

  for (std::size_t k = 0; k < curves.size(); ++k) {
    const Curve& curve = curves[k];
    const double panel_top = top + k * (panel_height + gap);
    const Axes axes{left, panel_top, panel_width, panel_height, x, padded_range(curve.values)};
    cairo_set_source_rgb(cr, curve.colour.r, curve.colour.g, curve.colour.b);
    cairo_set_line_width(cr, 2);
    cairo_new_path(cr);  // text leaves a current point that line_to would join
    for (std::size_t i = 0; i < n; ++i) {
      cairo_line_to(cr, axes.px(i + 1.0), axes.py(curve.values[i]));
    }
    cairo_stroke(cr);
    for (std::size_t i = 0; i < n; ++i) {
      cairo_new_sub_path(cr);
      cairo_arc(cr, axes.px(i + 1.0), axes.py(curve.values[i]), 3, 0, 2 * std::numbers::pi);
    }
    cairo_fill(cr);
    draw_frame(cr, axes, k + 1 == curves.size());
    draw_vertical_text(cr, curve.name, 18, axes.top + axes.height / 2);
  }
  draw_text(cr, title, left + panel_width / 2, top - 12, Align::Centre);
  draw_text(cr, x_label, left + panel_width / 2, history_height - 10, Align::Centre);
  canvas.save(path);
}

}  // namespace plot_png
