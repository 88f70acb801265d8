// hand_loops.inc built with -O3 -march=native -ffast-math (bench/CMakeLists.txt
// sets these flags on this file only): with GCC, std::exp and std::tanh
// become calls to glibc's vector math (libmvec) and the loops vectorise.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "hand_loops.hpp"

namespace hypatia_bench {
namespace {
#include "hand_loops.inc"
}  // namespace

const HandLoops hand_fast_math = {"hand -ffast-math", loops_of<double>(), loops_of<float>()};

}  // namespace hypatia_bench
