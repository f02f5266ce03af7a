#pragma once
// Digests and encodings used across sluice (ETags, checksums, signatures, tokens).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::core {

std::string toHex(std::string_view bytes);
std::string base64Encode(std::string_view bytes);
// Throws Error(InvalidArgument) on malformed input.
std::string base64Decode(std::string_view text);

std::string md5Hex(std::string_view data);
std::string sha256Hex(std::string_view data);

// S3's ETag of an object uploaded in parts: the MD5 of the parts' binary (16-byte) MD5s
// one after another, then "-" and the number of parts.
std::string multipartEtag(const std::vector<std::string>& part_md5s);

// An incremental digest for data that arrives in pieces (object uploads).
class Digest {
 public:
  enum class Kind { kMd5, kSha1, kSha256 };
  explicit Digest(Kind kind);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  void update(std::string_view data);
  std::string finish();     // the digest's bytes; may be called once
  std::string finishHex();  // the same in hex

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Md5 : public Digest {
 public:
  Md5() : Digest(Kind::kMd5) {}
};

class Sha256 : public Digest {
 public:
  Sha256() : Digest(Kind::kSha256) {}
};

}  // namespace sluice::core
