#include "s3/checksums.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>

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

class Crc32 : public Checksum {
 public:
  void update(std::string_view data) override {
    // zlib takes at most a uInt per call: larger bodies go in slices.
    while (!data.empty()) {
      const size_t n = std::min<size_t>(data.size(), UINT_MAX);
      crc_ = ::crc32(crc_, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
      data.remove_prefix(n);
    }
  }
  std::string base64() override {
    return core::base64Encode(bigEndian(static_cast<uint32_t>(crc_)));
  }

 private:
  uLong crc_ = ::crc32(0L, Z_NULL, 0);
};

// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78.
class Crc32c : public Checksum {
 public:
  void update(std::string_view data) override {
    static const std::array<uint32_t, 256> table = [] {
      std::array<uint32_t, 256> t{};
      for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        t[i] = c;
      }
      return t;
    }();
    for (unsigned char b : data) crc_ = table[(crc_ ^ b) & 0xff] ^ (crc_ >> 8);
  }
  std::string base64() override { return core::base64Encode(bigEndian(crc_ ^ 0xFFFFFFFFu)); }

 private:
  uint32_t crc_ = 0xFFFFFFFFu;
};

class DigestChecksum : public Checksum {
 public:
  explicit DigestChecksum(core::Digest::Kind kind) : digest_(kind) {}
  void update(std::string_view data) override { digest_.update(data); }
  std::string base64() override { return core::base64Encode(digest_.finish()); }

 private:
  core::Digest digest_;
};

}  // namespace

bool isChecksumHeader(const std::string& lower_name) {
  return lower_name.rfind("x-amz-checksum-", 0) == 0 && lower_name != "x-amz-checksum-algorithm" &&
         lower_name != "x-amz-checksum-type";
}

std::unique_ptr<Checksum> Checksum::forHeader(const std::string& name) {
  if (name == "x-amz-checksum-crc32") return std::make_unique<Crc32>();
  if (name == "x-amz-checksum-crc32c") return std::make_unique<Crc32c>();
  if (name == "x-amz-checksum-sha1")
    return std::make_unique<DigestChecksum>(core::Digest::Kind::kSha1);
  if (name == "x-amz-checksum-sha256")
    return std::make_unique<DigestChecksum>(core::Digest::Kind::kSha256);
  return nullptr;
}

std::optional<std::string> checksumFor(const std::string& name, std::string_view data) {
  auto checksum = Checksum::forHeader(name);
  if (!checksum) return std::nullopt;
  checksum->update(data);
  return checksum->base64();
}

void verifyComputedChecksum(const std::string& name, const std::string& value,
                            const std::optional<std::string>& computed) {
  if (computed && *computed != value)
    throw Error("BadDigest",
                "the " + name + " you specified did not match the calculated checksum");
}

}  // namespace sluice::s3
