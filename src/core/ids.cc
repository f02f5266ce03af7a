#include "core/ids.h"

#include <openssl/rand.h>

#include "core/error.h"
#include "core/hash.h"

namespace sluice::core {

namespace {
std::string randomBytes(size_t n) {
  std::string buf(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(buf.data()), static_cast<int>(n)) != 1)
    throw Error(errc::kInternal, "the system random generator failed");
  return buf;
}
}  // namespace

std::string randomHex(size_t bytes) { return toHex(randomBytes(bytes)); }

std::string uuid4() {
  std::string b = randomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string h = toHex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace sluice::core
