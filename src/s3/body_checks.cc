#include "s3/body_checks.h"

#include <map>
#include <memory>
#include <optional>

#include "core/error.h"
#include "core/hash.h"
#include "core/text.h"
#include "s3/aws_chunked.h"
#include "s3/checksums.h"

namespace sluice::s3 {

namespace {

// The MD5 a request's Content-MD5 header gives, in hex; nullopt without the header.
std::optional<std::string> contentMd5Hex(const http::Request& req) {
  if (!req.hasHeader("Content-MD5")) return std::nullopt;
  try {
    return core::toHex(core::base64Decode(req.header("Content-MD5")));
  } catch (const Error&) {
    throw Error("InvalidDigest", "the Content-MD5 you specified is not valid base64");
  }
}

Error badMd5() {
  return Error("BadDigest", "the Content-MD5 you specified did not match what we received");
}

// The lower-case names an aws-chunked body's x-amz-trailer header announces.
std::vector<std::string> announcedTrailers(const http::Request& req) {
  std::vector<std::string> names;
  const std::string list = req.header("x-amz-trailer");
  for (size_t start = 0; start < list.size();) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    const std::string name =
        core::toLower(std::string(core::trim(list.substr(start, comma - start))));
    if (!name.empty()) names.push_back(name);
    start = comma + 1;
  }
  return names;
}

}  // namespace

// The x-amz-checksum-* values a request's headers claim for its body, by lower-case name.
lake::StoredHeaders claimedChecksums(const http::Request& req) {
  lake::StoredHeaders claimed;
  for (const auto& [k, v] : req.headers)
    if (const std::string name = core::toLower(k); isChecksumHeader(name)) claimed[name] = v;
  return claimed;
}

// Checks the body against Content-MD5 and the x-amz-checksum-* values sent as headers or
// as aws-chunked trailers (BadDigest, InvalidDigest); returns the checksums, to be stored
// and returned.
lake::StoredHeaders verifyDigests(const http::Request& req, const VerifiedRequest& verified,
                                  const std::string& body, const std::string& body_md5) {
  if (auto md5 = contentMd5Hex(req); md5 && *md5 != body_md5) throw badMd5();
  lake::StoredHeaders checksums = claimedChecksums(req);
  if (verified.chunked)
    for (const auto& [k, v] : verified.chunked->trailers)
      if (isChecksumHeader(k)) checksums[k] = v;
  for (const auto& [k, v] : checksums) verifyChecksum(k, v, body);
  return checksums;
}

bool streamsBody(const http::Request& req) {
  constexpr uint64_t kStreamBodiesOver = 8 << 20;
  if (req.method != "PUT" || req.hasHeader("x-amz-copy-source")) return false;
  const size_t qmark = req.target.find('?');
  const std::string query = qmark == std::string::npos ? "" : req.target.substr(qmark + 1);
  // An aws-chunked body: large by its decoded length, and signed in its own way.
  if (req.header("Content-Encoding").find("aws-chunked") != std::string::npos) {
    const std::string decoded = req.header("x-amz-decoded-content-length");
    return !decoded.empty() && decoded.find_first_not_of("0123456789") == std::string::npos &&
           decoded.size() < 19 && std::stoull(decoded) > kStreamBodiesOver &&
           req.header("x-amz-content-sha256").rfind("STREAMING-", 0) == 0;
  }
  const std::string length = req.header("Content-Length");
  if (length.empty() || std::stoull(length) <= kStreamBodiesOver) return false;  // checked by now
  // The signature must not need the body: a presigned URL, or a payload hash given as
  // UNSIGNED-PAYLOAD or as hex (then checked as the body arrives).
  const std::string payload = req.header("x-amz-content-sha256");
  const bool presigned = query.find("Signature=") != std::string::npos;
  return payload == "UNSIGNED-PAYLOAD" || payload.size() == 64 || (presigned && payload.empty());
}

// Passes a streamed body to `sink` piece by piece (decoding it first when it is
// aws-chunked), then checks it against what the client said of it: Content-MD5, the signed
// SHA-256, the x-amz-checksum-* values of its headers and trailers, the decoded length.
// Returns those checksums, to store and echo. Throws before the caller commits anything
// when a check fails.
lake::StoredHeaders receiveStreamedBody(const http::Request& req, const VerifiedRequest& verified,
                                        const std::function<void(std::string_view)>& sink) {
  lake::StoredHeaders claimed = claimedChecksums(req);
  std::map<std::string, std::unique_ptr<Checksum>> checksums;
  for (const auto& [name, value] : claimed) checksums[name] = Checksum::forHeader(name);
  std::optional<AwsChunkedReader> decoder;
  if (verified.body_aws_chunked) {
    for (const std::string& name : announcedTrailers(req))
      if (isChecksumHeader(name)) checksums[name] = Checksum::forHeader(name);
    decoder.emplace([&](char* data, size_t size) { return req.body_source->read(data, size); },
                    verified.chunk_signing ? &*verified.chunk_signing : nullptr);
  }
  const std::optional<std::string> md5_expected = contentMd5Hex(req);
  core::Md5 md5;
  core::Sha256 sha256;
  std::string piece(1 << 20, '\0');
  uint64_t received = 0;
  for (;;) {
    const size_t n = decoder ? decoder->read(piece.data(), piece.size())
                             : req.body_source->read(piece.data(), piece.size());
    if (n == 0) break;
    const std::string_view bytes(piece.data(), n);
    sink(bytes);
    received += n;
    if (md5_expected) md5.update(bytes);
    if (!verified.body_sha256.empty()) sha256.update(bytes);
    for (auto& [name, checksum] : checksums)
      if (checksum) checksum->update(bytes);
  }
  if (decoder) {
    for (const auto& [name, value] : decoder->trailers())
      if (isChecksumHeader(name)) claimed[name] = value;
    checkDecodedLength(req.header("x-amz-decoded-content-length"), received);
  }
  if (md5_expected && md5.finishHex() != *md5_expected) throw badMd5();
  if (!verified.body_sha256.empty()) checkPayloadHash(verified.body_sha256, sha256.finishHex());
  for (auto& [name, checksum] : checksums) {
    auto value = claimed.find(name);
    if (value == claimed.end())
      throw Error("IncompleteBody",
                  "the trailer " + name + " that x-amz-trailer announced did not come");
    verifyComputedChecksum(name, value->second,
                           checksum ? std::optional(checksum->base64()) : std::nullopt);
  }
  return claimed;
}

}  // namespace sluice::s3
