/// \file The seam between a backend and the executor: a Program computes a
/// function's outputs from its inputs. The executor (hp::Function) owns
/// argument checking, shared variables, updates and profiling totals.
#pragma once

#include <string>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/profile.hpp"

namespace hypatia {

class Program {
 public:
  virtual ~Program() = default;
  /// Computes the program's outputs from `inputs` (already checked and
  /// converted to the declared types). Must be safe to call from several
  /// threads at once. When `nodes` is not null, adds per-node times to it.
  virtual std::vector<Array> run(const std::vector<Array>& inputs,
                                 std::vector<NodeProfile>* nodes) const = 0;
  /// The node list a profile reports (op and pp of each node), in run order.
  virtual std::vector<NodeProfile> node_list() const = 0;
};

}  // namespace hypatia
