#include "core/hash.h"

#include <openssl/evp.h>

#include "core/error.h"

namespace sluice::core {

std::string toHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n);
  return out;
}

std::string base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) throw Error(errc::kInvalidArgument, "malformed base64 text");
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) throw Error(errc::kInvalidArgument, "malformed base64 text");
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad++;
  if (text.size() > 1 && text[text.size() - 2] == '=') pad++;
  out.resize(n - pad);
  return out;
}

namespace {
std::string digestHex(const EVP_MD* md, std::string_view data) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr) != 1)
    throw Error(errc::kInternal, "digest failed");
  return toHex(std::string_view(reinterpret_cast<char*>(buf), len));
}
}  // namespace

std::string md5Hex(std::string_view data) { return digestHex(EVP_md5(), data); }
std::string sha256Hex(std::string_view data) { return digestHex(EVP_sha256(), data); }

std::string multipartEtag(const std::vector<std::string>& part_md5s) {
  std::string joined;
  for (const auto& md5 : part_md5s) joined += md5;
  return md5Hex(joined) + "-" + std::to_string(part_md5s.size());
}

struct Digest::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Digest::Digest(Kind kind) : impl_(std::make_unique<Impl>()) {
  const EVP_MD* md = kind == Kind::kMd5    ? EVP_md5()
                     : kind == Kind::kSha1 ? EVP_sha1()
                                           : EVP_sha256();
  EVP_DigestInit_ex(impl_->ctx, md, nullptr);
}
Digest::~Digest() = default;

void Digest::update(std::string_view data) {
  EVP_DigestUpdate(impl_->ctx, data.data(), data.size());
}

std::string Digest::finish() {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, buf, &len);
  return std::string(reinterpret_cast<char*>(buf), len);
}

std::string Digest::finishHex() { return toHex(finish()); }

}  // namespace sluice::core
