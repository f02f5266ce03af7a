#include "s3/multipart.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "core/error.h"
#include "core/hash.h"
#include "core/ids.h"
#include "lake/object_store.h"

namespace sluice::s3 {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr uint64_t kMinPartSize = 5ULL << 20;

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string temporaryBeside(const std::string& path) { return path + ".tmp-" + core::randomHex(4); }

void writeAtomically(const fs::path& p, std::string_view data) {
  StagedFile file(temporaryBeside(p.string()));
  file.write(data);
  fs::rename(file.close(), p);
}

std::string partName(int number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "part-%05d", number);
  return buf;
}

core::TimeNs mtime(const fs::path& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return 0;
  return core::fromTimespec(st.st_mtim);
}

std::string unquote(std::string etag) {
  for (const std::string& q : {std::string("&quot;"), std::string("\"")}) {
    if (etag.size() >= 2 * q.size() && etag.compare(0, q.size(), q) == 0 &&
        etag.compare(etag.size() - q.size(), q.size(), q) == 0)
      etag = etag.substr(q.size(), etag.size() - 2 * q.size());
  }
  return etag;
}

}  // namespace

MultipartUploads::MultipartUploads(lake::ObjectStore& lake, std::string staging_dir,
                                   const core::Clock& clock)
    : lake_(lake), dir_(std::move(staging_dir)), clock_(clock) {
  fs::create_directories(dir_);
}

std::string MultipartUploads::uploadDir(const std::string& upload_id, const std::string& bucket,
                                        const std::string& key) {
  bool valid = !upload_id.empty() && upload_id.size() <= 64;
  for (char c : upload_id) valid = valid && std::isxdigit(static_cast<unsigned char>(c));
  const fs::path dir = fs::path(dir_) / upload_id;
  if (!valid || !fs::exists(dir / "upload.json"))
    throw Error("NoSuchUpload", "the specified multipart upload does not exist");
  json meta = json::parse(readText(dir / "upload.json"));
  if (meta["bucket"] != bucket || meta["key"] != key)
    throw Error("NoSuchUpload", "the specified multipart upload does not belong to this object");
  return dir.string();
}

std::string MultipartUploads::create(const std::string& bucket, const std::string& key,
                                     const lake::PutOptions& options) {
  if (!lake_.bucketExists(bucket))
    throw Error(errc::kNoSuchBucket, "bucket '" + bucket + "' does not exist");
  const std::string id = core::randomHex(16);
  const fs::path dir = fs::path(dir_) / id;
  fs::create_directories(dir);
  json meta = {{"bucket", bucket},
               {"key", key},
               {"initiated", clock_.now()},
               {"content_type", options.content_type},
               {"metadata", options.user_metadata},
               {"headers", options.headers}};
  writeAtomically(dir / "upload.json", meta.dump());
  return id;
}

StagedFile::StagedFile(std::string path)
    : path_(std::move(path)), out_(path_, std::ios::binary | std::ios::trunc) {
  if (!out_) throw Error(errc::kIo, "cannot write " + path_);
}

StagedFile::~StagedFile() {
  out_.close();
  std::error_code ignored;  // gone already when it was moved away
  fs::remove(path_, ignored);
}

void StagedFile::write(std::string_view data) {
  if (!out_.write(data.data(), static_cast<std::streamsize>(data.size())))
    throw Error(errc::kIo, "cannot write " + path_);
}

const std::string& StagedFile::close() {
  out_.close();
  if (!out_) throw Error(errc::kIo, "cannot write " + path_);
  return path_;
}

PartWriter::PartWriter(std::string path, int number, const core::Clock& clock,
                       std::optional<std::string> known_md5)
    : path_(std::move(path)),
      number_(number),
      clock_(clock),
      file_(temporaryBeside(path_)),
      known_md5_(std::move(known_md5)) {}

void PartWriter::write(std::string_view data) {
  file_.write(data);
  if (!known_md5_) md5_.update(data);
  size_ += data.size();
}

PartInfo PartWriter::commit() {
  const std::string md5 = known_md5_ ? *known_md5_ : md5_.finishHex();
  fs::rename(file_.close(), path_);
  writeAtomically(path_ + ".md5", md5);  // the part is listed from here on
  return {number_, md5, size_, clock_.now()};
}

std::unique_ptr<PartWriter> MultipartUploads::openPart(const std::string& upload_id,
                                                       const std::string& bucket,
                                                       const std::string& key, int number,
                                                       std::optional<std::string> known_md5) {
  if (number < 1 || number > 10000)
    throw Error(errc::kInvalidArgument, "part numbers must be 1 to 10000");
  const fs::path dir = uploadDir(upload_id, bucket, key);
  return std::make_unique<PartWriter>(dir / partName(number), number, clock_, std::move(known_md5));
}

std::unique_ptr<StagedFile> MultipartUploads::stageFile() {
  return std::make_unique<StagedFile>(dir_ + "/put-" + core::randomHex(8));
}

PartInfo MultipartUploads::uploadPart(const std::string& upload_id, const std::string& bucket,
                                      const std::string& key, int number, std::string_view data,
                                      const std::string& md5) {
  auto part = openPart(upload_id, bucket, key, number, md5);
  part->write(data);
  return part->commit();
}

std::vector<PartInfo> MultipartUploads::listParts(const std::string& upload_id,
                                                  const std::string& bucket,
                                                  const std::string& key) {
  const fs::path dir = uploadDir(upload_id, bucket, key);
  std::vector<PartInfo> parts;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() != 10 || name.rfind("part-", 0) != 0) continue;
    if (!fs::exists(e.path().string() + ".md5")) continue;
    parts.push_back({std::stoi(name.substr(5)), readText(e.path().string() + ".md5"),
                     fs::file_size(e.path()), mtime(e.path())});
  }
  std::sort(parts.begin(), parts.end(), [](auto& a, auto& b) { return a.number < b.number; });
  return parts;
}

lake::ObjectInfo MultipartUploads::complete(const std::string& upload_id, const std::string& bucket,
                                            const std::string& key,
                                            const std::vector<CompletedPart>& parts,
                                            bool no_overwrite) {
  const fs::path dir = uploadDir(upload_id, bucket, key);
  if (parts.empty()) throw Error("MalformedXML", "CompleteMultipartUpload lists no parts");
  std::map<int, PartInfo> stored;
  for (const auto& p : listParts(upload_id, bucket, key)) stored[p.number] = p;
  int previous = 0;
  for (size_t i = 0; i < parts.size(); i++) {
    const auto& p = parts[i];
    if (p.number <= previous)
      throw Error("InvalidPartOrder", "the list of parts was not in ascending order");
    previous = p.number;
    auto it = stored.find(p.number);
    if (it == stored.end() || it->second.etag != unquote(p.etag))
      throw Error("InvalidPart", "part " + std::to_string(p.number) +
                                     " was not uploaded or its ETag does not match");
    if (i + 1 < parts.size() && it->second.size < kMinPartSize)
      throw Error("EntityTooSmall",
                  "part " + std::to_string(p.number) + " is smaller than the 5 MiB minimum");
  }
  // The joined object: the parts in order, in one file next to them.
  const fs::path joined = dir / "joined";
  {
    std::ofstream out(joined, std::ios::binary | std::ios::trunc);
    for (const auto& p : parts) {
      std::ifstream in(dir / partName(p.number), std::ios::binary);
      out << in.rdbuf();
    }
    if (!out) throw Error(errc::kIo, "cannot join the parts of upload " + upload_id);
  }
  std::vector<std::string> part_md5s;
  for (const auto& p : parts) {
    const std::string hex = stored[p.number].etag;
    std::string& binary = part_md5s.emplace_back();
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      binary += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  json meta = json::parse(readText(dir / "upload.json"));
  lake::PutOptions options;
  options.content_type = meta.value("content_type", "");
  options.user_metadata = meta.value("metadata", lake::UserMetadata{});
  options.headers = meta.value("headers", lake::StoredHeaders{});
  options.etag = core::multipartEtag(part_md5s);
  options.event_source = "CompleteMultipartUpload";
  options.no_overwrite = no_overwrite;
  lake::ObjectInfo info = lake_.putFile(bucket, key, joined.string(), options);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return info;
}

void MultipartUploads::abort(const std::string& upload_id, const std::string& bucket,
                             const std::string& key) {
  const fs::path dir = uploadDir(upload_id, bucket, key);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

std::vector<UploadInfo> MultipartUploads::listUploads(const std::string& bucket) {
  std::vector<UploadInfo> out;
  for (const auto& e : fs::directory_iterator(dir_)) {
    const fs::path meta_file = e.path() / "upload.json";
    if (!fs::exists(meta_file)) continue;
    json meta = json::parse(readText(meta_file), nullptr, false);
    if (meta.is_discarded() || meta.value("bucket", "") != bucket) continue;
    out.push_back({e.path().filename().string(), bucket, meta.value("key", ""),
                   meta.value("initiated", core::TimeNs{0})});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) {
    return std::tie(a.key, a.upload_id) < std::tie(b.key, b.upload_id);
  });
  return out;
}

}  // namespace sluice::s3
