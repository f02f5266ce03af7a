#pragma once
// The x-amz-checksum-* values S3 clients send with uploads: CRC32, CRC32C, SHA1 and
// SHA256 of the body, big-endian and base64 encoded.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::s3 {

// Whether a lower-case header name carries a checksum value (x-amz-checksum-crc32, …),
// as opposed to x-amz-checksum-algorithm / -type, which only describe one.
bool isChecksumHeader(const std::string& lower_name);

// One checksum of a body that arrives in pieces.
class Checksum {
 public:
  // The checksum a header names ("x-amz-checksum-crc32", …); nullptr for an algorithm
  // this server does not know.
  static std::unique_ptr<Checksum> forHeader(const std::string& header_name);
  virtual ~Checksum() = default;
  virtual void update(std::string_view data) = 0;
  virtual std::string base64() = 0;  // as the header carries it; may be called once
};

// The checksum named by a header of `data`; nullopt for an algorithm this server does
// not know.
std::optional<std::string> checksumFor(const std::string& header_name, std::string_view data);

// Throws Error(BadDigest) naming the header when a known checksum does not match: `value`
// against `computed` (nullopt for an algorithm this server does not know).
void verifyComputedChecksum(const std::string& header_name, const std::string& value,
                            const std::optional<std::string>& computed);
// The same for the checksum of `data`.
inline void verifyChecksum(const std::string& header_name, const std::string& value,
                           std::string_view data) {
  verifyComputedChecksum(header_name, value, checksumFor(header_name, data));
}

}  // namespace sluice::s3
