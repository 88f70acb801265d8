/// \file The text of generated code (codegen_templates/), compiled into the
/// library so that nothing is looked up on disk at run time.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace hypatia {

/// Every template: file name and text.
const std::vector<std::pair<std::string_view, std::string_view>>& codegen_templates();

/// SHA-256 (hex) of the code generator's sources, computed at build time.
std::string_view codegen_fingerprint();

/// The template named `name` ("abi.h"); throws hp::Error if there is none.
std::string_view codegen_template(std::string_view name);

}  // namespace hypatia
