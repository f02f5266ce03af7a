#include "http/stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <vector>

#include "core/error.h"

namespace sluice::http {

namespace {

class PlainStream final : public Stream {
 public:
  explicit PlainStream(int fd) : fd_(fd) {}

  size_t read(char* data, size_t size) override {
    for (;;) {
      ssize_t n = ::recv(fd_, data, size, 0);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return 0;
    }
  }

  // One writev for all parts: a response's head and body leave in one system call, and
  // usually one TCP segment.
  bool write(std::initializer_list<std::string_view> parts) override {
    std::vector<iovec> iov;
    for (std::string_view p : parts)
      if (!p.empty()) iov.push_back({const_cast<char*>(p.data()), p.size()});
    size_t first = 0;
    while (first < iov.size()) {
      msghdr msg{};
      msg.msg_iov = iov.data() + first;
      msg.msg_iovlen = iov.size() - first;
      ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      for (auto left = static_cast<size_t>(n); left > 0;) {
        iovec& v = iov[first];
        if (left >= v.iov_len) {
          left -= v.iov_len;
          ++first;
        } else {
          v.iov_base = static_cast<char*>(v.iov_base) + left;
          v.iov_len -= left;
          left = 0;
        }
      }
    }
    return true;
  }

 private:
  int fd_;
};

class TlsStream final : public Stream {
 public:
  explicit TlsStream(SSL* ssl) : ssl_(ssl) {}
  ~TlsStream() override {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }

  size_t read(char* data, size_t size) override {
    size_t n = 0;
    if (SSL_read_ex(ssl_, data, size, &n) == 1) return n;
    ERR_clear_error();  // the thread's error queue must not outlive the failure
    return 0;
  }

  bool write(std::initializer_list<std::string_view> parts) override {
    // Small parts go out as one TLS record; a large body is written as it is.
    std::string joined;
    size_t total = 0;
    for (std::string_view p : parts) total += p.size();
    if (total <= 64 * 1024) {
      joined.reserve(total);
      for (std::string_view p : parts) joined.append(p);
      return writeAll(joined);
    }
    for (std::string_view p : parts)
      if (!writeAll(p)) return false;
    return true;
  }

 private:
  bool writeAll(std::string_view p) {
    while (!p.empty()) {
      size_t n = 0;
      if (SSL_write_ex(ssl_, p.data(), p.size(), &n) != 1) {
        ERR_clear_error();
        return false;
      }
      p.remove_prefix(n);
    }
    return true;
  }

  SSL* ssl_;
};

}  // namespace

std::unique_ptr<Stream> plainStream(int fd) { return std::make_unique<PlainStream>(fd); }

TlsContext::TlsContext(const TlsFiles& files) : ctx_(SSL_CTX_new(TLS_server_method())) {
  const bool loaded =
      ctx_ != nullptr && SSL_CTX_use_certificate_chain_file(ctx_, files.certificate.c_str()) == 1 &&
      SSL_CTX_use_PrivateKey_file(ctx_, files.private_key.c_str(), SSL_FILETYPE_PEM) == 1 &&
      SSL_CTX_check_private_key(ctx_) == 1;
  ERR_clear_error();
  if (!loaded) {
    SSL_CTX_free(ctx_);
    throw Error(errc::kIo, "cannot serve HTTPS with certificate '" + files.certificate +
                               "' and key '" + files.private_key +
                               "': unreadable, not PEM, or not a matching pair");
  }
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

std::unique_ptr<Stream> TlsContext::accept(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) != 1) {
    ERR_clear_error();
    SSL_free(ssl);
    return nullptr;
  }
  return std::make_unique<TlsStream>(ssl);
}

}  // namespace sluice::http
