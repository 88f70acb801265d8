#include "compiler/graph/describe.hpp"

#include <fmt/format.h>

#include "runtime/text.hpp"

namespace hypatia {

std::string describe_var(const Var& v) {
  if (!v.name().empty()) return fmt::format("{} ({})", quoted_name(v.name()), v.type().str());
  return fmt::format("an unnamed {}", v.type().str());
}

}  // namespace hypatia
