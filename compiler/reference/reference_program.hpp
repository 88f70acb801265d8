/// \file The reference backend: a Program that runs a graph with each op's
/// plain `perform`. With debug checks on (Mode::Debug), every node's output is
/// checked for NaN and infinities, as Theano's DebugMode.
#pragma once

#include <memory>
#include <vector>

#include "hypatia/graph.hpp"
#include "runtime/program.hpp"

namespace hypatia {

std::unique_ptr<Program> make_reference_program(std::vector<Var> inputs, std::vector<Var> outputs,
                                                bool debug_checks);

/// Throws hp::InvalidValueError when a float `value` computed by `node` holds
/// NaN or an infinity, naming the op, the node, the output and the value.
void check_finite(const Apply& node, const Array& value);

}  // namespace hypatia
