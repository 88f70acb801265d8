/// \file Checks of PNG files the examples and hp::render_graph write: the
/// signature, and the size Cairo decodes.
#pragma once

#include <cairo.h>

#include <filesystem>
#include <string>
#include <utility>

#include "tests/support/test_support.hpp"

namespace hypatia_test {

/// The PNG's size as Cairo decodes it; {-1, -1} when it does not decode.
inline std::pair<int, int> png_size(const std::filesystem::path& path) {
  cairo_surface_t* surface = cairo_image_surface_create_from_png(path.c_str());
  std::pair<int, int> size{-1, -1};
  if (cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS) {
    size = {cairo_image_surface_get_width(surface), cairo_image_surface_get_height(surface)};
  }
  cairo_surface_destroy(surface);
  return size;
}

inline bool starts_with_png_signature(const std::filesystem::path& path) {
  return read_text(path).rfind("\x89PNG\r\n\x1a\n", 0) == 0;
}

}  // namespace hypatia_test
