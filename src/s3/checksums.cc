#include "s3/checksums.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>

#include "core/error.h"
#include "core/hash.h"

namespace sluice::s3 {

namespace {

std::string bigEndian(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; i--) {
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78.
uint32_t crc32c(std::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = c & 1 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

bool isChecksumHeader(const std::string& lower_name) {
  return lower_name.rfind("x-amz-checksum-", 0) == 0 && lower_name != "x-amz-checksum-algorithm" &&
         lower_name != "x-amz-checksum-type";
}

std::optional<std::string> checksumFor(const std::string& name, std::string_view data) {
  if (name == "x-amz-checksum-crc32") {
    uLong crc =
        ::crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    return core::base64Encode(bigEndian(static_cast<uint32_t>(crc)));
  }
  if (name == "x-amz-checksum-crc32c") return core::base64Encode(bigEndian(crc32c(data)));
  if (name == "x-amz-checksum-sha1") return core::base64Encode(digest(EVP_sha1(), data));
  if (name == "x-amz-checksum-sha256") return core::base64Encode(digest(EVP_sha256(), data));
  return std::nullopt;
}

void verifyChecksum(const std::string& name, const std::string& value, std::string_view data) {
  auto expected = checksumFor(name, data);
  if (expected && *expected != value)
    throw Error("BadDigest",
                "the " + name + " you specified did not match the calculated checksum");
}

}  // namespace sluice::s3
