#pragma once
// An ObjectStore that passes every call to another one: the base of decorators that
// change one behaviour (like LevelDB's EnvWrapper). Events of the wrapped store are
// raised again by the wrapper, so listeners may subscribe to either.
#include "lake/object_store.h"

namespace sluice::lake {

class ForwardingObjectStore : public ObjectStore {
 public:
  explicit ForwardingObjectStore(ObjectStore& inner) : inner_(inner) {
    inner_.addListener([this](const ObjectEvent& e) { emit(e); }, /*every_phase=*/true);
  }

  void createBucket(const std::string& b) override { inner_.createBucket(b); }
  void deleteBucket(const std::string& b) override { inner_.deleteBucket(b); }
  bool bucketExists(const std::string& b) override { return inner_.bucketExists(b); }
  std::vector<BucketInfo> listBuckets() override { return inner_.listBuckets(); }
  std::unique_ptr<ObjectWriter> openWriter(const std::string& b, const std::string& k,
                                           const PutOptions& o) override {
    return inner_.openWriter(b, k, o);
  }
  std::unique_ptr<ObjectReader> openReader(const std::string& b, const std::string& k,
                                           const std::optional<ByteRange>& r) override {
    return inner_.openReader(b, k, r);
  }
  ObjectInfo head(const std::string& b, const std::string& k) override { return inner_.head(b, k); }
  bool remove(const std::string& b, const std::string& k) override { return inner_.remove(b, k); }
  ObjectInfo copy(const std::string& sb, const std::string& sk, const std::string& db,
                  const std::string& dk, const std::optional<PutOptions>& r) override {
    return inner_.copy(sb, sk, db, dk, r);
  }
  ListResult list(const std::string& b, const ListRequest& r) override { return inner_.list(b, r); }
  ObjectInfo putFile(const std::string& b, const std::string& k, const std::string& path,
                     const PutOptions& o) override {
    return inner_.putFile(b, k, path, o);
  }
  std::optional<std::string> localPath(const std::string& b, const std::string& k) override {
    return inner_.localPath(b, k);
  }

 protected:
  ObjectStore& inner() { return inner_; }

 private:
  ObjectStore& inner_;
};

}  // namespace sluice::lake
