#pragma once
// Plain data that crosses the ObjectStore interface.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace sluice::lake {

// Header-like properties stored with an object and returned on reads
// (content-encoding, cache-control, content-disposition, content-language, expires,
// x-amz-checksum-*), keyed by lower-case header name.
using StoredHeaders = std::map<std::string, std::string>;
// x-amz-meta-* values, keyed by the lower-case name without the prefix.
using UserMetadata = std::map<std::string, std::string>;

struct ObjectInfo {
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;  // hex MD5 of the content (or S3's "md5-of-md5s-N" for multipart), unquoted
  core::TimeNs last_modified = 0;
  std::string content_type;
  UserMetadata user_metadata;
  StoredHeaders headers;
};

// An object known so far by its name, size and ETag: a change about to be made.
ObjectInfo plannedObject(std::string bucket, std::string key, uint64_t size, std::string etag);

struct PutOptions {
  std::string content_type;  // empty: application/octet-stream
  UserMetadata user_metadata;
  StoredHeaders headers;
  bool no_overwrite = false;         // an existing key is an error (PreconditionFailed)
  std::optional<std::string> etag;   // set by multipart completion; default is the MD5
  std::string event_source = "Put";  // recorded in the ObjectEvent
};

// An HTTP-style byte range: [first, last] inclusive, `last` open-ended when absent, or
// the final `suffix_length` bytes when `first` is absent.
struct ByteRange {
  std::optional<uint64_t> first;
  std::optional<uint64_t> last;
  uint64_t suffix_length = 0;
};

// Parses "FIRST-LAST", "FIRST-" or "-SUFFIX" (an HTTP byte-range spec without
// "bytes="); nullopt when it is none of these.
std::optional<ByteRange> parseByteRange(const std::string& spec);

// The concrete [offset, offset+length) a range selects from an object of `size` bytes.
// Throws Error(InvalidRange) when the range selects nothing.
struct ResolvedRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};
ResolvedRange resolveRange(const ByteRange& range, uint64_t size);

struct BucketInfo {
  std::string name;
  core::TimeNs created = 0;
};

struct ListRequest {
  std::string prefix;
  std::string delimiter;
  std::string start_after;
  std::string continuation_token;  // opaque, from ListResult::next_continuation_token
  int max_keys = 1000;
};

struct ListResult {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;
};

enum class ObjectEventType { kCreated, kRemoved };

// Where a change stands when its listeners hear of it. A store raises kStaged just before
// the change becomes visible and then, with the same sequencer, kPublished once it is or
// kAbandoned when it failed. A listener that records kStaged durably can therefore tell,
// after a crash between the two, whether the change happened: by looking at the object.
enum class ChangePhase { kStaged, kPublished, kAbandoned };

// What happened to one object (for kStaged: what is about to happen; a remote store may
// not know the ETag yet and leaves it empty).
struct ObjectEvent {
  ObjectEventType type = ObjectEventType::kCreated;
  ChangePhase phase = ChangePhase::kPublished;
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;
  std::string sequencer;  // increases with every event of a store; compare as strings
  core::TimeNs time = 0;
  std::string source;  // "Put", "Copy", "CompleteMultipartUpload", "Delete"
};

}  // namespace sluice::lake
