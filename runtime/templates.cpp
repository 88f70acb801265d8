#include "runtime/templates.hpp"

#include <string>

#include "hypatia/error.hpp"

namespace hypatia {

std::string_view codegen_template(std::string_view name) {
  for (const auto& [file, text] : codegen_templates()) {
    if (file == name) return text;
  }
  throw Error("internal: no codegen template named '" + std::string(name) + "'");
}

}  // namespace hypatia
