#include "s3/server.h"

#include <ctime>
#include <pugixml.hpp>
#include <set>

#include "core/error.h"
#include "core/hash.h"
#include "core/ids.h"
#include "core/text.h"
#include "lake/object_store.h"
#include "s3/body_checks.h"
#include "s3/checksums.h"
#include "s3/s3_error.h"

namespace sluice::s3 {

namespace {

constexpr uint64_t kMaxPutBytes = 5ULL << 30;  // S3's largest single PUT

constexpr const char* kXmlns = "http://s3.amazonaws.com/doc/2006-03-01/";

std::string httpDate(core::TimeNs t) { return core::formatUtc(t, "%a, %d %b %Y %H:%M:%S GMT"); }

// An S3 XML response document: <Root xmlns="…">inner</Root>.
std::string xmlDocument(const std::string& root, const std::string& inner) {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<") + root + " xmlns=\"" +
         kXmlns + "\">" + inner + "</" + root + ">";
}

std::string etagHeader(const std::string& etag) { return "\"" + etag + "\""; }

// Subresources this server answers; any other ?name is NotImplemented.
bool knownSubresource(const std::string& name) {
  static const std::set<std::string> names = {"list-type",
                                              "prefix",
                                              "delimiter",
                                              "max-keys",
                                              "continuation-token",
                                              "start-after",
                                              "encoding-type",
                                              "fetch-owner",
                                              "marker",
                                              "location",
                                              "delete",
                                              "versioning",
                                              "versions",
                                              "version-id-marker",
                                              "tagging",
                                              "x-id",
                                              "response-content-type",
                                              "response-content-disposition",
                                              "response-content-encoding",
                                              "response-content-language",
                                              "response-cache-control",
                                              "response-expires",
                                              "uploads",
                                              "uploadId",
                                              "partNumber",
                                              "max-parts",
                                              "part-number-marker",
                                              "key-marker",
                                              "upload-id-marker",
                                              "max-uploads"};
  static const std::set<std::string> presign = {"AWSAccessKeyId", "Signature", "Expires"};
  return names.count(name) > 0 || presign.count(name) > 0 || name.rfind("X-Amz-", 0) == 0 ||
         name.rfind("x-amz-", 0) == 0;
}

struct Route {
  std::string bucket;
  std::string key;
};

Route routeOf(const std::string& target) {
  std::string path = target.substr(0, target.find('?'));
  std::string decoded = uriDecode(path);
  Route r;
  if (decoded.size() <= 1) return r;
  size_t slash = decoded.find('/', 1);
  r.bucket = decoded.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
  if (slash != std::string::npos) r.key = decoded.substr(slash + 1);
  return r;
}

// The object an x-amz-copy-source header names: "BUCKET/KEY" or "/BUCKET/KEY",
// percent-encoded as a URI path is, optionally with "?versionId=…" (every object here has
// the one version "null").
Route copySource(const http::Request& req) {
  const std::string encoded = req.header("x-amz-copy-source");
  std::string src = uriDecode(encoded.substr(0, encoded.find('?')));
  if (!src.empty() && src[0] == '/') src = src.substr(1);
  const size_t slash = src.find('/');
  if (slash == std::string::npos || slash + 1 == src.size())
    throw Error(errc::kInvalidArgument, "x-amz-copy-source must be BUCKET/KEY");
  return {src.substr(0, slash), src.substr(slash + 1)};
}

// "bytes=FIRST-LAST" and its forms; several ranges are served as the whole object.
std::optional<lake::ByteRange> parseRange(const std::string& header) {
  if (header.rfind("bytes=", 0) != 0 || header.find(',') != std::string::npos) return std::nullopt;
  return lake::parseByteRange(header.substr(6));
}

// An object's bytes as the response body: small ones in one piece with the head (one
// write), larger ones streamed from the lake in pieces, so memory stays bounded whatever
// the object's size.
void sendObject(http::Response& res, std::unique_ptr<lake::ObjectReader> reader,
                const std::string& content_type) {
  constexpr uint64_t kWholeUpTo = 256 * 1024;
  const uint64_t length = reader->range().length;
  if (length <= kWholeUpTo) {
    res.setContent(reader->readAll(), content_type);
    return;
  }
  res.setHeader("Content-Type", content_type);
  res.setHeader("Content-Length", std::to_string(length));
  res.body_writer = [reader = std::shared_ptr<lake::ObjectReader>(std::move(reader)),
                     length](const std::function<bool(std::string_view)>& write) {
    std::string piece(kWholeUpTo, '\0');
    uint64_t sent = 0;
    for (size_t n; (n = reader->read(piece.data(), piece.size())) > 0; sent += n)
      if (!write({piece.data(), n})) return false;
    return sent == length;  // an object cut short must not pass for a whole one
  };
}

// Stored checksums describe the whole object: like S3, they are returned only when the
// client asks (x-amz-checksum-mode: ENABLED) and the response is the whole object.
void setObjectHeaders(http::Response& res, const lake::ObjectInfo& info, bool with_checksums) {
  res.setHeader("ETag", etagHeader(info.etag));
  res.setHeader("Last-Modified", httpDate(info.last_modified));
  res.setHeader("Accept-Ranges", "bytes");
  for (const auto& [k, v] : info.user_metadata) res.setHeader("x-amz-meta-" + k, v);
  for (const auto& [k, v] : info.headers)
    if (with_checksums || k.rfind("x-amz-checksum-", 0) != 0) res.setHeader(k, v);
}

// What a PUT (or CreateMultipartUpload) asks to store with the object: its content type,
// x-amz-meta-* user metadata, content headers and checksum values.
lake::PutOptions putOptionsFrom(const http::Request& req) {
  lake::PutOptions opts;
  opts.content_type = req.header("Content-Type");
  for (const auto& [k, v] : req.headers) {
    const std::string lower = core::toLower(k);
    if (lower.rfind("x-amz-meta-", 0) == 0) opts.user_metadata[lower.substr(11)] = v;
    if (lower == "cache-control" || lower == "content-disposition" || lower == "content-encoding" ||
        lower == "content-language" || lower == "expires" || isChecksumHeader(lower))
      opts.headers[lower] = v;
  }
  // S3's conditional write: fail with PreconditionFailed if the key exists.
  opts.no_overwrite = req.header("If-None-Match") == "*";
  // aws-chunked is how the body travelled, not how the object is encoded.
  auto encoding = opts.headers.find("content-encoding");
  if (encoding != opts.headers.end() && encoding->second == "aws-chunked")
    opts.headers.erase(encoding);
  return opts;
}

std::string listBucketsXml(const std::vector<lake::BucketInfo>& buckets) {
  std::string x = "<Owner><ID>sluice</ID><DisplayName>sluice</DisplayName></Owner><Buckets>";
  for (const auto& b : buckets)
    x += "<Bucket><Name>" + xmlEscape(b.name) + "</Name><CreationDate>" +
         core::formatIso8601Ms(b.created) + "</CreationDate></Bucket>";
  return xmlDocument("ListAllMyBucketsResult", x + "</Buckets>");
}

}  // namespace

S3Server::S3Server(lake::ObjectStore& lake, Credentials credentials, const std::string& staging_dir,
                   const core::Clock& clock, const TlsFiles& tls)
    : lake_(lake),
      credentials_(std::move(credentials)),
      clock_(clock),
      multipart_(std::make_unique<MultipartUploads>(lake, staging_dir, clock)),
      http_(std::make_unique<http::Server>(
          [this](const http::Request& req, http::Response& res) { handle(req, res); },
          http::ServerOptions{.tls = tls,
                              .limits = {.max_body_bytes = kMaxPutBytes},
                              .stream_body = streamsBody,
                              .describe_bad_request = describeBadRequest})) {}

S3Server::~S3Server() { stop(); }

int S3Server::bind(const std::string& host, int port) { return http_->bind(host, port); }
void S3Server::serve() { http_->serve(); }
void S3Server::stop() { http_->stop(); }

void S3Server::handle(const http::Request& req, http::Response& res) {
  const std::string request_id = core::randomHex(8);
  res.setHeader("x-amz-request-id", request_id);
  const Route route = routeOf(req.target);
  const std::string resource = req.target.substr(0, req.target.find('?'));
  try {
    SignedRequest signed_request{req.method, req.target, {}, req.body, req.body_source != nullptr};
    for (const auto& [k, v] : req.headers) signed_request.headers.emplace_back(k, v);
    const VerifiedRequest verified = verifySignature(signed_request, credentials_, clock_.now());
    // The object's bytes: the decoded aws-chunked data when the body was sent that way.
    const std::string& body = verified.chunked ? verified.chunked->data : req.body;
    const size_t qmark = req.target.find('?');
    const HeaderList query =
        parseQuery(qmark == std::string::npos ? "" : req.target.substr(qmark + 1));
    auto has_param = [&](const std::string& n) {
      for (const auto& [k, v] : query)
        if (k == n) return true;
      return false;
    };
    auto param = [&](const std::string& n) {
      for (const auto& [k, v] : query)
        if (k == n) return v;
      return std::string();
    };
    for (const auto& [name, value] : query)
      if (!knownSubresource(name))
        throw Error("NotImplemented", "the ?" + name + " operation is not implemented by sluice");
    const std::string& m = req.method;
    if (!route.bucket.empty() &&
        handleMultipart(req, res, route.bucket, route.key, query, body, verified))
      return;

    if (route.bucket.empty()) {
      if (m != "GET") throw Error("MethodNotAllowed", "only GET is allowed on the service");
      res.setContent(listBucketsXml(lake_.listBuckets()), "application/xml");
      return;
    }
    if (route.key.empty()) {
      if (m == "PUT") {
        lake_.createBucket(route.bucket);
        res.setHeader("Location", "/" + route.bucket);
      } else if (m == "HEAD") {
        if (!lake_.bucketExists(route.bucket)) throw Error(errc::kNoSuchBucket, "no such bucket");
      } else if (m == "DELETE") {
        lake_.deleteBucket(route.bucket);
        res.status = 204;
      } else if (m == "POST" && has_param("delete")) {
        res.setContent(deleteObjects(route.bucket, req.body), "application/xml");
      } else if (m == "GET" && has_param("versions")) {
        // Not versioned: every object once, as its only and latest version "null".
        lake::ListRequest lr;
        lr.prefix = param("prefix");
        lr.delimiter = param("delimiter");
        lr.start_after = param("key-marker");
        lr.max_keys = has_param("max-keys") ? std::min(1000, std::stoi(param("max-keys"))) : 1000;
        auto page = lake_.list(route.bucket, lr);
        std::string x = "<Name>" + xmlEscape(route.bucket) + "</Name><Prefix>" +
                        xmlEscape(lr.prefix) + "</Prefix><KeyMarker>" + xmlEscape(lr.start_after) +
                        "</KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>" +
                        std::to_string(lr.max_keys) + "</MaxKeys><IsTruncated>" +
                        (page.truncated ? "true" : "false") + "</IsTruncated>";
        if (page.truncated && !page.objects.empty())
          x += "<NextKeyMarker>" + xmlEscape(page.objects.back().key) +
               "</NextKeyMarker><NextVersionIdMarker>null</NextVersionIdMarker>";
        for (const auto& o : page.objects)
          x += "<Version><Key>" + xmlEscape(o.key) +
               "</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>" +
               core::formatIso8601Ms(o.last_modified) + "</LastModified><ETag>&quot;" + o.etag +
               "&quot;</ETag><Size>" + std::to_string(o.size) +
               "</Size><StorageClass>STANDARD</StorageClass><Owner><ID>sluice</"
               "ID><DisplayName>sluice</"
               "DisplayName></Owner></Version>";
        for (const auto& p : page.common_prefixes)
          x += "<CommonPrefixes><Prefix>" + xmlEscape(p) + "</Prefix></CommonPrefixes>";
        res.setContent(xmlDocument("ListVersionsResult", x), "application/xml");
      } else if (m == "GET" && has_param("versioning")) {
        if (!lake_.bucketExists(route.bucket)) throw Error(errc::kNoSuchBucket, "no such bucket");
        res.setContent(xmlDocument("VersioningConfiguration", ""), "application/xml");
      } else if (m == "GET" && has_param("location")) {
        if (!lake_.bucketExists(route.bucket)) throw Error(errc::kNoSuchBucket, "no such bucket");
        res.setContent(xmlDocument("LocationConstraint", ""), "application/xml");
      } else if (m == "GET") {
        const bool v2 = param("list-type") == "2";
        const bool url = param("encoding-type") == "url";
        auto enc = [&](const std::string& s) { return xmlEscape(url ? uriEncode(s, true) : s); };
        lake::ListRequest lr;
        lr.prefix = param("prefix");
        lr.delimiter = param("delimiter");
        lr.max_keys = has_param("max-keys") ? std::min(1000, std::stoi(param("max-keys"))) : 1000;
        lr.start_after = v2 ? param("start-after") : param("marker");
        lr.continuation_token = param("continuation-token");
        auto page = lake_.list(route.bucket, lr);
        std::string x =
            "<Name>" + xmlEscape(route.bucket) + "</Name><Prefix>" + enc(lr.prefix) + "</Prefix>";
        if (!lr.delimiter.empty()) x += "<Delimiter>" + enc(lr.delimiter) + "</Delimiter>";
        x += "<MaxKeys>" + std::to_string(lr.max_keys) + "</MaxKeys>";
        if (url) x += "<EncodingType>url</EncodingType>";
        x += std::string("<IsTruncated>") + (page.truncated ? "true" : "false") + "</IsTruncated>";
        if (v2) {
          x += "<KeyCount>" + std::to_string(page.objects.size() + page.common_prefixes.size()) +
               "</KeyCount>";
          if (!lr.continuation_token.empty())
            x += "<ContinuationToken>" + xmlEscape(lr.continuation_token) + "</ContinuationToken>";
          if (page.truncated)
            x += "<NextContinuationToken>" + xmlEscape(page.next_continuation_token) +
                 "</NextContinuationToken>";
          if (!lr.start_after.empty()) x += "<StartAfter>" + enc(lr.start_after) + "</StartAfter>";
        } else {
          x += "<Marker>" + enc(lr.start_after) + "</Marker>";
          if (page.truncated && !lr.delimiter.empty()) {
            std::string last = page.objects.empty() ? "" : page.objects.back().key;
            if (!page.common_prefixes.empty() && page.common_prefixes.back() > last)
              last = page.common_prefixes.back();
            x += "<NextMarker>" + enc(last) + "</NextMarker>";
          }
        }
        const bool owner = !v2 || param("fetch-owner") == "true";
        for (const auto& o : page.objects) {
          x += "<Contents><Key>" + enc(o.key) + "</Key><LastModified>" +
               core::formatIso8601Ms(o.last_modified) + "</LastModified><ETag>&quot;" + o.etag +
               "&quot;</ETag><Size>" + std::to_string(o.size) +
               "</Size><StorageClass>STANDARD</StorageClass>";
          if (owner) x += "<Owner><ID>sluice</ID><DisplayName>sluice</DisplayName></Owner>";
          x += "</Contents>";
        }
        for (const auto& p : page.common_prefixes)
          x += "<CommonPrefixes><Prefix>" + enc(p) + "</Prefix></CommonPrefixes>";
        res.setContent(xmlDocument("ListBucketResult", x), "application/xml");
      } else {
        throw Error("MethodNotAllowed", m + " is not allowed on a bucket");
      }
      return;
    }

    if (m == "PUT") {
      lake::PutOptions opts = putOptionsFrom(req);
      if (req.hasHeader("x-amz-copy-source")) {
        const Route src = copySource(req);
        std::optional<lake::PutOptions> replace;
        if (req.header("x-amz-metadata-directive") == "REPLACE") replace = opts;
        auto info = lake_.copy(src.bucket, src.key, route.bucket, route.key, replace);
        res.setContent(xmlDocument("CopyObjectResult",
                                   "<LastModified>" + core::formatIso8601Ms(info.last_modified) +
                                       "</LastModified><ETag>&quot;" + info.etag + "&quot;</ETag>"),
                       "application/xml");
        return;
      }
      lake::ObjectInfo info;
      if (req.body_source) {
        info = putStreamed(req, route.bucket, route.key, opts, verified);
      } else {
        opts.etag = core::md5Hex(body);  // hashed once, for the ETag and any Content-MD5
        for (const auto& [k, v] : verifyDigests(req, verified, body, *opts.etag))
          opts.headers[k] = v;
        info = lake_.put(route.bucket, route.key, body, opts);
      }
      res.setHeader("ETag", etagHeader(info.etag));
      for (const auto& [k, v] : info.headers)
        if (k.rfind("x-amz-checksum-", 0) == 0) res.setHeader(k, v);
      return;
    }
    if (m == "GET" && has_param("tagging")) {
      lake_.head(route.bucket, route.key);  // NoSuchKey when absent
      res.setContent(xmlDocument("Tagging", "<TagSet></TagSet>"), "application/xml");
      return;
    }
    if (m == "DELETE") {
      lake_.remove(route.bucket, route.key);
      res.status = 204;
      return;
    }
    if (m == "GET" || m == "HEAD") {
      std::optional<lake::ByteRange> range;
      if (req.hasHeader("Range")) range = parseRange(req.header("Range"));
      // Conditions are decided before the range, as S3 does: a changed object answers 412
      // even when the range no longer fits it.
      if (req.hasHeader("If-None-Match") || req.hasHeader("If-Match")) {
        const std::string etag = etagHeader(lake_.head(route.bucket, route.key).etag);
        if (req.hasHeader("If-None-Match") && req.header("If-None-Match") == etag) {
          res.status = 304;
          return;
        }
        if (req.hasHeader("If-Match") && req.header("If-Match") != etag)
          throw Error(errc::kPreconditionFailed,
                      "At least one of the pre-conditions you specified did not hold");
      }
      auto reader = lake_.openReader(route.bucket, route.key, range);
      const auto& info = reader->info();
      setObjectHeaders(res, info, !range && req.header("x-amz-checksum-mode") == "ENABLED");
      std::string content_type = info.content_type;
      if (has_param("response-content-type")) content_type = param("response-content-type");
      if (range) {
        auto r = reader->range();
        res.status = 206;
        res.setHeader("Content-Range", "bytes " + std::to_string(r.offset) + "-" +
                                           std::to_string(r.offset + r.length - 1) + "/" +
                                           std::to_string(info.size));
      }
      if (m == "HEAD") {
        res.setHeader("Content-Length", std::to_string(reader->range().length));
        res.setHeader("Content-Type", content_type);
        return;
      }
      sendObject(res, std::move(reader), content_type);
      return;
    }
    throw Error("MethodNotAllowed", m + " is not allowed on an object");
  } catch (const http::BadRequest& e) {  // a streamed body that ended early
    describeBadRequest(e, res);
  } catch (const SignatureMismatch& e) {
    res.status = httpStatusFor(e.code());
    if (req.method != "HEAD")
      res.setContent(errorXml(e.code(), e.what(), resource, request_id,
                              signatureMismatchXml(e.access_key_id, e.string_to_sign,
                                                   e.signature_provided, e.canonical_request)),
                     "application/xml");
  } catch (const Error& e) {
    std::string code = e.code();
    if (code == errc::kIo || code == errc::kInternal) code = "InternalError";
    res.status = httpStatusFor(code);
    if (req.method != "HEAD")
      res.setContent(errorXml(code, e.what(), resource, request_id), "application/xml");
  } catch (const std::exception& e) {
    res.status = 500;
    res.setContent(errorXml("InternalError", e.what(), resource, request_id), "application/xml");
  }
}

void describeBadRequest(const http::BadRequest& e, http::Response& res) {
  // As S3 names them: a body over the limit is EntityTooLarge (with status 400).
  const std::string code = e.status == 413   ? "EntityTooLarge"
                           : e.status == 501 ? "NotImplemented"
                           : e.status == 431 ? "RequestHeaderSectionTooLarge"
                           : e.cut_short     ? "IncompleteBody"
                                             : "BadRequest";
  // Refused inside the handler, the request already has its id; refused before, not yet.
  const std::string* known_id = http::findHeader(res.headers, "x-amz-request-id");
  const std::string request_id = known_id ? *known_id : core::randomHex(8);
  res.setHeader("x-amz-request-id", request_id);
  res.status = httpStatusFor(code);
  res.setContent(errorXml(code, e.what(), "", request_id), "application/xml");
}

lake::ObjectInfo S3Server::putStreamed(const http::Request& req, const std::string& bucket,
                                       const std::string& key, lake::PutOptions opts,
                                       const VerifiedRequest& verified) {
  if (!verified.body_aws_chunked) {
    // A plain body's checksums are all headers, known before its first byte.
    for (const auto& [name, value] : claimedChecksums(req)) opts.headers[name] = value;
    auto writer = lake_.openWriter(bucket, key, opts);
    receiveStreamedBody(req, verified, [&](std::string_view b) { writer->write(b); });
    return writer->commit();  // only once every check passed: a failed one discards it
  }
  // An aws-chunked body's trailers carry checksums that are stored with the object but
  // known only at its end: the decoded body goes to a staging file, which becomes the
  // object once every check passed (the local lake moves it into place). Its ETag is the
  // MD5 of the body, as for any single PUT, not the ETag of a file handed to the lake.
  auto staged = multipart_->stageFile();
  core::Md5 md5;
  for (const auto& [name, value] : receiveStreamedBody(req, verified, [&](std::string_view b) {
         md5.update(b);
         staged->write(b);
       }))
    opts.headers[name] = value;
  opts.etag = md5.finishHex();
  return lake_.putFile(bucket, key, staged->close(), opts);
}

std::string S3Server::deleteObjects(const std::string& bucket, const std::string& body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size()))
    throw Error("MalformedXML", "the XML you provided was not well-formed");
  auto root = doc.child("Delete");
  const bool quiet = std::string(root.child("Quiet").text().as_string()) == "true";
  std::vector<std::string> keys;
  for (auto o : root.children("Object")) keys.push_back(o.child("Key").text().as_string());
  if (keys.empty() || keys.size() > 1000)
    throw Error("MalformedXML", "DeleteObjects takes 1 to 1000 keys");
  if (!lake_.bucketExists(bucket)) throw Error(errc::kNoSuchBucket, "no such bucket");
  std::string x;
  for (const auto& key : keys) {
    try {
      lake_.remove(bucket, key);
      if (!quiet) x += "<Deleted><Key>" + xmlEscape(key) + "</Key></Deleted>";
    } catch (const Error& e) {
      x += "<Error><Key>" + xmlEscape(key) + "</Key><Code>" + xmlEscape(e.code()) +
           "</Code><Message>" + xmlEscape(e.what()) + "</Message></Error>";
    }
  }
  return xmlDocument("DeleteResult", x);
}

bool S3Server::handleMultipart(const http::Request& req, http::Response& res,
                               const std::string& bucket, const std::string& key,
                               const HeaderList& query, const std::string& body,
                               const VerifiedRequest& verified) {
  auto param = [&](const std::string& n) -> std::optional<std::string> {
    for (const auto& [k, v] : query)
      if (k == n) return v;
    return std::nullopt;
  };
  const auto uploads = param("uploads");
  const auto upload_id = param("uploadId");
  auto xml = [&](const std::string& root, const std::string& body) {
    res.setContent(xmlDocument(root, body), "application/xml");
  };
  const std::string ids =
      "<Bucket>" + xmlEscape(bucket) + "</Bucket><Key>" + xmlEscape(key) + "</Key>";
  if (uploads && key.empty() && req.method == "GET") {
    std::string body = "<Bucket>" + xmlEscape(bucket) + "</Bucket><IsTruncated>false</IsTruncated>";
    for (const auto& u : multipart_->listUploads(bucket))
      body += "<Upload><Key>" + xmlEscape(u.key) + "</Key><UploadId>" + u.upload_id +
              "</UploadId><Initiated>" + core::formatIso8601Ms(u.initiated) +
              "</Initiated><StorageClass>STANDARD</StorageClass></Upload>";
    xml("ListMultipartUploadsResult", body);
    return true;
  }
  if (key.empty()) return false;
  if (uploads && req.method == "POST") {
    const lake::PutOptions opts = putOptionsFrom(req);
    xml("InitiateMultipartUploadResult",
        ids + "<UploadId>" + multipart_->create(bucket, key, opts) + "</UploadId>");
    return true;
  }
  if (!upload_id) return false;
  if (req.method == "PUT") {
    const auto number = param("partNumber");
    if (!number) throw Error(errc::kInvalidArgument, "UploadPart needs partNumber");
    if (req.hasHeader("x-amz-copy-source")) {  // UploadPartCopy: the part is (a range of) an object
      const Route src = copySource(req);
      std::optional<lake::ByteRange> range;
      if (req.hasHeader("x-amz-copy-source-range")) {
        range = parseRange(req.header("x-amz-copy-source-range"));
        if (!range || !range->first || !range->last)
          throw Error(errc::kInvalidArgument, "x-amz-copy-source-range must be bytes=FIRST-LAST");
      }
      // Piece by piece: a part may be gigabytes.
      auto writer = multipart_->openPart(*upload_id, bucket, key, std::stoi(*number));
      lake_.openReader(src.bucket, src.key, range)->readInPieces([&](std::string_view piece) {
        writer->write(piece);
      });
      const PartInfo part = writer->commit();
      xml("CopyPartResult", "<LastModified>" + core::formatIso8601Ms(part.last_modified) +
                                "</LastModified><ETag>&quot;" + part.etag + "&quot;</ETag>");
      return true;
    }
    lake::StoredHeaders checksums;
    PartInfo part;
    if (req.body_source) {  // a large part: from the connection into its staging file
      auto writer = multipart_->openPart(*upload_id, bucket, key, std::stoi(*number));
      checksums = receiveStreamedBody(req, verified, [&](std::string_view b) { writer->write(b); });
      part = writer->commit();
    } else {
      const std::string md5 = core::md5Hex(body);
      checksums = verifyDigests(req, verified, body, md5);
      part = multipart_->uploadPart(*upload_id, bucket, key, std::stoi(*number), body, md5);
    }
    res.setHeader("ETag", etagHeader(part.etag));
    for (const auto& [k, v] : checksums) res.setHeader(k, v);
    return true;
  }
  if (req.method == "POST") {
    pugi::xml_document doc;
    if (!doc.load_buffer(req.body.data(), req.body.size()))
      throw Error("MalformedXML", "the XML you provided was not well-formed");
    std::vector<CompletedPart> parts;
    for (auto part : doc.child("CompleteMultipartUpload").children("Part"))
      parts.push_back(
          {part.child("PartNumber").text().as_int(), part.child("ETag").text().as_string()});
    auto info =
        multipart_->complete(*upload_id, bucket, key, parts, req.header("If-None-Match") == "*");
    xml("CompleteMultipartUploadResult", "<Location>/" + xmlEscape(bucket) + "/" + xmlEscape(key) +
                                             "</Location>" + ids + "<ETag>&quot;" + info.etag +
                                             "&quot;</ETag>");
    return true;
  }
  if (req.method == "DELETE") {
    multipart_->abort(*upload_id, bucket, key);
    res.status = 204;
    return true;
  }
  if (req.method == "GET") {
    std::string body =
        ids + "<UploadId>" + *upload_id + "</UploadId><IsTruncated>false</IsTruncated>";
    for (const auto& p : multipart_->listParts(*upload_id, bucket, key))
      body += "<Part><PartNumber>" + std::to_string(p.number) + "</PartNumber><LastModified>" +
              core::formatIso8601Ms(p.last_modified) + "</LastModified><ETag>&quot;" + p.etag +
              "&quot;</ETag><Size>" + std::to_string(p.size) + "</Size></Part>";
    xml("ListPartsResult", body);
    return true;
  }
  return false;
}

}  // namespace sluice::s3
