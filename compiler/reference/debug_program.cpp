#include "compiler/reference/debug_program.hpp"

#include <cmath>

#include <fmt/format.h>

#include "runtime/value_check.hpp"

namespace hypatia {
namespace {

class DebugProgram : public Program {
 public:
  DebugProgram(std::unique_ptr<Program> reference, std::unique_ptr<Program> compiled,
               std::function<void(const std::vector<Array>&)> check_rewrites)
      : reference_(std::move(reference)), compiled_(std::move(compiled)),
        check_rewrites_(std::move(check_rewrites)) {}

  std::vector<Array> run(const std::vector<Array>& inputs,
                         std::vector<NodeProfile>* nodes) const override {
    if (check_rewrites_) check_rewrites_(inputs);
    std::vector<Array> want = reference_->run(inputs, nodes);
    if (!compiled_) return want;
    const std::vector<Array> got = compiled_->run(inputs, nullptr);
    for (std::size_t k = 0; k < want.size(); ++k) {
      const Tolerance tol = tolerance_for(want[k].dtype());
      const std::int64_t bad = first_mismatch(got[k], want[k], tol);
      if (bad < 0) continue;
      const bool same_shape = got[k].shape() == want[k].shape();
      throw InvalidValueError(fmt::format(
          "Debug mode: the compiled code's output {} differs from the reference evaluator's: {}",
          k,
          same_shape ? fmt::format("element {} is {} where the reference gives {} (rtol {}, atol {})", bad,
                                   got[k].get_flat_double(bad), want[k].get_flat_double(bad), tol.rtol,
                                   tol.atol)
                     : fmt::format("shape {} where the reference gives {}", shape_text(got[k].shape()),
                                   shape_text(want[k].shape()))));
    }
    return want;
  }

  std::vector<NodeProfile> node_list() const override { return reference_->node_list(); }

 private:
  std::unique_ptr<Program> reference_;
  std::unique_ptr<Program> compiled_;
  std::function<void(const std::vector<Array>&)> check_rewrites_;
};

}  // namespace

Tolerance tolerance_for(DType dtype) {
  if (dtype == DType::Float32) return {1e-4, 1e-5};
  if (dtype == DType::Float64) return {1e-7, 1e-12};
  return {0, 0};
}

std::int64_t first_mismatch(const Array& got, const Array& want, Tolerance tol) {
  if (got.shape() != want.shape() || got.dtype() != want.dtype()) return 0;
  for (std::int64_t i = 0; i < want.size(); ++i) {
    if (!is_float(want.dtype())) {
      if (got.get_flat_int(i) != want.get_flat_int(i)) return i;
      continue;
    }
    const double g = got.get_flat_double(i), w = want.get_flat_double(i);
    if (std::isnan(g) || std::isnan(w)) {
      if (std::isnan(g) != std::isnan(w)) return i;
      continue;
    }
    if (g == w) continue;  // equal infinities too
    if (!(std::fabs(g - w) <= tol.atol + tol.rtol * std::fabs(w))) return i;
  }
  return -1;
}

std::unique_ptr<Program> make_debug_program(std::unique_ptr<Program> reference,
                                            std::unique_ptr<Program> compiled,
                                            std::function<void(const std::vector<Array>&)> check_rewrites) {
  return std::make_unique<DebugProgram>(std::move(reference), std::move(compiled), std::move(check_rewrites));
}

}  // namespace hypatia
