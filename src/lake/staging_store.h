#pragma once
// Gives DuckDB files to read from a lake that does not keep objects as local files (a
// remote S3 store): localPath() copies the objects a key or glob names into a staging
// folder and returns the staged path. Copies are reused while the object's ETag is
// unchanged. Everything else is passed to the wrapped store, events included.
#include <map>
#include <mutex>
#include <string>

#include "lake/forwarding_store.h"

namespace sluice::lake {

class StagingObjectStore : public ForwardingObjectStore {
 public:
  StagingObjectStore(ObjectStore& inner, std::string staging_dir)
      : ForwardingObjectStore(inner), dir_(std::move(staging_dir)) {}
  ~StagingObjectStore() override;

  // The wrapped store's own path when it has one; otherwise the staged copies' path
  // (for an empty key, the bucket's staging folder, without staging anything).
  std::optional<std::string> localPath(const std::string& bucket,
                                       const std::string& key_or_glob) override;

 private:
  std::string dir_;
  std::mutex mu_;
  std::map<std::string, std::string> staged_etags_;  // "bucket/key" → ETag of the staged copy
};

// Whether `key` matches a DuckDB-style glob: '*' and '?' stay within one '/'-separated
// segment, '**' crosses segments, [abc] is a character class.
bool globMatches(const std::string& glob, const std::string& key);

}  // namespace sluice::lake
