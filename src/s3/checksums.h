#pragma once
// The x-amz-checksum-* values S3 clients send with uploads: CRC32, CRC32C, SHA1 and
// SHA256 of the body, big-endian and base64 encoded.
#include <optional>
#include <string>
#include <string_view>

namespace sluice::s3 {

// Whether a lower-case header name carries a checksum value (x-amz-checksum-crc32, …),
// as opposed to x-amz-checksum-algorithm / -type, which only describe one.
bool isChecksumHeader(const std::string& lower_name);

// The checksum named by a header ("x-amz-checksum-crc32", …) of `data`; nullopt for an
// algorithm this server does not know.
std::optional<std::string> checksumFor(const std::string& header_name, std::string_view data);

// Throws Error(BadDigest) naming the header when a known checksum does not match.
void verifyChecksum(const std::string& header_name, const std::string& value,
                    std::string_view data);

}  // namespace sluice::s3
