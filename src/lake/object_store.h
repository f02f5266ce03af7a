#pragma once
// The lake's one storage interface. The local-folder store implements it today; a
// remote S3 store implements it for scale-out. Everything above (S3 server, data steps,
// functions) talks to this interface only.
#include <atomic>
#include <functional>
#include <istream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lake/object.h"

namespace sluice::lake {

// Streams an object's bytes (or a range of them).
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  virtual const ObjectInfo& info() const = 0;
  virtual ResolvedRange range() const = 0;
  // Reads up to `n` bytes of the range; returns 0 once the range is exhausted.
  virtual size_t read(char* buf, size_t n) = 0;
  std::string readAll();
  // Hands the rest of the range to `piece` 1 MiB at a time, so memory stays flat however
  // large the object.
  void readInPieces(const std::function<void(std::string_view)>& piece);
};

// Receives an object's bytes; nothing is visible until commit() returns. Destroying an
// uncommitted writer discards what it wrote.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual void write(std::string_view data) = 0;
  virtual ObjectInfo commit() = 0;
};

// Called synchronously in the writer's thread, before the change is acknowledged to the
// caller, so a subscriber that records the event durably makes it durable before anyone
// is told the write happened. A listener of every phase hears kStaged before the change
// is visible, so that even a crash right after it cannot lose the event.
using ObjectEventListener = std::function<void(const ObjectEvent&)>;

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  virtual void createBucket(const std::string& bucket) = 0;
  virtual void deleteBucket(const std::string& bucket) = 0;  // must be empty
  virtual bool bucketExists(const std::string& bucket) = 0;
  virtual std::vector<BucketInfo> listBuckets() = 0;

  virtual std::unique_ptr<ObjectWriter> openWriter(const std::string& bucket,
                                                   const std::string& key,
                                                   const PutOptions& options) = 0;
  virtual std::unique_ptr<ObjectReader> openReader(const std::string& bucket,
                                                   const std::string& key,
                                                   const std::optional<ByteRange>& range) = 0;
  virtual ObjectInfo head(const std::string& bucket, const std::string& key) = 0;
  // Returns whether the key existed; deleting a missing key is not an error (as in S3).
  virtual bool remove(const std::string& bucket, const std::string& key) = 0;
  // Copies content; metadata is the source's unless `replace` is given.
  virtual ObjectInfo copy(const std::string& src_bucket, const std::string& src_key,
                          const std::string& dst_bucket, const std::string& dst_key,
                          const std::optional<PutOptions>& replace) = 0;
  virtual ListResult list(const std::string& bucket, const ListRequest& request) = 0;

  // A filesystem path at which DuckDB can read `key_or_glob` directly, when the store
  // keeps objects as plain files; nullopt for stores that do not.
  virtual std::optional<std::string> localPath(const std::string& bucket,
                                               const std::string& key_or_glob) = 0;

  // Stores the local file at `path` as an object. The file is consumed: a store that
  // keeps objects as files on the same file system moves it into place instead of
  // copying it. The default streams it through openWriter.
  virtual ObjectInfo putFile(const std::string& bucket, const std::string& key,
                             const std::string& path, const PutOptions& options);

  // Conveniences over the streaming calls.
  ObjectInfo put(const std::string& bucket, const std::string& key, std::string_view data,
                 const PutOptions& options = {});
  // Stores everything `in` holds, read 1 MiB at a time; a read error stores nothing and is
  // Error(Io) naming `what`.
  ObjectInfo putStream(const std::string& bucket, const std::string& key, std::istream& in,
                       const std::string& what, const PutOptions& options = {});
  std::string get(const std::string& bucket, const std::string& key,
                  const std::optional<ByteRange>& range = std::nullopt);
  // head(), or nullopt when there is no such object.
  std::optional<ObjectInfo> find(const std::string& bucket, const std::string& key);
  // Calls `visit` for every object whose key starts with `prefix`, in key order, across
  // as many listing pages as it takes.
  void forEachObject(const std::string& bucket, const std::string& prefix,
                     const std::function<void(const ObjectInfo&)>& visit);
  // localPath(), or Error(InvalidArgument) naming the object when this store keeps no
  // local file for it (a remote store not wrapped in a StagingObjectStore).
  std::string requireLocalPath(const std::string& bucket, const std::string& key_or_glob);

  // A listener hears published changes only, unless `every_phase` (see ChangePhase).
  void addListener(ObjectEventListener listener, bool every_phase = false);

 protected:
  // Raises `event` to the listeners of its phase.
  void emit(const ObjectEvent& event);
  // Makes one change under a new sequencer, at `now`: raises kStaged for `expected` (the
  // object as it will be, or for a removal as it was), runs `publish`, then raises
  // kPublished for the object it returns, or kAbandoned when it throws (rethrown) or
  // returns nullopt (nothing changed).
  std::optional<ObjectInfo> publishChange(
      ObjectEventType type, const ObjectInfo& expected, const std::string& source, core::TimeNs now,
      const std::function<std::optional<ObjectInfo>()>& publish);

 private:
  struct Listener {
    ObjectEventListener notify;
    bool every_phase;
  };
  std::atomic<int64_t> last_sequence_{0};
  std::mutex listeners_mu_;
  std::vector<Listener> listeners_;
};

}  // namespace sluice::lake
