#pragma once
// The bytes of one accepted connection, over plain TCP or TLS.
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace sluice::http {

class Stream {
 public:
  virtual ~Stream() = default;
  // Up to `size` bytes as soon as some arrive; 0 when the peer has closed, the read timed
  // out or the connection failed.
  virtual size_t read(char* data, size_t size) = 0;
  // Writes every part, in order; false when the connection failed.
  virtual bool write(std::initializer_list<std::string_view> parts) = 0;
};

// A plain TCP connection. The socket stays owned by the caller.
std::unique_ptr<Stream> plainStream(int fd);

// A PEM certificate (chain) and its private key: with them a server speaks HTTPS.
struct TlsFiles {
  std::string certificate;
  std::string private_key;
  bool enabled() const { return !certificate.empty(); }
};

// A server's TLS identity, loaded once; each connection's handshake goes through it.
class TlsContext {
 public:
  // Throws Error(IOError) when the files are unreadable, not PEM, or not a matching pair.
  explicit TlsContext(const TlsFiles& files);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // The TLS stream over an accepted socket (owned by the caller), or nullptr when the
  // handshake fails.
  std::unique_ptr<Stream> accept(int fd) const;

 private:
  ssl_ctx_st* ctx_;
};

}  // namespace sluice::http
