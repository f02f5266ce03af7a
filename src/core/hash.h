#pragma once
// Digests and encodings used across sluice (ETags, checksums, signatures, tokens).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::core {

std::string toHex(std::string_view bytes);
std::string base64Encode(std::string_view bytes);
// Throws Error(InvalidArgument) on malformed input.
std::string base64Decode(std::string_view text);

std::string md5Hex(std::string_view data);
std::string sha256Hex(std::string_view data);

// Incremental MD5 for data that arrives in pieces (object uploads).
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(std::string_view data);
  std::string finishHex();  // may be called once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::core
