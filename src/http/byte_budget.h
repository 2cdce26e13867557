// One budget for the bytes a process buffers for requests in progress: request bodies the server
// reads, upstream answers the router's clients collect. Work that would pass it is refused (503
// with Retry-After) rather than letting memory grow with whatever a client or an upstream sends;
// after a burst the freed memory goes back to the system (malloc_trim), so the resident size
// returns to where it was. Thread-safe, lock-free on the hot path.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace hr::http {

class ByteBudget {
 public:
  explicit ByteBudget(size_t limit_bytes) : limit_(limit_bytes) {}
  // Takes `n` bytes; false, and nothing taken (counted as a refusal), when that would pass the
  // limit.
  bool TryTake(size_t n);
  void Give(size_t n);
  size_t used() const { return used_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }
  uint64_t refusals() const { return refusals_.load(std::memory_order_relaxed); }
  size_t peak() const { return peak_.load(std::memory_order_relaxed); }  // the most ever used

 private:
  size_t limit_;
  std::atomic<size_t> used_{0};
  std::atomic<size_t> peak_since_trim_{0}, peak_{0};
  std::atomic<uint64_t> refusals_{0};
};

// Bytes taken from a budget, given back when the last owner lets go (an answer's lease lives with
// its bytes until the server has written them).
using Lease = std::shared_ptr<const void>;
Lease LeaseOf(ByteBudget* budget, size_t n);

// A body growing as its bytes arrive, every allocation first taken from `budget` (when set): the
// new capacity is taken while the old one is still held, so the copy made in growing is counted
// too. `taken` is what the body holds of the budget. Capacities double up to 1 MB, then jump to
// the size the process maps on its own (8 MB), then double again: a freed stage is either small
// or returned to the system at once, so a burst of growing answers leaves little behind in the
// heap.
enum class Growth { kRoom, kTooLarge, kOverBudget };
Growth GrowWithin(std::string& body, size_t needed, size_t limit, ByteBudget* budget,
                  size_t& taken);

// Buffers from this size up are mappings of their own (mallopt(M_MMAP_THRESHOLD) in the router).
inline constexpr size_t kOwnMappingBytes = size_t{8} << 20;

}  // namespace hr::http
