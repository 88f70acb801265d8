/// \file The runtime's thread pool: large loops of generated code are split
/// across it. A loop uses at most hp::config().threads threads (read per loop).
#pragma once

#include <cstdint>
#include <functional>

namespace hypatia {

/// Runs body(begin, end) over [0, n) in chunks of at least `grain`, on the
/// pool's workers and the calling thread, and returns when all are done.
/// When another loop is already using the pool, runs on the caller alone.
void parallel_for(std::int64_t n, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& body);

/// Number of threads in the pool (workers + the caller).
int pool_threads();

}  // namespace hypatia
