// The downstream program: compiles a function (with the JIT, unless told that
// Hypatia was built without it) and checks its value and the version.
// Exit status 0 and one line on stdout when all is well.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

namespace {

int run() {
  hp::Var x = hp::vector("x");
  hp::Function f = hp::compile({x}, {hp::sum(hp::sqr(x)) + 1.0});
  const double got = f(std::vector<double>{1., 2., 3.})[0].item<double>();
  if (got != 15.0) {
    std::cerr << "downstream: sum(x**2) + 1 at x = [1, 2, 3] gave " << got << ", not 15\n";
    return 1;
  }
  // A cold compile reads the codegen templates: from the library itself.
  const std::string cache = f.compile_report().cache;
  const bool want_jit = std::getenv("HYPATIA_DOWNSTREAM_NO_JIT") == nullptr;
  if (want_jit && (f.source().empty() || cache.rfind("reference evaluator", 0) == 0)) {
    std::cerr << "downstream: the function was not JIT-compiled (" << cache << ")\n";
    return 1;
  }
  if (hp::version() != HYPATIA_VERSION_STRING) {
    std::cerr << "downstream: library version " << hp::version() << " but headers "
              << HYPATIA_VERSION_STRING << "\n";
    return 1;
  }
  std::cout << "hypatia " << hp::version() << ": sum(x**2) + 1 = " << got << " (" << cache << ")\n";
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    std::cerr << "downstream: " << e.what() << "\n";
    return 1;
  }
}
