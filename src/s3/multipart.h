#pragma once
// Multipart uploads for the S3 API: parts are kept as files in a staging folder until
// CompleteMultipartUpload joins them into one object (ETag "md5-of-part-md5s-N") and
// hands it to the lake, which moves it into place.
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/hash.h"
#include "lake/object.h"

namespace sluice::lake {
class ObjectStore;
}

namespace sluice::s3 {

struct UploadInfo {
  std::string upload_id, bucket, key;
  core::TimeNs initiated = 0;
};

struct PartInfo {
  int number = 0;
  std::string etag;  // hex MD5 of the part
  uint64_t size = 0;
  core::TimeNs last_modified = 0;
};

struct CompletedPart {
  int number = 0;
  std::string etag;  // as the client sent it, quotes allowed
};

// A file being written in the staging folder, removed when this goes unless it was moved
// away (renamed into place, or consumed by ObjectStore::putFile) after close().
class StagedFile {
 public:
  explicit StagedFile(std::string path);
  ~StagedFile();
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  void write(std::string_view data);  // throws Error(IOError)
  const std::string& close();         // the file's path, once all of it is written

 private:
  std::string path_;
  std::ofstream out_;
};

// A part as it arrives: its bytes go to a staging file; it is listed only once committed,
// and a writer destroyed uncommitted leaves nothing behind.
class PartWriter {
 public:
  // With `known_md5` (hex), the part's MD5 as its caller took it; otherwise it is hashed
  // as it is written.
  PartWriter(std::string path, int number, const core::Clock& clock,
             std::optional<std::string> known_md5 = std::nullopt);
  void write(std::string_view data);
  PartInfo commit();

 private:
  std::string path_;
  int number_;
  const core::Clock& clock_;
  StagedFile file_;
  std::optional<std::string> known_md5_;
  core::Md5 md5_;
  uint64_t size_ = 0;
};

class MultipartUploads {
 public:
  MultipartUploads(lake::ObjectStore& lake, std::string staging_dir,
                   const core::Clock& clock = core::SystemClock::instance());

  std::string create(const std::string& bucket, const std::string& key,
                     const lake::PutOptions& options);
  // A whole part whose hex MD5 (its ETag) the caller has taken.
  PartInfo uploadPart(const std::string& upload_id, const std::string& bucket,
                      const std::string& key, int number, std::string_view data,
                      const std::string& md5);
  // The same for a part whose bytes arrive in pieces.
  std::unique_ptr<PartWriter> openPart(const std::string& upload_id, const std::string& bucket,
                                       const std::string& key, int number,
                                       std::optional<std::string> known_md5 = std::nullopt);
  // A new file in the staging folder (for a body that must be whole before it is stored).
  std::unique_ptr<StagedFile> stageFile();
  // Checks the list (ascending part numbers, known parts with matching ETags, every part
  // but the last at least 5 MiB) and publishes the object; with `no_overwrite`, an
  // existing key is PreconditionFailed (If-None-Match: *).
  lake::ObjectInfo complete(const std::string& upload_id, const std::string& bucket,
                            const std::string& key, const std::vector<CompletedPart>& parts,
                            bool no_overwrite = false);
  void abort(const std::string& upload_id, const std::string& bucket, const std::string& key);
  std::vector<PartInfo> listParts(const std::string& upload_id, const std::string& bucket,
                                  const std::string& key);
  std::vector<UploadInfo> listUploads(const std::string& bucket);

 private:
  std::string uploadDir(const std::string& upload_id, const std::string& bucket,
                        const std::string& key);

  lake::ObjectStore& lake_;
  std::string dir_;
  const core::Clock& clock_;
};

}  // namespace sluice::s3
