#include "s3/remote_store.h"

#include <pugixml.hpp>

#include "core/error.h"
#include "lake/names.h"
#include "s3/checksums.h"

namespace sluice::s3 {

namespace {

constexpr const char* kHttpDate = "%a, %d %b %Y %H:%M:%S GMT";

std::string unquote(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return etag;
}

// The headers that carry what a PutOptions asks to store.
HeaderList headersFor(const lake::PutOptions& options) {
  HeaderList h;
  h.emplace_back("Content-Type",
                 options.content_type.empty() ? "application/octet-stream" : options.content_type);
  for (const auto& [k, v] : options.user_metadata) h.emplace_back("x-amz-meta-" + k, v);
  for (const auto& [k, v] : options.headers) h.emplace_back(k, v);
  return h;
}

// What a GET or HEAD response says about the object (size: the whole object's).
lake::ObjectInfo infoFrom(const ClientResponse& r, const std::string& bucket,
                          const std::string& key) {
  lake::ObjectInfo info;
  info.bucket = bucket;
  info.key = key;
  const std::string content_range = r.header("content-range");  // "bytes a-b/total"
  const size_t slash = content_range.rfind('/');
  const std::string length =
      slash != std::string::npos ? content_range.substr(slash + 1) : r.header("content-length");
  info.size = length.empty() ? r.body.size() : std::stoull(length);
  info.etag = unquote(r.header("etag"));
  info.last_modified = core::parseUtc(r.header("last-modified"), kHttpDate).value_or(0);
  info.content_type = r.header("content-type");
  for (const auto& [k, v] : r.headers) {
    if (k.rfind("x-amz-meta-", 0) == 0) info.user_metadata[k.substr(11)] = v;
    if (k == "cache-control" || k == "content-disposition" || k == "content-encoding" ||
        k == "content-language" || k == "expires" || isChecksumHeader(k))
      info.headers[k] = v;
  }
  return info;
}

std::string rangeHeader(uint64_t offset, uint64_t length) {
  return "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
}

pugi::xml_node parseXml(pugi::xml_document& doc, const std::string& body, const char* root) {
  if (!doc.load_buffer(body.data(), body.size()) || !doc.child(root))
    throw Error(errc::kIo, std::string("S3 answered with a malformed ") + root + " document");
  return doc.child(root);
}

// CompleteMultipartUpload and CopyObject may answer 200 and still report an error in the
// body: loads the body into `doc` and throws that error if there is one.
void loadResultBody(pugi::xml_document& doc, const std::string& body) {
  doc.load_buffer(body.data(), body.size());
  if (auto error = doc.child("Error"))
    throw Error(error.child("Code").text().as_string(), error.child("Message").text().as_string());
}

}  // namespace

class RemoteObjectReader : public lake::ObjectReader {
 public:
  RemoteObjectReader(S3Client& client, lake::ObjectInfo info, lake::ResolvedRange range,
                     std::string first_block, uint64_t block_size)
      : client_(client),
        info_(std::move(info)),
        range_(range),
        block_(std::move(first_block)),
        next_offset_(range.offset + block_.size()),
        block_size_(block_size) {}

  const lake::ObjectInfo& info() const override { return info_; }
  lake::ResolvedRange range() const override { return range_; }

  size_t read(char* buf, size_t n) override {
    if (block_pos_ == block_.size()) {
      const uint64_t end = range_.offset + range_.length;
      if (next_offset_ >= end) return 0;
      const uint64_t length = std::min(block_size_, end - next_offset_);
      ClientRequest req;
      req.bucket = info_.bucket;
      req.key = info_.key;
      req.headers = {{"Range", rangeHeader(next_offset_, length)},
                     {"If-Match", "\"" + info_.etag + "\""}};
      block_ = client_.send(req).body;
      block_pos_ = 0;
      if (block_.empty()) return 0;
      next_offset_ += block_.size();
    }
    const size_t take = std::min(n, block_.size() - block_pos_);
    std::copy_n(block_.data() + block_pos_, take, buf);
    block_pos_ += take;
    return take;
  }

 private:
  S3Client& client_;
  lake::ObjectInfo info_;
  lake::ResolvedRange range_;
  std::string block_;
  size_t block_pos_ = 0;
  uint64_t next_offset_;
  uint64_t block_size_;
};

class RemoteObjectWriter : public lake::ObjectWriter {
 public:
  RemoteObjectWriter(RemoteObjectStore& store, std::string bucket, std::string key,
                     lake::PutOptions options)
      : store_(store),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        options_(std::move(options)) {}

  ~RemoteObjectWriter() override {
    if (upload_id_.empty() || committed_) return;
    try {
      ClientRequest req{"DELETE", bucket_, key_, {{"uploadId", upload_id_}}, {}, {}};
      store_.client_.send(req);
    } catch (const Error&) {
      // An abandoned upload is left for the store's lifecycle rules; nothing was published.
    }
  }

  void write(std::string_view data) override {
    buffer_.append(data);
    size_ += data.size();
    while (buffer_.size() >= store_.part_size_) {
      uploadPart(std::string_view(buffer_).substr(0, store_.part_size_));
      buffer_.erase(0, store_.part_size_);
    }
  }

  lake::ObjectInfo commit() override {
    // The ETag is the store's to choose (encryption changes it); known once it answers.
    const lake::ObjectInfo expected = lake::plannedObject(bucket_, key_, size_, "");
    const core::TimeNs now = store_.clock_.now();
    lake::ObjectInfo info = *store_.publishChange(
        lake::ObjectEventType::kCreated, expected, options_.event_source, now, [&] {
          lake::ObjectInfo stored = expected;
          stored.etag = send();
          stored.last_modified = now;
          stored.content_type =
              options_.content_type.empty() ? "application/octet-stream" : options_.content_type;
          stored.user_metadata = options_.user_metadata;
          stored.headers = options_.headers;
          return stored;
        });
    committed_ = true;
    return info;
  }

 private:
  // Sends the request that makes the object visible; returns its ETag.
  std::string send() {
    if (upload_id_.empty()) {
      ClientRequest req{"PUT", bucket_, key_, {}, headersFor(options_), buffer_};
      if (options_.no_overwrite) req.headers.emplace_back("If-None-Match", "*");
      return unquote(store_.client_.send(req).header("etag"));
    }
    if (!buffer_.empty() || parts_.empty()) uploadPart(buffer_);
    std::string xml = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < parts_.size(); ++i)
      xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>\"" + parts_[i] +
             "\"</ETag></Part>";
    xml += "</CompleteMultipartUpload>";
    ClientRequest req{"POST", bucket_, key_, {{"uploadId", upload_id_}}, {}, xml};
    if (options_.no_overwrite) req.headers.emplace_back("If-None-Match", "*");
    pugi::xml_document doc;
    loadResultBody(doc, store_.client_.send(req).body);
    return unquote(doc.child("CompleteMultipartUploadResult").child("ETag").text().as_string());
  }

  void uploadPart(std::string_view data) {
    if (upload_id_.empty()) {
      ClientRequest req{"POST", bucket_, key_, {{"uploads", ""}}, headersFor(options_), {}};
      pugi::xml_document doc;
      upload_id_ = parseXml(doc, store_.client_.send(req).body, "InitiateMultipartUploadResult")
                       .child("UploadId")
                       .text()
                       .as_string();
    }
    const std::string number = std::to_string(parts_.size() + 1);
    ClientRequest req{"PUT", bucket_, key_, {{"partNumber", number}, {"uploadId", upload_id_}},
                      {},    data};
    parts_.push_back(unquote(store_.client_.send(req).header("etag")));
  }

  RemoteObjectStore& store_;
  std::string bucket_, key_;
  lake::PutOptions options_;
  std::string buffer_;
  uint64_t size_ = 0;
  std::string upload_id_;
  std::vector<std::string> parts_;  // ETags of the uploaded parts, in order
  bool committed_ = false;
};

RemoteObjectStore::RemoteObjectStore(ClientConfig config, uint64_t part_size,
                                     const core::Clock& clock)
    : client_(std::move(config), clock), part_size_(part_size), clock_(clock) {}

void RemoteObjectStore::createBucket(const std::string& bucket) {
  lake::validateBucketName(bucket);
  std::string body;
  if (client_.config().region != "us-east-1")
    body = "<CreateBucketConfiguration><LocationConstraint>" + client_.config().region +
           "</LocationConstraint></CreateBucketConfiguration>";
  client_.send({"PUT", bucket, "", {}, {}, body});
}

void RemoteObjectStore::deleteBucket(const std::string& bucket) {
  client_.send({"DELETE", bucket, "", {}, {}, {}});
}

bool RemoteObjectStore::bucketExists(const std::string& bucket) {
  try {
    client_.send({"HEAD", bucket, "", {}, {}, {}});
    return true;
  } catch (const Error& e) {
    if (e.code() == errc::kNoSuchBucket) return false;
    throw;
  }
}

std::vector<lake::BucketInfo> RemoteObjectStore::listBuckets() {
  pugi::xml_document doc;
  auto root =
      parseXml(doc, client_.send({"GET", "", "", {}, {}, {}}).body, "ListAllMyBucketsResult");
  std::vector<lake::BucketInfo> buckets;
  for (auto b : root.child("Buckets").children("Bucket"))
    buckets.push_back({b.child("Name").text().as_string(),
                       core::parseIso8601(b.child("CreationDate").text().as_string())});
  return buckets;
}

std::unique_ptr<lake::ObjectWriter> RemoteObjectStore::openWriter(const std::string& bucket,
                                                                  const std::string& key,
                                                                  const lake::PutOptions& options) {
  lake::validateBucketName(bucket);
  lake::validateKey(key);
  return std::make_unique<RemoteObjectWriter>(*this, bucket, key, options);
}

std::unique_ptr<lake::ObjectReader> RemoteObjectStore::openReader(
    const std::string& bucket, const std::string& key,
    const std::optional<lake::ByteRange>& range) {
  lake::validateKey(key);
  // The first block: the request's range capped to one block, or its suffix as asked.
  ClientRequest req{"GET", bucket, key, {}, {}, {}};
  if (!range) {
    req.headers.emplace_back("Range", rangeHeader(0, part_size_));
  } else if (range->first) {
    uint64_t last = range->first.value() + part_size_ - 1;
    if (range->last) last = std::min(last, *range->last);
    if (range->last && *range->last < *range->first)
      throw Error(errc::kInvalidRange, "the range's last byte is before its first");
    req.headers.emplace_back("Range",
                             "bytes=" + std::to_string(*range->first) + "-" + std::to_string(last));
  } else {
    req.headers.emplace_back("Range", "bytes=-" + std::to_string(range->suffix_length));
  }
  ClientResponse r;
  try {
    r = client_.send(req);
  } catch (const Error& e) {
    // An empty object has no byte 0; read it whole.
    if (range || e.code() != errc::kInvalidRange) throw;
    req.headers.clear();
    r = client_.send(req);
  }
  lake::ObjectInfo info = infoFrom(r, bucket, key);
  const lake::ResolvedRange resolved =
      lake::resolveRange(range.value_or(lake::ByteRange{0, {}}), info.size);
  if (info.size == 0) return std::make_unique<RemoteObjectReader>(client_, info, resolved, "", 0);
  std::string body = std::move(r.body);
  if (body.size() > resolved.length) body.resize(resolved.length);
  return std::make_unique<RemoteObjectReader>(client_, std::move(info), resolved, std::move(body),
                                              part_size_);
}

lake::ObjectInfo RemoteObjectStore::head(const std::string& bucket, const std::string& key) {
  lake::validateKey(key);
  return infoFrom(client_.send({"HEAD", bucket, key, {}, {}, {}}), bucket, key);
}

bool RemoteObjectStore::remove(const std::string& bucket, const std::string& key) {
  // S3 answers 204 whether or not the key existed; the event needs to know.
  const auto info = find(bucket, key);
  if (!info) return false;
  publishChange(lake::ObjectEventType::kRemoved, *info, "Delete", clock_.now(), [&] {
    client_.send({"DELETE", bucket, key, {}, {}, {}});
    return *info;
  });
  return true;
}

lake::ObjectInfo RemoteObjectStore::copy(const std::string& src_bucket, const std::string& src_key,
                                         const std::string& dst_bucket, const std::string& dst_key,
                                         const std::optional<lake::PutOptions>& replace) {
  lake::validateKey(src_key);
  lake::validateKey(dst_key);
  ClientRequest req{"PUT", dst_bucket, dst_key, {}, {}, {}};
  if (replace) {
    req.headers = headersFor(*replace);
    req.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
  }
  req.headers.emplace_back("x-amz-copy-source", uriEncode("/" + src_bucket + "/" + src_key, true));
  // The copy's ETag is the store's to choose; its size is the source's.
  const lake::ObjectInfo expected =
      lake::plannedObject(dst_bucket, dst_key, head(src_bucket, src_key).size, "");
  return *publishChange(lake::ObjectEventType::kCreated, expected, "Copy", clock_.now(), [&] {
    pugi::xml_document doc;
    loadResultBody(doc, client_.send(req).body);
    return head(dst_bucket, dst_key);
  });
}

lake::ListResult RemoteObjectStore::list(const std::string& bucket,
                                         const lake::ListRequest& request) {
  ClientRequest req{"GET", bucket, "", {{"list-type", "2"}, {"encoding-type", "url"}}, {}, {}};
  req.query.emplace_back("max-keys", std::to_string(request.max_keys));
  if (!request.prefix.empty()) req.query.emplace_back("prefix", request.prefix);
  if (!request.delimiter.empty()) req.query.emplace_back("delimiter", request.delimiter);
  if (!request.start_after.empty()) req.query.emplace_back("start-after", request.start_after);
  if (!request.continuation_token.empty())
    req.query.emplace_back("continuation-token", request.continuation_token);
  pugi::xml_document doc;
  auto root = parseXml(doc, client_.send(req).body, "ListBucketResult");
  const bool url_encoded = std::string(root.child("EncodingType").text().as_string()) == "url";
  auto decode = [&](const char* s) { return url_encoded ? uriDecode(s) : std::string(s); };
  lake::ListResult result;
  for (auto c : root.children("Contents")) {
    lake::ObjectInfo o;
    o.bucket = bucket;
    o.key = decode(c.child("Key").text().as_string());
    o.size = c.child("Size").text().as_ullong();
    o.etag = unquote(c.child("ETag").text().as_string());
    o.last_modified = core::parseIso8601(c.child("LastModified").text().as_string());
    result.objects.push_back(std::move(o));
  }
  for (auto p : root.children("CommonPrefixes"))
    result.common_prefixes.push_back(decode(p.child("Prefix").text().as_string()));
  result.truncated = std::string(root.child("IsTruncated").text().as_string()) == "true";
  result.next_continuation_token = root.child("NextContinuationToken").text().as_string();
  return result;
}

}  // namespace sluice::s3
