#pragma once
// The embedded lake: each bucket is a folder under the lake root and each object a
// plain file at its key's path, so the lake can be read with ordinary tools (and by
// DuckDB directly). Object metadata (ETag, content type, x-amz-meta-*, stored headers)
// lives in the file's "user.sluice.meta" extended attribute, written to the temporary
// file before the rename that publishes it, so data and metadata appear together.
// A key ending in '/' (a "folder object") is a folder carrying that attribute.
//
// Layout under the root:
//   BUCKET/KEY            objects
//   .tmp/PID.RANDOM       uploads in progress (removed on open when PID is gone)
#include <string>

#include "lake/file_system.h"
#include "lake/object_store.h"

namespace sluice::lake {

class LocalObjectStore : public ObjectStore {
 public:
  // Creates `root` if needed and clears temporary files of dead processes.
  explicit LocalObjectStore(std::string root, FileSystem& fs = FileSystem::posix(),
                            const core::Clock& clock = core::SystemClock::instance());

  void createBucket(const std::string& bucket) override;
  void deleteBucket(const std::string& bucket) override;
  bool bucketExists(const std::string& bucket) override;
  std::vector<BucketInfo> listBuckets() override;

  std::unique_ptr<ObjectWriter> openWriter(const std::string& bucket, const std::string& key,
                                           const PutOptions& options) override;
  std::unique_ptr<ObjectReader> openReader(const std::string& bucket, const std::string& key,
                                           const std::optional<ByteRange>& range) override;
  ObjectInfo head(const std::string& bucket, const std::string& key) override;
  bool remove(const std::string& bucket, const std::string& key) override;
  ObjectInfo copy(const std::string& src_bucket, const std::string& src_key,
                  const std::string& dst_bucket, const std::string& dst_key,
                  const std::optional<PutOptions>& replace) override;
  ListResult list(const std::string& bucket, const ListRequest& request) override;
  std::optional<std::string> localPath(const std::string& bucket,
                                       const std::string& key_or_glob) override;
  // Moves the file into the lake when it is on the lake's file system (no copy).
  ObjectInfo putFile(const std::string& bucket, const std::string& key, const std::string& path,
                     const PutOptions& options) override;

  const std::string& root() const { return root_; }

 private:
  friend class LocalObjectWriter;

  std::string bucketDir(const std::string& bucket) const;  // validates; checks existence
  std::string newTempPath();
  // Publishes a finished temporary file (or a folder object) under `key`.
  ObjectInfo publish(const std::string& bucket, const std::string& key, const std::string& temp,
                     const std::string& meta_json, bool no_overwrite);
  void removeEmptyParents(const std::string& bucket_dir, const std::string& key);

  std::string root_;
  std::string tmp_dir_;
  FileSystem& fs_;
  const core::Clock& clock_;
};

}  // namespace sluice::lake
