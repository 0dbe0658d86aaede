// Internal: a small process-wide worker pool for splitting one large I/O task
// (checksumming a big tensor) across cores without spawning threads per call.
#pragma once

#include <cstddef>
#include <functional>

namespace tfport::io::internal {

// Number of threads ParallelFor may use (including the caller).
size_t Parallelism();

// Runs fn(i) for i in [0, n), on the caller and on pool workers; returns when
// all are done. fn must not throw. Safe to call from several threads.
void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

}  // namespace tfport::io::internal
