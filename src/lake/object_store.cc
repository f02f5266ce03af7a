#include "lake/object_store.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "core/error.h"

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

void ObjectReader::readInPieces(const std::function<void(std::string_view)>& piece) {
  std::string buf(1 << 20, '\0');
  while (size_t n = read(buf.data(), buf.size())) piece(std::string_view(buf.data(), n));
}

ObjectInfo ObjectStore::put(const std::string& bucket, const std::string& key,
                            std::string_view data, const PutOptions& options) {
  auto writer = openWriter(bucket, key, options);
  writer->write(data);
  return writer->commit();
}

std::optional<ObjectInfo> ObjectStore::find(const std::string& bucket, const std::string& key) {
  try {
    return head(bucket, key);
  } catch (const Error& e) {
    if (e.code() == errc::kNoSuchKey) return std::nullopt;
    throw;
  }
}

void ObjectStore::forEachObject(const std::string& bucket, const std::string& prefix,
                                const std::function<void(const ObjectInfo&)>& visit) {
  ListRequest request;
  request.prefix = prefix;
  while (true) {
    const auto page = list(bucket, request);
    for (const auto& o : page.objects) visit(o);
    if (!page.truncated) return;
    request.continuation_token = page.next_continuation_token;
  }
}

std::string ObjectStore::requireLocalPath(const std::string& bucket,
                                          const std::string& key_or_glob) {
  auto path = localPath(bucket, key_or_glob);
  if (!path)
    throw Error(errc::kInvalidArgument, "'lake://" + bucket + "/" + key_or_glob +
                                            "': this lake keeps no local file for it, so "
                                            "DuckDB cannot read it");
  return *path;
}

std::string ObjectStore::get(const std::string& bucket, const std::string& key,
                             const std::optional<ByteRange>& range) {
  return openReader(bucket, key, range)->readAll();
}

ObjectInfo ObjectStore::putFile(const std::string& bucket, const std::string& key,
                                const std::string& path, const PutOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(errc::kIo, "cannot read '" + path + "'");
  ObjectInfo info = putStream(bucket, key, in, "'" + path + "'", options);
  std::remove(path.c_str());
  return info;
}

ObjectInfo ObjectStore::putStream(const std::string& bucket, const std::string& key,
                                  std::istream& in, const std::string& what,
                                  const PutOptions& options) {
  auto writer = openWriter(bucket, key, options);
  std::string buf(1 << 20, '\0');
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
    writer->write(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  if (in.bad()) throw Error(errc::kIo, "cannot read " + what);
  return writer->commit();  // only now is the object there
}

void ObjectStore::addListener(ObjectEventListener listener, bool every_phase) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back({std::move(listener), every_phase});
}

std::optional<ObjectInfo> ObjectStore::publishChange(
    ObjectEventType type, const ObjectInfo& expected, const std::string& source, core::TimeNs now,
    const std::function<std::optional<ObjectInfo>()>& publish) {
  // Sequencers increase strictly even when the clock stalls or steps back; fixed-width
  // upper-case hex so that they compare as strings.
  int64_t last = last_sequence_.load();
  int64_t next;
  do {
    next = std::max(now, last + 1);
  } while (!last_sequence_.compare_exchange_weak(last, next));
  char sequencer[24];
  std::snprintf(sequencer, sizeof sequencer, "%016llX", static_cast<unsigned long long>(next));
  ObjectEvent event;
  event.type = type;
  event.phase = ChangePhase::kStaged;
  event.bucket = expected.bucket;
  event.key = expected.key;
  event.size = expected.size;
  event.etag = expected.etag;
  event.sequencer = sequencer;
  event.time = now;
  event.source = source;
  std::optional<ObjectInfo> done;
  try {
    emit(event);  // a listener that cannot record the change stops it here
    done = publish();
  } catch (...) {
    event.phase = ChangePhase::kAbandoned;
    try {
      emit(event);
    } catch (...) {
      // The change's own failure is what the writer must hear; a listener that cannot
      // drop what it staged leaves it for recovery, which finds no such change.
    }
    throw;
  }
  if (!done) {
    event.phase = ChangePhase::kAbandoned;
  } else {
    event.phase = ChangePhase::kPublished;
    if (type == ObjectEventType::kCreated) {
      event.size = done->size;
      event.etag = done->etag;
    }
  }
  emit(event);
  return done;
}

void ObjectStore::emit(const ObjectEvent& event) {
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (auto& l : listeners)
    if (l.every_phase || event.phase == ChangePhase::kPublished) l.notify(event);
}

}  // namespace sluice::lake
