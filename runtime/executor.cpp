/// The executor: checks arguments, reads shared variables, runs the Program,
/// and applies updates atomically.
#include <algorithm>
#include <chrono>
#include <iterator>
#include <mutex>

#include <fmt/format.h>

#include "runtime/executor.hpp"
#include "runtime/text.hpp"
#include "runtime/value_check.hpp"

namespace hypatia {
namespace {

std::string function_label(const Executor& f) {
  return f.name.empty() ? std::string("function") : "function " + quoted_name(f.name);
}

std::string input_label(const Executor& f, std::size_t i) {
  const ExecutorInput& in = f.inputs[i];
  return in.name.empty() ? fmt::format("input {} of {}", i, function_label(f))
                         : fmt::format("input {} ({}) of {}", i, quoted_name(in.name), function_label(f));
}

/// The argument of each input: positional first, then by name, then defaults.
std::vector<Array> bind_arguments(const Executor& f, const std::vector<Array>& args,
                                  const std::vector<std::pair<std::string, Array>>& named) {
  const std::size_t n = f.inputs.size();
  if (args.size() > n) {
    throw TypeError(fmt::format("{} takes {} argument(s), got {}", function_label(f), n, args.size()));
  }
  std::vector<std::optional<Array>> bound(n);
  for (std::size_t i = 0; i < args.size(); ++i) bound[i] = args[i];
  for (const auto& [name, value] : named) {
    const auto has_name = [&](const ExecutorInput& in) { return !name.empty() && in.name == name; };
    auto it = std::find_if(f.inputs.begin(), f.inputs.end(), has_name);
    if (it == f.inputs.end()) {
      throw TypeError(fmt::format("{} has no input named {}", function_label(f), quoted_name(name)));
    }
    // As Theano: several inputs may share a name, but then none is called by it.
    if (std::find_if(std::next(it), f.inputs.end(), has_name) != f.inputs.end()) {
      throw TypeError(fmt::format("{}: the name {} is ambiguous: several inputs have it",
                                  function_label(f), quoted_name(name)));
    }
    const std::size_t i = static_cast<std::size_t>(it - f.inputs.begin());
    if (bound[i]) throw TypeError(fmt::format("{} is given twice", input_label(f, i)));
    bound[i] = value;
  }
  std::vector<Array> values;
  for (std::size_t i = 0; i < n; ++i) {
    if (!bound[i] && !f.inputs[i].default_value) {
      throw TypeError(fmt::format("missing argument for {} ({}), which has no default",
                                  input_label(f, i), f.inputs[i].type.str()));
    }
    const Array& value = bound[i] ? *bound[i] : *f.inputs[i].default_value;
    values.push_back(fit_value_to_type(f.inputs[i].type, value, input_label(f, i),
                                       f.allow_input_downcast));
  }
  return values;
}

/// Holds the locks of the shared variables a call updates, taken in address
/// order so that two functions updating overlapping sets cannot deadlock.
class UpdateLocks {
 public:
  explicit UpdateLocks(const std::vector<std::shared_ptr<SharedValue>>& updated) {
    std::vector<SharedValue*> storages;
    for (const auto& s : updated) storages.push_back(s.get());
    std::sort(storages.begin(), storages.end());
    for (SharedValue* s : storages) locks_.emplace_back(s->mutex);
  }

 private:
  std::vector<std::unique_lock<std::mutex>> locks_;
};

/// For a shape error: the shared variables whose shape an update changed
/// (Theano allows it), naming the update; "" when none did.
std::string reshape_note(const Executor& f, const std::vector<std::string>& reshaped) {
  std::string note;
  for (std::size_t i = 0; i < reshaped.size(); ++i) {
    if (reshaped[i].empty()) continue;
    note += fmt::format("\n  note: shared variable {}: {}", f.shared_inputs[i].description, reshaped[i]);
  }
  return note;
}

}  // namespace

Array Executor::call_one(const std::vector<Array>& args) const {
  if (n_outputs != 1) {
    throw Error(fmt::format("{}: one() returns the output of a function with exactly one, and it has {}; "
                            "f(...) returns a vector of every output",
                            function_label(*this), n_outputs));
  }
  return call(args, {}).front();
}

std::vector<Array> Executor::call(const std::vector<Array>& args,
                                  const std::vector<std::pair<std::string, Array>>& named) const {
  const Executor& f = *this;
  const auto start = std::chrono::steady_clock::now();
  std::vector<Array> inputs = bind_arguments(f, args, named);

  // Shared variables this call only reads are read first, each under its own
  // brief lock, before any update lock is held (no lock-order cycles).
  const auto is_updated = [&](const SharedSlot& s) {
    return std::find(f.updated.begin(), f.updated.end(), s.storage) != f.updated.end();
  };
  std::vector<std::optional<Array>> shared_values(f.shared_inputs.size());
  std::vector<std::string> reshaped(f.shared_inputs.size());
  for (std::size_t i = 0; i < f.shared_inputs.size(); ++i) {
    if (is_updated(f.shared_inputs[i])) continue;
    SharedValue& storage = *f.shared_inputs[i].storage;
    std::lock_guard lock(storage.mutex);
    shared_values[i] = storage.value;
    reshaped[i] = storage.reshaped_by;
  }

  std::vector<NodeProfile> node_times;
  std::vector<Array> results;
  {
    UpdateLocks locks(f.updated);
    for (std::size_t i = 0; i < f.shared_inputs.size(); ++i) {
      // Under the lock already held: read the stored array directly.
      if (!shared_values[i]) {
        shared_values[i] = f.shared_inputs[i].storage->value;
        reshaped[i] = f.shared_inputs[i].storage->reshaped_by;
      }
      inputs.push_back(*shared_values[i]);
    }
    try {
      results = f.program->run(inputs, f.profile ? &node_times : nullptr);
    } catch (const IndexError& e) {
      throw IndexError(e.what() + reshape_note(f, reshaped));
    } catch (const ShapeError& e) {
      throw ShapeError(e.what() + reshape_note(f, reshaped));
    }
    // Every output is computed: now the updates, all together. Values are new
    // arrays, never written in place, so readers holding the old ones are safe.
    for (std::size_t i = 0; i < f.updated.size(); ++i) {
      SharedValue& storage = *f.updated[i];
      Array& value = results[f.n_outputs + i];
      if (value.shape() != storage.value.shape()) {
        storage.reshaped_by = fmt::format("update {} of {} changed its shape from {} to {}", i, function_label(f),
                                          shape_text(storage.value.shape()), shape_text(value.shape()));
      }
      storage.value = std::move(value);
    }
  }
  results.resize(f.n_outputs);

  if (f.profile) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard lock(f.profile_mutex);
    f.stats.calls += 1;
    f.stats.seconds += seconds;
    if (f.stats.nodes.empty()) f.stats.nodes = f.program->node_list();
    for (std::size_t k = 0; k < node_times.size() && k < f.stats.nodes.size(); ++k) {
      f.stats.nodes[k].seconds += node_times[k].seconds;
      f.stats.nodes[k].calls += node_times[k].calls;
    }
  }
  return results;
}

FunctionProfile Executor::profile_totals() const {
  std::lock_guard lock(profile_mutex);
  return stats;
}

}  // namespace hypatia
