#include "http/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "core/error.h"
#include "core/text.h"

namespace sluice::http {

namespace {

bool headerHas(const Request& r, std::string_view name, std::string_view value) {
  const std::string* v = findHeader(r.headers, name);
  return v != nullptr && core::equalsIgnoringCase(*v, value);
}

// HTTP/1.1 keeps a connection open unless told otherwise; HTTP/1.0 only when asked to.
bool keepAlive(const Request& r) {
  if (r.minor_version >= 1) return !headerHas(r, "Connection", "close");
  return headerHas(r, "Connection", "keep-alive");
}

bool hasNoBody(int status) { return status < 200 || status == 204 || status == 304; }

std::string responseHead(const Response& res, bool head_request, bool keep_alive) {
  std::string head =
      "HTTP/1.1 " + std::to_string(res.status) + " " + reasonPhrase(res.status) + "\r\n";
  bool has_length = false;
  for (const auto& [k, v] : res.headers) {
    has_length = has_length || core::equalsIgnoringCase(k, "Content-Length");
    head.append(k).append(": ").append(v).append("\r\n");
  }
  // A HEAD answer may state the length of the body it leaves out; otherwise it is the body's.
  if (!has_length && !hasNoBody(res.status) && !(head_request && res.body.empty()))
    head.append("Content-Length: ").append(std::to_string(res.body.size())).append("\r\n");
  if (!keep_alive) head.append("Connection: close\r\n");
  return head.append("\r\n");
}

// Closing while a request body is still arriving would make the kernel answer those bytes
// with a reset, which can destroy the response before the client reads it. So: stop
// writing, then read and drop what still comes, for two seconds at most.
void lingerBeforeClose(int fd) {
  ::shutdown(fd, SHUT_WR);
  timeval tv{0, 200'000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  char sink[64 * 1024];
  while (std::chrono::steady_clock::now() < deadline && ::recv(fd, sink, sizeof sink, 0) > 0) {
  }
}

void setTimeout(int fd, int seconds) {
  timeval tv{seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

Server::Server(Handler handler, ServerOptions options)
    : handler_(std::move(handler)), options_(std::move(options)) {
  if (options_.tls.enabled()) tls_ = std::make_unique<TlsContext>(options_.tls);
}

Server::~Server() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

int Server::bind(const std::string& host, int port) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
    throw Error(errc::kIo, "cannot listen on " + where + ": unknown host");
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  int yes = 1;
  const bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == 0 &&
                  ::bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, 511) == 0;
  freeaddrinfo(found);
  if (!ok) {
    const std::string reason = strerror(errno);
    if (fd >= 0) ::close(fd);
    throw Error(errc::kIo, "cannot listen on " + where + ": " + reason);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  listen_fd_ = fd;
  return ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

void Server::serve() {
  while (!stopping_) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // wait for a free descriptor
        continue;
      }
      break;  // the listening socket was shut down by stop()
    }
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || open_.size() >= options_.max_connections) {
        ::close(fd);
        continue;
      }
      open_.insert(fd);
    }
    std::thread([this, fd] { serveConnection(fd); }).detach();
  }
  std::unique_lock lock(mutex_);
  all_closed_.wait(lock, [&] { return open_.empty(); });
}

void Server::stop() {
  if (stopping_.exchange(true)) return;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  std::lock_guard lock(mutex_);
  for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
}

void Server::serveConnection(int fd) {
  // A peer that closes early makes writes fail with EPIPE instead of killing the process
  // (TLS writes cannot ask for MSG_NOSIGNAL); blocked here, not ignored process-wide,
  // so the programs sluice runs still get the default SIGPIPE.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  int yes = 1;
  // A response's head and body leave in one write; without this, small responses would
  // wait for the peer's delayed ACK.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  setTimeout(fd, options_.idle_timeout_seconds);
  {
    std::unique_ptr<Stream> stream = tls_ ? tls_->accept(fd) : plainStream(fd);
    if (stream) {
      RequestReader reader(*stream, options_.limits);
      try {
        auto continue_if_asked = [&](const Request& r) {
          if (r.minor_version >= 1 && headerHas(r, "Expect", "100-continue"))
            stream->write({"HTTP/1.1 100 Continue\r\n\r\n"});
        };
        while (!stopping_) {
          std::optional<Request> request = reader.next(continue_if_asked, options_.stream_body);
          if (!request || !answer(*stream, *request)) break;
          if (!finishStreamedBody(reader)) {
            lingerBeforeClose(fd);
            break;
          }
        }
      } catch (const BadRequest& e) {
        Response res;
        res.status = e.status;
        if (options_.describe_bad_request)
          options_.describe_bad_request(e, res);
        else
          res.setContent(std::string(e.what()) + "\n", "text/plain");
        stream->write({responseHead(res, false, false), res.body});
      }
    }
  }
  std::lock_guard lock(mutex_);
  ::close(fd);
  open_.erase(fd);
  if (open_.empty()) all_closed_.notify_all();
}

bool Server::finishStreamedBody(RequestReader& reader) {
  constexpr uint64_t kSkipUpTo = 1 << 20;  // beyond this, closing is cheaper than reading
  if (reader.streamedBodyLeft() > kSkipUpTo) return false;
  char scratch[16 * 1024];
  while (reader.streamedBody().read(scratch, sizeof scratch) > 0) {
  }
  return true;
}

bool Server::answer(Stream& stream, const Request& request) {
  Response res;
  try {
    handler_(request, res);
  } catch (const std::exception& e) {
    res = Response{};
    res.status = 500;
    res.setContent(std::string(e.what()) + "\n", "text/plain");
  }
  const bool head_request = request.method == "HEAD";
  const bool keep = keepAlive(request) && !stopping_;
  const std::string head = responseHead(res, head_request, keep);
  const bool with_body = !head_request && !hasNoBody(res.status);
  if (!res.body_writer || !with_body)
    return stream.write({head, with_body ? std::string_view(res.body) : ""}) && keep;
  if (!stream.write({head})) return false;
  try {
    // A body that fails half-way cannot be taken back: closing the connection tells the
    // client it is short of its Content-Length.
    return res.body_writer([&](std::string_view piece) { return stream.write({piece}); }) && keep;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace sluice::http
