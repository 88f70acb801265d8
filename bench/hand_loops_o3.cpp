// hand_loops.inc built with the benchmark's own flags (Release: -O3).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "hand_loops.hpp"

namespace hypatia_bench {
namespace {
#include "hand_loops.inc"
}  // namespace

const HandLoops hand_o3 = {"hand -O3", loops_of<double>(), loops_of<float>()};

}  // namespace hypatia_bench
