#include "compiler/graph/clone.hpp"

#include <fmt/format.h>

#include "compiler/graph/describe.hpp"
#include "compiler/graph/rebuild.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {

std::vector<Var> clone_replace(const std::vector<Var>& outputs,
                               const std::vector<std::pair<Var, Var>>& replacements) {
  for (const auto& [from, to] : replacements) {
    if (from.is_null() || to.is_null()) throw Error("replacement with a null hp::Var");
    if (from.dtype() != to.dtype() || from.ndim() != to.ndim()) {
      throw TypeError(fmt::format("cannot replace {} by {}: the types differ", describe_var(from),
                                  describe_var(to)));
    }
  }
  // No rewrite: only the nodes that read a replaced variable are rebuilt.
  return rebuild({}, outputs, [](const Apply&, const std::vector<Var>&) { return std::nullopt; }, replacements);
}

}  // namespace hypatia
