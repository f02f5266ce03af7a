#include "lake/object.h"

#include "core/error.h"

namespace sluice::lake {

std::optional<ByteRange> parseByteRange(const std::string& spec) {
  size_t dash = spec.find('-');
  if (dash == std::string::npos || spec.find_first_not_of("0123456789-") != std::string::npos)
    return std::nullopt;
  try {
    ByteRange r;
    if (dash == 0) {
      r.suffix_length = std::stoull(spec.substr(1));
    } else {
      r.first = std::stoull(spec.substr(0, dash));
      if (dash + 1 < spec.size()) r.last = std::stoull(spec.substr(dash + 1));
    }
    return r;
  } catch (const std::logic_error&) {
    return std::nullopt;
  }
}

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

ObjectInfo plannedObject(std::string bucket, std::string key, uint64_t size, std::string etag) {
  ObjectInfo info;
  info.bucket = std::move(bucket);
  info.key = std::move(key);
  info.size = size;
  info.etag = std::move(etag);
  return info;
}

}  // namespace sluice::lake
