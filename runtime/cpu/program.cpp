#include "runtime/cpu/program.hpp"

#include <chrono>
#include <mutex>

#include <fmt/format.h>

namespace hypatia {
namespace {

using Entry = int(hp_context*, const hp_tensor*, int);

/// Arenas reused across calls; each call takes its own, so calls from
/// several threads never share scratch memory.
class ArenaPool {
 public:
  std::unique_ptr<Arena> take() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return std::make_unique<Arena>();
    auto arena = std::move(free_.back());
    free_.pop_back();
    return arena;
  }
  void give_back(std::unique_ptr<Arena> arena) {
    arena->reset();
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(arena));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<Arena>> free_;
};

class CpuProgram : public Program {
 public:
  explicit CpuProgram(CpuProgramSpec spec)
      : spec_(std::move(spec)), entry_(spec_.module->function<Entry>("hp_main")) {}

  std::vector<Array> run(const std::vector<Array>& inputs,
                         std::vector<NodeProfile>* nodes) const override {
    const auto start = std::chrono::steady_clock::now();
    hp_context ctx;
    ctx.output_dtypes = &spec_.output_dtypes;
    ctx.outputs.resize(spec_.output_dtypes.size());
    ctx.node_input_dtypes = &spec_.node_input_dtypes;
    ctx.perform = &spec_.perform;
    std::vector<hp_tensor> tensors;
    tensors.reserve(inputs.size() + spec_.constants.size());
    for (const Array& a : inputs) tensors.push_back(tensor_of(a));
    for (const Array& a : spec_.constants) tensors.push_back(tensor_of(a));

    if (nodes) {
      ctx.node_seconds.assign(spec_.node_count, 0.0);
      ctx.last_tick = start;
    }
    std::unique_ptr<Arena> arena = arenas_.take();
    ctx.arena = arena.get();
    const int status = entry_(&ctx, tensors.data(), nodes ? 1 : 0);
    arenas_.give_back(std::move(arena));
    if (status != 0) raise_failure(status, inputs, ctx.error);

    if (nodes) {
      if (nodes->empty()) *nodes = node_list();
      for (std::size_t k = 0; k < nodes->size() && k < ctx.node_seconds.size(); ++k) {
        (*nodes)[k].seconds += ctx.node_seconds[k];
        (*nodes)[k].calls += 1;
      }
    }
    return std::move(ctx.outputs);
  }

  std::vector<NodeProfile> node_list() const override {
    std::vector<NodeProfile> list;
    for (std::size_t k = 0; k < spec_.node_count; ++k) list.push_back(spec_.describe_node(k));
    return list;
  }

 private:
  [[noreturn]] void raise_failure(int status, const std::vector<Array>& inputs,
                                  const std::string& detail) const {
    // The reference evaluator raises the error the user should see.
    spec_.reference->run(inputs, nullptr);
    const std::size_t node = static_cast<std::size_t>(status - 1);
    const std::string where = node < spec_.node_count ? spec_.describe_node(node).node
                                                      : fmt::format("output {}", node - spec_.node_count);
    throw Error(fmt::format("compiled code failed at {}{}; the reference evaluator did not fail",
                            where, detail.empty() ? "" : ": " + detail));
  }

  CpuProgramSpec spec_;
  Entry* entry_;
  mutable ArenaPool arenas_;
};

}  // namespace

std::unique_ptr<Program> make_cpu_program(CpuProgramSpec spec) {
  return std::make_unique<CpuProgram>(std::move(spec));
}

}  // namespace hypatia
