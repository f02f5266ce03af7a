#include "lake/object_store.h"

namespace sluice::lake {

std::string ObjectReader::readAll() {
  std::string out;
  out.resize(range().length);
  size_t done = 0;
  while (done < out.size()) {
    size_t n = read(out.data() + done, out.size() - done);
    if (n == 0) break;
    done += n;
  }
  out.resize(done);
  return out;
}

ObjectInfo ObjectStore::put(const std::string& bucket, const std::string& key,
                            std::string_view data, const PutOptions& options) {
  auto writer = openWriter(bucket, key, options);
  writer->write(data);
  return writer->commit();
}

std::string ObjectStore::get(const std::string& bucket, const std::string& key,
                             const std::optional<ByteRange>& range) {
  return openReader(bucket, key, range)->readAll();
}

void ObjectStore::addListener(ObjectEventListener listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

void ObjectStore::emit(const ObjectEvent& event) {
  std::vector<ObjectEventListener> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (auto& l : listeners) l(event);
}

}  // namespace sluice::lake
