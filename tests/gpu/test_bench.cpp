// GPU benchmark (tests/gpu/run.sh runs it on a machine with a GPU; here it
// skips): the fused elementwise chain of hypatia-bench,
//   sigmoid(a*b + c) * tanh(a) - exp(-(b*b)) + 0.5*c   (float32, 2^25 elements),
// its generated kernel timed alone, as a fraction of the device-to-device
// copy bandwidth (cuMemcpyDtoD of the same bytes). The goal is >= 85 %.
// Also checks the kernel's numbers against the CPU on a sample.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/codegen/cuda_codegen.hpp"
#include "compiler/rewrite/optimize.hpp"
#include "runtime/cuda/driver.hpp"
#include "runtime/cuda/nvrtc.hpp"
#include "tests/cuda/cuda_test_support.hpp"

namespace hp = hypatia;

namespace {

struct KernelTensor {
  std::uint64_t data = 0;
  std::int64_t ndim = 1;
  std::int64_t shape[8] = {};
  std::int64_t strides[8] = {};
};

KernelTensor vector_at(std::uint64_t data, std::int64_t n) {
  KernelTensor t;
  t.data = data;
  t.shape[0] = n;
  t.strides[0] = 1;
  return t;
}

template <class F>
double best_seconds(int repeats, F&& f) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    f();
    hp::cuda::synchronize();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

TEST_CASE("GPU benchmark: the fused chain's kernel against device-to-device copy bandwidth") {
  if (!hypatia_test::gpu_or_skip() || !hypatia_test::nvrtc_or_skip()) return;
  const hp::cuda::DeviceInfo& dev = hp::cuda::device();
  const hp::Var a = hp::vector("a", hp::float32), b = hp::vector("b", hp::float32), c = hp::vector("c", hp::float32);
  const hp::Var chain = hp::sigmoid(a * b + c) * hp::tanh(a) - hp::exp(-(b * b)) + 0.5 * c;
  const std::vector<hp::Var> optimised = hp::optimize({a, b, c}, {chain}, hp::Mode::FastRun);
  const hp::CudaProgramText program = hp::generate_cuda({a, b, c}, optimised, "bench");
  REQUIRE(program.steps.size() == 1);  // one fused kernel
  hp::cuda::Module module(hp::nvrtc::compile(program.source, dev.arch).cubin);
  void* kernel = module.function(program.steps[0].kernel);

  const std::int64_t n = std::int64_t{1} << 25;
  const std::size_t bytes = static_cast<std::size_t>(n) * 4;
  std::vector<float> host(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) host[i] = 0.001f * static_cast<float>(i % 4001 - 2000);
  hp::cuda::DevicePtr da = hp::cuda::allocate(bytes), db = hp::cuda::allocate(bytes), dc = hp::cuda::allocate(bytes),
                      dout = hp::cuda::allocate(bytes), derr = hp::cuda::allocate(4);
  for (auto p : {da, db, dc}) hp::cuda::copy_to_device(p, host.data(), bytes);
  const int zero = 0;
  hp::cuda::copy_to_device(derr, &zero, 4);

  KernelTensor to = vector_at(dout, n), ta = vector_at(da, n), tb = vector_at(db, n), tc = vector_at(dc, n);
  std::int64_t count = n;
  int mode = 2;  // HP_VECTOR
  std::uint64_t err = derr;
  void* args[] = {&count, &mode, &err, &to, &ta, &tb, &tc};
  const unsigned blocks = static_cast<unsigned>(dev.multiprocessors * 32);
  const double chain_s = best_seconds(20, [&] { hp::cuda::launch(kernel, {blocks}, {256}, 0, args); });
  const double copy_s = best_seconds(20, [&] { hp::cuda::copy_on_device(dout, da, bytes); });
  const double chain_gbs = 4.0 * static_cast<double>(bytes) / chain_s / 1e9;  // 3 reads + 1 write
  const double copy_gbs = 2.0 * static_cast<double>(bytes) / copy_s / 1e9;    // 1 read + 1 write
  MESSAGE(dev.name << " (sm_" << dev.arch << "): fused chain " << chain_s * 1e3 << " ms, " << chain_gbs
                   << " GB/s; cuMemcpyDtoD " << copy_gbs << " GB/s; chain / copy = " << 100.0 * chain_gbs / copy_gbs
                   << " % (goal >= 85 %)");

  hp::cuda::launch(kernel, {blocks}, {256}, 0, args);  // the copy overwrote the output
  std::vector<float> out(static_cast<std::size_t>(n));
  hp::cuda::copy_to_host(out.data(), dout, bytes);
  const hp::Function cpu = hp::compile({a, b, c}, {chain});
  const std::vector<float> sample(host.begin(), host.begin() + 4096);
  const hp::Array x = hp::array(sample, hp::float32);
  const std::vector<float> expected = cpu(x, x, x)[0].to_vector<float>();
  for (std::size_t i = 0; i < expected.size(); i += 17) CHECK(out[i] == doctest::Approx(expected[i]).epsilon(1e-5));
  for (auto p : {da, db, dc, dout, derr}) hp::cuda::free(p);
}
