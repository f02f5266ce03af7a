#include "lake/object.h"

#include "core/error.h"

namespace sluice::lake {

ResolvedRange resolveRange(const ByteRange& range, uint64_t size) {
  const auto unsatisfiable = [&] {
    return Error(errc::kInvalidRange, "the requested range is not satisfiable for an object of " +
                                          std::to_string(size) + " bytes");
  };
  if (!range.first) {
    if (range.suffix_length == 0 || size == 0) throw unsatisfiable();
    uint64_t len = std::min(range.suffix_length, size);
    return {size - len, len};
  }
  uint64_t first = *range.first;
  if (first >= size) throw unsatisfiable();
  uint64_t last = range.last ? std::min(*range.last, size - 1) : size - 1;
  if (last < first) throw unsatisfiable();
  return {first, last - first + 1};
}

}  // namespace sluice::lake
