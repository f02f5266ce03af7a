#pragma once
// Random identifiers: request ids, upload ids, execution ids.
#include <string>

namespace sluice::core {

// `bytes` random bytes from the OS CSPRNG, hex encoded.
std::string randomHex(size_t bytes);
// RFC 4122 version 4 UUID, lower case.
std::string uuid4();

}  // namespace sluice::core
