#include "lake/local_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/growing_file_etag.h"
#include "core/hash.h"
#include "core/ids.h"
#include "lake/names.h"

namespace sluice::lake {

namespace {

constexpr const char* kMetaAttr = "user.sluice.meta";
constexpr const char* kCreatedAttr = "user.sluice.created";
constexpr const char* kDefaultContentType = "application/octet-stream";

using json = nlohmann::json;

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

[[noreturn]] void ioError(const std::string& what, const std::string& path) {
  throw Error(errc::kIo, what + " '" + path + "': " + std::strerror(errno));
}

std::string encodeMeta(const std::string& etag, const PutOptions& o) {
  json j{{"etag", etag},
         {"type", o.content_type.empty() ? kDefaultContentType : o.content_type},
         {"meta", o.user_metadata},
         {"headers", o.headers}};
  return j.dump();
}

// Reads an extended attribute through `fd` (or `path` when fd < 0); nullopt if absent.
std::optional<std::string> readAttr(int fd, const std::string& path, const char* name) {
  char buf[8192];
  ssize_t n = fd >= 0 ? ::fgetxattr(fd, name, buf, sizeof buf)
                      : ::lgetxattr(path.c_str(), name, buf, sizeof buf);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

bool isFolderObject(const std::string& dir_path) {
  return readAttr(-1, dir_path, kMetaAttr).has_value();
}

bool dirIsEmpty(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (!d) return true;
  bool empty = true;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

// Fills `info` from the stored metadata attribute. Files placed in the lake by other
// tools have none: their ETag is computed from the content.
void applyMeta(ObjectInfo& info, const std::optional<std::string>& attr, int fd) {
  if (attr) {
    json j = json::parse(*attr, nullptr, false);
    if (!j.is_discarded()) {
      info.etag = j.value("etag", "");
      info.content_type = j.value("type", kDefaultContentType);
      info.user_metadata = j.value("meta", UserMetadata{});
      info.headers = j.value("headers", StoredHeaders{});
      return;
    }
  }
  info.content_type = kDefaultContentType;
  info.etag = fd >= 0 ? core::fileEtag(fd, info.size) : core::md5Hex("");
}

// The path of `key` under `bucket_dir`, refusing to pass through a symbolic link (a
// link inside the lake could otherwise lead a key outside it).
std::string resolveNoSymlinks(const std::string& bucket_dir, const std::string& key) {
  std::string path = bucket_dir;
  for (const auto& seg : keySegments(key)) {
    path += "/" + seg;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) break;  // missing: the caller reports it
    if (S_ISLNK(st.st_mode))
      throw Error(errc::kInvalidKey,
                  "object key '" + key + "' passes through a symbolic link in the lake folder");
  }
  return path;
}

// Creates the folders above `key` and returns its path; refuses symbolic links and
// keys whose parent is an object.
std::string ensureParents(const std::string& bucket_dir, const std::string& key) {
  auto segs = keySegments(key);
  std::string path = bucket_dir;
  std::string key_so_far;
  for (size_t i = 0; i + 1 < segs.size(); i++) {
    path += "/" + segs[i];
    key_so_far += segs[i];
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
        ioError("cannot create folder", path);
      if (::lstat(path.c_str(), &st) != 0) ioError("cannot create folder", path);
    }
    if (S_ISLNK(st.st_mode))
      throw Error(errc::kInvalidKey,
                  "object key '" + key + "' passes through a symbolic link in the lake folder");
    if (!S_ISDIR(st.st_mode))
      throw Error(errc::kKeyConflict, "cannot store '" + key + "': '" + key_so_far +
                                          "' is an object, and a local lake cannot hold both");
    key_so_far += "/";
  }
  return path + "/" + segs.back();
}

class LocalObjectReader : public ObjectReader {
 public:
  LocalObjectReader(int fd, ObjectInfo info, ResolvedRange range)
      : fd_(fd), info_(std::move(info)), range_(range) {}
  ~LocalObjectReader() override {
    if (fd_ >= 0) ::close(fd_);
  }
  const ObjectInfo& info() const override { return info_; }
  ResolvedRange range() const override { return range_; }
  size_t read(char* buf, size_t n) override {
    uint64_t left = range_.length - pos_;
    if (left == 0 || fd_ < 0) return 0;
    size_t want = static_cast<size_t>(std::min<uint64_t>(n, left));
    for (;;) {
      ssize_t got = ::pread(fd_, buf, want, static_cast<off_t>(range_.offset + pos_));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0)
        throw Error(errc::kIo, "cannot read object '" + info_.key + "': " + std::strerror(errno));
      pos_ += static_cast<uint64_t>(got);
      return static_cast<size_t>(got);
    }
  }

 private:
  int fd_;
  ObjectInfo info_;
  ResolvedRange range_;
  uint64_t pos_ = 0;
};

struct ListEntry {
  std::string key;
  bool is_prefix;
  bool operator<(const ListEntry& o) const { return key < o.key; }
  bool operator==(const ListEntry& o) const { return key == o.key; }
};

// Collects the keys under `dir` that begin with `filter`. Shallow walks (delimiter
// "/") report sub-folders as common prefixes instead of descending.
void walk(const std::string& dir, const std::string& key_prefix, const std::string& filter,
          bool shallow, std::vector<ListEntry>& out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string key = key_prefix + name;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISREG(st.st_mode)) {
      if (startsWith(key, filter)) out.push_back({key, false});
    } else if (S_ISDIR(st.st_mode)) {
      std::string folder_key = key + "/";
      if (!startsWith(folder_key, filter) && !startsWith(filter, folder_key)) continue;
      std::string path = dir + "/" + name;
      if (shallow) {
        if (startsWith(folder_key, filter) && (isFolderObject(path) || !dirIsEmpty(path)))
          out.push_back({folder_key, true});
      } else {
        if (startsWith(folder_key, filter) && isFolderObject(path))
          out.push_back({folder_key, false});
        walk(path, folder_key, filter, false, out);
      }
    }
  }
  ::closedir(d);
}

}  // namespace

// ---------------------------------------------------------------------------------------

class LocalObjectWriter : public ObjectWriter {
 public:
  LocalObjectWriter(LocalObjectStore& store, std::string bucket, std::string key,
                    PutOptions options)
      : store_(store),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        options_(std::move(options)) {
    if (key_.back() != '/') {
      temp_ = store_.newTempPath();
      file_ = store_.fs_.createFile(temp_);
    }
  }

  ~LocalObjectWriter() override {
    if (committed_ || temp_.empty()) return;
    try {
      file_.reset();
      store_.fs_.removeFile(temp_);
    } catch (...) {
      // A crashed or failing file system keeps its temporary file; the next open of
      // the lake removes it.
    }
  }

  void write(std::string_view data) override {
    if (data.empty()) return;
    if (!file_)
      throw Error(
          errc::kInvalidArgument,
          "folder object '" + key_ + "' (a key ending in '/') must be empty in a local lake");
    file_->append(data);
    if (!options_.etag) md5_.update(data);  // an ETag given up front is not computed
    size_ += data.size();
  }

  ObjectInfo commit() override {
    std::string etag = options_.etag ? *options_.etag : md5_.finishHex();
    std::string meta = encodeMeta(etag, options_);
    if (file_) {
      file_->setAttribute(kMetaAttr, meta);
      file_->sync();
      file_->close();
    }
    const ObjectInfo expected = plannedObject(bucket_, key_, size_, etag);
    ObjectInfo info = *store_.publishChange(
        ObjectEventType::kCreated, expected, options_.event_source, store_.clock_.now(),
        [&] { return store_.publish(bucket_, key_, temp_, meta, options_.no_overwrite); });
    committed_ = true;
    return info;
  }

 private:
  LocalObjectStore& store_;
  std::string bucket_, key_;
  PutOptions options_;
  std::string temp_;
  std::unique_ptr<WritableFile> file_;
  core::Md5 md5_;
  uint64_t size_ = 0;
  bool committed_ = false;
};

LocalObjectStore::LocalObjectStore(std::string root, FileSystem& fs, const core::Clock& clock)
    : root_(std::move(root)), tmp_dir_(root_ + "/.tmp"), fs_(fs), clock_(clock) {
  std::error_code ec;
  std::filesystem::create_directories(tmp_dir_, ec);
  if (ec) throw Error(errc::kIo, "cannot create lake folder '" + tmp_dir_ + "': " + ec.message());
  // Temporary files of processes that are gone are uploads that never completed.
  if (DIR* d = ::opendir(tmp_dir_.c_str())) {
    while (dirent* e = ::readdir(d)) {
      long pid = std::atol(e->d_name);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        ::unlinkat(::dirfd(d), e->d_name, 0);
    }
    ::closedir(d);
  }
}

std::string LocalObjectStore::bucketDir(const std::string& bucket) const {
  validateBucketName(bucket);
  std::string dir = root_ + "/" + bucket;
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Error(errc::kNoSuchBucket, "bucket '" + bucket + "' does not exist");
  return dir;
}

std::string LocalObjectStore::newTempPath() {
  return tmp_dir_ + "/" + std::to_string(::getpid()) + "." + core::randomHex(8);
}

void LocalObjectStore::createBucket(const std::string& bucket) {
  validateBucketName(bucket);
  std::string dir = root_ + "/" + bucket;
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST)
      throw Error(errc::kBucketAlreadyOwnedByYou, "bucket '" + bucket + "' already exists");
    ioError("cannot create bucket folder", dir);
  }
  std::string created = std::to_string(clock_.now());
  ::lsetxattr(dir.c_str(), kCreatedAttr, created.data(), created.size(), 0);
  fs_.syncDir(root_);
}

void LocalObjectStore::deleteBucket(const std::string& bucket) {
  std::string dir = bucketDir(bucket);
  if (::rmdir(dir.c_str()) != 0) {
    if (errno == ENOTEMPTY || errno == EEXIST)
      throw Error(errc::kBucketNotEmpty, "bucket '" + bucket + "' is not empty");
    ioError("cannot remove bucket folder", dir);
  }
  fs_.syncDir(root_);
}

bool LocalObjectStore::bucketExists(const std::string& bucket) {
  try {
    bucketDir(bucket);
    return true;
  } catch (const Error& e) {
    if (e.code() == errc::kNoSuchBucket) return false;
    throw;
  }
}

std::vector<BucketInfo> LocalObjectStore::listBuckets() {
  std::vector<BucketInfo> out;
  DIR* d = ::opendir(root_.c_str());
  if (!d) ioError("cannot read lake folder", root_);
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    try {
      validateBucketName(name);
    } catch (const Error&) {
      continue;  // ".tmp" and anything else that is not a bucket
    }
    std::string path = root_ + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    core::TimeNs created = core::fromTimespec(st.st_mtim);
    if (auto attr = readAttr(-1, path, kCreatedAttr)) created = std::atoll(attr->c_str());
    out.push_back({name, created});
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

std::unique_ptr<ObjectWriter> LocalObjectStore::openWriter(const std::string& bucket,
                                                           const std::string& key,
                                                           const PutOptions& options) {
  bucketDir(bucket);
  validateKey(key);
  return std::make_unique<LocalObjectWriter>(*this, bucket, key, options);
}

ObjectInfo LocalObjectStore::publish(const std::string& bucket, const std::string& key,
                                     const std::string& temp, const std::string& meta_json,
                                     bool no_overwrite) {
  const std::string bucket_dir = bucketDir(bucket);
  const bool folder = key.back() == '/';
  // A concurrent delete may remove an empty parent folder between our creating it and
  // the rename; that race is retried.
  for (int attempt = 0;; attempt++) {
    std::string path = ensureParents(bucket_dir, folder ? key.substr(0, key.size() - 1) : key);
    std::string parent = path.substr(0, path.rfind('/'));
    try {
      struct stat st, published;
      bool exists = ::lstat(path.c_str(), &st) == 0;
      if (folder) {
        if (exists && !S_ISDIR(st.st_mode))
          throw Error(errc::kKeyConflict, "cannot store folder object '" + key +
                                              "': an object with that name without '/' exists");
        if (exists && no_overwrite && isFolderObject(path))
          throw Error(errc::kPreconditionFailed, "object '" + key + "' already exists");
        if (!exists && ::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
          ioError("cannot create folder", path);
        if (::lsetxattr(path.c_str(), kMetaAttr, meta_json.data(), meta_json.size(), 0) != 0 ||
            ::lstat(path.c_str(), &published) != 0)
          ioError("cannot set metadata on", path);
      } else {
        if (exists && S_ISDIR(st.st_mode))
          throw Error(errc::kKeyConflict, "cannot store '" + key +
                                              "': it is a folder of other objects in a local lake");
        if (no_overwrite && exists)
          throw Error(errc::kPreconditionFailed, "object '" + key + "' already exists");
        if (::lstat(temp.c_str(), &published) != 0) ioError("cannot read", temp);
        fs_.rename(temp, path, no_overwrite);
      }
      fs_.syncDir(parent);
      // What was published, not read back: a concurrent writer may already have replaced it.
      ObjectInfo info;
      info.bucket = bucket;
      info.key = key;
      info.size = folder ? 0 : static_cast<uint64_t>(published.st_size);
      info.last_modified = core::fromTimespec(published.st_mtim);
      applyMeta(info, meta_json, -1);
      return info;
    } catch (const Error& e) {
      struct stat st;
      bool parent_gone = ::lstat(parent.c_str(), &st) != 0;
      if (e.code() == errc::kIo && parent_gone && attempt < 5) continue;
      if (e.code() == errc::kPreconditionFailed)
        throw Error(errc::kPreconditionFailed, "object '" + key + "' already exists in bucket '" +
                                                   bucket + "' and overwriting is not allowed");
      throw;
    }
  }
}

std::unique_ptr<ObjectReader> LocalObjectStore::openReader(const std::string& bucket,
                                                           const std::string& key,
                                                           const std::optional<ByteRange>& range) {
  const std::string bucket_dir = bucketDir(bucket);
  validateKey(key);
  const auto no_such_key = [&] {
    return Error(errc::kNoSuchKey,
                 "object '" + key + "' does not exist in bucket '" + bucket + "'");
  };
  std::string path = resolveNoSymlinks(bucket_dir, key);
  ObjectInfo info;
  info.bucket = bucket;
  info.key = key;
  int fd = -1;
  struct stat st;
  if (key.back() == '/') {
    auto attr = readAttr(-1, path, kMetaAttr);
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !attr) throw no_such_key();
    applyMeta(info, attr, -1);
  } else {
    fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ELOOP)
        throw Error(errc::kInvalidKey,
                    "object '" + key + "' is a symbolic link in the lake folder");
      if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) throw no_such_key();
      ioError("cannot open object", path);
    }
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw no_such_key();
    }
    info.size = static_cast<uint64_t>(st.st_size);
    applyMeta(info, readAttr(fd, path, kMetaAttr), fd);
  }
  info.last_modified = core::fromTimespec(st.st_mtim);
  ResolvedRange selected{0, info.size};
  if (range) {
    try {
      selected = resolveRange(*range, info.size);
    } catch (...) {
      if (fd >= 0) ::close(fd);
      throw;
    }
  }
  return std::make_unique<LocalObjectReader>(fd, std::move(info), selected);
}

ObjectInfo LocalObjectStore::head(const std::string& bucket, const std::string& key) {
  return openReader(bucket, key, std::nullopt)->info();
}

void LocalObjectStore::removeEmptyParents(const std::string& bucket_dir, const std::string& key) {
  auto segs = keySegments(key);
  for (size_t n = segs.size(); n-- > 1;) {
    std::string dir = bucket_dir;
    for (size_t i = 0; i < n; i++) dir += "/" + segs[i];
    if (isFolderObject(dir) || ::rmdir(dir.c_str()) != 0) break;
  }
}

bool LocalObjectStore::remove(const std::string& bucket, const std::string& key) {
  const std::string bucket_dir = bucketDir(bucket);
  validateKey(key);
  const auto found = find(bucket, key);
  if (!found) return false;
  std::string path = resolveNoSymlinks(bucket_dir, key);
  auto removed =
      publishChange(ObjectEventType::kRemoved, *found, "Delete", clock_.now(),
                    [&]() -> std::optional<ObjectInfo> {
                      if (key.back() == '/') {
                        if (::lremovexattr(path.c_str(), kMetaAttr) != 0 && errno != ENODATA)
                          ioError("cannot remove folder object", path);
                        ::rmdir(path.c_str());  // stays while other objects are inside
                        removeEmptyParents(bucket_dir, key.substr(0, key.size() - 1));
                      } else {
                        if (::unlink(path.c_str()) != 0) {
                          if (errno == ENOENT)
                            return std::nullopt;  // someone else removed it first
                          ioError("cannot remove object", path);
                        }
                        removeEmptyParents(bucket_dir, key);
                      }
                      return *found;
                    });
  return removed.has_value();
}

ObjectInfo LocalObjectStore::copy(const std::string& src_bucket, const std::string& src_key,
                                  const std::string& dst_bucket, const std::string& dst_key,
                                  const std::optional<PutOptions>& replace) {
  auto reader = openReader(src_bucket, src_key, std::nullopt);
  PutOptions options;
  if (replace) {
    options = *replace;
  } else {
    options.content_type = reader->info().content_type;
    options.user_metadata = reader->info().user_metadata;
    options.headers = reader->info().headers;
  }
  options.event_source = "Copy";
  // A single-part object's ETag is the MD5 of its bytes, and so is its copy's: the bytes
  // are not hashed again. A multipart one ("…-N") gets the MD5 of its bytes, as S3 gives.
  const std::string& etag = reader->info().etag;
  options.etag = !etag.empty() && etag.find('-') == std::string::npos
                     ? std::optional<std::string>(etag)
                     : std::nullopt;
  auto writer = openWriter(dst_bucket, dst_key, options);
  reader->readInPieces([&](std::string_view piece) { writer->write(piece); });
  return writer->commit();
}

ListResult LocalObjectStore::list(const std::string& bucket, const ListRequest& request) {
  const std::string bucket_dir = bucketDir(bucket);
  if (request.max_keys < 0) throw Error(errc::kInvalidArgument, "max-keys must not be negative");
  std::string marker = request.start_after;
  if (!request.continuation_token.empty()) {
    std::string after;
    try {
      after = core::base64Decode(request.continuation_token);
    } catch (const Error&) {
      throw Error(errc::kInvalidArgument, "the continuation token is not one this lake issued");
    }
    marker = std::max(marker, after);
  }

  // Walk only the folder that the prefix's complete segments name.
  const std::string& prefix = request.prefix;
  size_t slash = prefix.rfind('/');
  std::string dir_key = slash == std::string::npos ? "" : prefix.substr(0, slash + 1);
  if (!dir_key.empty()) {
    try {
      validateKey(dir_key);
    } catch (const Error&) {
      return {};  // no key can begin with such a prefix
    }
  }
  std::string start_dir = dir_key.empty() ? bucket_dir : resolveNoSymlinks(bucket_dir, dir_key);
  const bool shallow = request.delimiter == "/";

  std::vector<ListEntry> entries;
  if (!dir_key.empty() && startsWith(dir_key, prefix) && isFolderObject(start_dir))
    entries.push_back({dir_key, false});
  walk(start_dir, dir_key, prefix, shallow, entries);

  if (!request.delimiter.empty() && !shallow) {
    for (auto& e : entries) {
      size_t pos = e.key.find(request.delimiter, prefix.size());
      if (pos != std::string::npos) {
        e.key.resize(pos + request.delimiter.size());
        e.is_prefix = true;
      }
    }
  }
  std::sort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());

  ListResult out;
  int taken = 0;
  std::string last;
  for (const auto& e : entries) {
    if (!marker.empty() && e.key <= marker) continue;
    if (taken == request.max_keys) {
      out.truncated = true;
      break;
    }
    if (e.is_prefix) {
      out.common_prefixes.push_back(e.key);
    } else {
      try {
        out.objects.push_back(head(bucket, e.key));
      } catch (const Error& err) {
        if (err.code() != errc::kNoSuchKey) throw;
        continue;  // removed while we listed
      }
    }
    last = e.key;
    taken++;
  }
  if (out.truncated) out.next_continuation_token = core::base64Encode(last);
  return out;
}

std::optional<std::string> LocalObjectStore::localPath(const std::string& bucket,
                                                       const std::string& key_or_glob) {
  const std::string bucket_dir = bucketDir(bucket);
  if (key_or_glob.empty()) return bucket_dir;
  for (const auto& seg : keySegments(key_or_glob)) {
    if (seg == "." || seg == ".." || seg.empty() || seg.find('\0') != std::string::npos)
      throw Error(errc::kInvalidKey,
                  "lake path '" + key_or_glob + "' must not contain '.', '..' or empty segments");
  }
  if (key_or_glob.front() == '/')
    throw Error(errc::kInvalidKey, "lake path '" + key_or_glob + "' must not begin with '/'");
  return bucket_dir + "/" + key_or_glob;
}

ObjectInfo LocalObjectStore::putFile(const std::string& bucket, const std::string& key,
                                     const std::string& path, const PutOptions& options) {
  bucketDir(bucket);
  validateKey(key);
  struct stat src, lake;
  if (key.back() == '/' || ::stat(path.c_str(), &src) != 0 ||
      ::stat(tmp_dir_.c_str(), &lake) != 0 || src.st_dev != lake.st_dev)
    return ObjectStore::putFile(bucket, key, path, options);
  // Same file system: adopt the file. Move it into the lake's temporary folder first so
  // a crash leaves it where the lake cleans up, then publish it like any upload.
  const std::string temp = newTempPath();
  fs_.rename(path, temp, true);
  int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) ioError("cannot open", temp);
  std::string etag;
  try {
    etag = options.etag ? *options.etag : core::fileEtag(fd, static_cast<uint64_t>(src.st_size));
  } catch (const Error&) {
    ::close(fd);
    fs_.removeFile(temp);
    throw;
  }
  std::string meta = encodeMeta(etag, options);
  bool ok = ::fsetxattr(fd, kMetaAttr, meta.data(), meta.size(), 0) == 0 && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok) {
    fs_.removeFile(temp);
    ioError("cannot store metadata of", temp);
  }
  try {
    const ObjectInfo expected =
        plannedObject(bucket, key, static_cast<uint64_t>(src.st_size), etag);
    return *publishChange(ObjectEventType::kCreated, expected, options.event_source, clock_.now(),
                          [&] { return publish(bucket, key, temp, meta, options.no_overwrite); });
  } catch (...) {
    fs_.removeFile(temp);
    throw;
  }
}

}  // namespace sluice::lake
