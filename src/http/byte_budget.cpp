#include "http/byte_budget.h"

#include <algorithm>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace hr::http {

namespace {

// After a burst that buffered this much, the memory freed is handed back once the budget is
// nearly empty again.
constexpr size_t kTrimAfterBytes = size_t{32} << 20;

}  // namespace

bool ByteBudget::TryTake(size_t n) {
  size_t cur = used_.load(std::memory_order_relaxed);
  do {
    if (cur + n > limit_) {
      refusals_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
  } while (!used_.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed));
  const size_t now = cur + n;
  size_t peak = peak_since_trim_.load(std::memory_order_relaxed);
  while (now > peak && !peak_since_trim_.compare_exchange_weak(peak, now)) {
  }
  size_t ever = peak_.load(std::memory_order_relaxed);
  while (now > ever && !peak_.compare_exchange_weak(ever, now)) {
  }
  return true;
}

void ByteBudget::Give(size_t n) {
  const size_t left = used_.fetch_sub(n, std::memory_order_relaxed) - n;
  if (left < kTrimAfterBytes / 8 &&
      peak_since_trim_.load(std::memory_order_relaxed) >= kTrimAfterBytes &&
      peak_since_trim_.exchange(0) >= kTrimAfterBytes) {
#if defined(__GLIBC__)
    malloc_trim(0);  // every arena's free pages back to the system
#endif
  }
}

Growth GrowWithin(std::string& body, size_t needed, size_t limit, ByteBudget* budget,
                  size_t& taken) {
  if (needed > limit) return Growth::kTooLarge;
  if (needed <= body.capacity()) return Growth::kRoom;
  constexpr size_t kDoubleUpTo = size_t{1} << 20;
  const size_t cap = body.capacity();
  const size_t next = cap < kDoubleUpTo || cap >= kOwnMappingBytes ? 2 * cap : kOwnMappingBytes;
  const size_t want = std::max(needed, std::min(limit, next));
  if (budget) {
    if (!budget->TryTake(want)) return Growth::kOverBudget;
    body.reserve(want);
    budget->Give(taken);
    taken = want;
  } else {
    body.reserve(want);
  }
  return Growth::kRoom;
}

Lease LeaseOf(ByteBudget* budget, size_t n) {
  if (!budget || n == 0) return nullptr;
  // The budget outlives every lease (the process's); the deleter only gives the bytes back.
  return Lease(budget,
               [n](const void* b) { static_cast<ByteBudget*>(const_cast<void*>(b))->Give(n); });
}

}  // namespace hr::http
