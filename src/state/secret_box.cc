#include "state/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/error.h"
#include "core/hash.h"

namespace sluice::state {

namespace {
constexpr int kNonceLen = 12;
constexpr int kTagLen = 16;
constexpr size_t kKeyLen = 32;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string readKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

SecretBox::SecretBox(std::string key) : key_(std::move(key)) {
  if (key_.size() != kKeyLen)
    throw Error(errc::kInvalidArgument, "the master key must be 32 bytes");
}

SecretBox SecretBox::fromEnvironmentOrKeyFile(const std::string& key_file) {
  if (const char* env = std::getenv("SLUICE_MASTER_KEY"); env && *env) {
    try {
      return SecretBox(core::base64Decode(env));
    } catch (const Error&) {
      throw Error(errc::kInvalidArgument, "SLUICE_MASTER_KEY must be the base64 form of 32 bytes");
    }
  }
  std::string key = readKeyFile(key_file);
  if (key.empty()) {
    key.resize(kKeyLen);
    RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kKeyLen);
    std::string tmp = key_file + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ::write(fd, key.data(), key.size()) != static_cast<ssize_t>(key.size()) ||
        ::fsync(fd) != 0 || ::close(fd) != 0)
      throw Error(errc::kIo, "cannot write the master key file '" + key_file + "'");
    // link() fails if another process created the key first; then theirs wins.
    if (::link(tmp.c_str(), key_file.c_str()) != 0) key = readKeyFile(key_file);
    ::unlink(tmp.c_str());
  }
  if (key.size() != kKeyLen)
    throw Error(errc::kInvalidArgument, "master key file '" + key_file + "' is not 32 bytes");
  return SecretBox(key);
}

std::string SecretBox::seal(const std::string& plaintext) const {
  std::string out(kNonceLen + plaintext.size() + kTagLen, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  RAND_bytes(nonce, kNonceLen);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nonce + kNonceLen, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), nonce + kNonceLen + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagLen,
                          nonce + kNonceLen + plaintext.size()) != 1)
    throw Error(errc::kInternal, "encryption failed");
  return out;
}

std::string SecretBox::open(const std::string& sealed) const {
  if (sealed.size() < kNonceLen + kTagLen)
    throw Error(errc::kInternal, "sealed value is truncated");
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  size_t body = sealed.size() - kNonceLen - kTagLen;
  std::string out(body, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  std::string tag = sealed.substr(kNonceLen + body);
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()), in) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                        in + kNonceLen, static_cast<int>(body)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagLen, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) != 1)
    throw Error(
        errc::kInternal,
        "a secret could not be decrypted: it was written with another master key or altered");
  return out;
}

}  // namespace sluice::state
