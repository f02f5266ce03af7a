#pragma once
// The lake in an external S3-compatible store (AWS S3, MinIO, another sluice): the
// ObjectStore interface over S3Client. Writers buffer one part and switch to multipart
// upload when an object outgrows it; readers fetch ranged blocks pinned to the ETag seen
// first (a concurrent overwrite fails the read instead of mixing two versions). Events
// are raised for changes made through this store.
#include <memory>

#include "lake/object_store.h"
#include "s3/client.h"

namespace sluice::s3 {

class RemoteObjectStore : public lake::ObjectStore {
 public:
  // part_size: the multipart part size and the read block size (S3's minimum part is 5 MiB).
  explicit RemoteObjectStore(ClientConfig config, uint64_t part_size = 8ULL << 20,
                             const core::Clock& clock = core::SystemClock::instance());

  void createBucket(const std::string& bucket) override;
  void deleteBucket(const std::string& bucket) override;
  bool bucketExists(const std::string& bucket) override;
  std::vector<lake::BucketInfo> listBuckets() override;
  std::unique_ptr<lake::ObjectWriter> openWriter(const std::string& bucket, const std::string& key,
                                                 const lake::PutOptions& options) override;
  std::unique_ptr<lake::ObjectReader> openReader(
      const std::string& bucket, const std::string& key,
      const std::optional<lake::ByteRange>& range) override;
  lake::ObjectInfo head(const std::string& bucket, const std::string& key) override;
  bool remove(const std::string& bucket, const std::string& key) override;
  lake::ObjectInfo copy(const std::string& src_bucket, const std::string& src_key,
                        const std::string& dst_bucket, const std::string& dst_key,
                        const std::optional<lake::PutOptions>& replace) override;
  lake::ListResult list(const std::string& bucket, const lake::ListRequest& request) override;
  std::optional<std::string> localPath(const std::string&, const std::string&) override {
    return std::nullopt;
  }

 private:
  friend class RemoteObjectWriter;

  S3Client client_;
  uint64_t part_size_;
  const core::Clock& clock_;
};

}  // namespace sluice::s3
