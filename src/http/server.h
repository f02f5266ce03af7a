#pragma once
// A small HTTP/1.1 server: one thread per connection, persistent connections and
// pipelining, bodies by length or chunked, "Expect: 100-continue", optional TLS. The
// handler sees header values exactly as they were sent, which signature checks need
// (S3 clients sign values such as "a%2Fb" as they are).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "http/message.h"
#include "http/request_reader.h"
#include "http/stream.h"

namespace sluice::http {

struct ServerOptions {
  TlsFiles tls;  // empty: plain HTTP
  RequestLimits limits;
  int idle_timeout_seconds =
      60;  // a connection silent this long (between or inside requests) closes
  size_t max_connections = 512;  // beyond this, new connections are closed at once
  // Which requests' bodies the handler reads itself, as they arrive (Request::body_source)
  // instead of finding them whole in Request::body; asked once the header is read.
  std::function<bool(const Request&)> stream_body;
  // The answer to a request the server cannot accept (BadRequest: malformed, too large);
  // by default a plain-text one with BadRequest's status.
  std::function<void(const BadRequest&, Response&)> describe_bad_request;
};

class Server {
 public:
  using Handler = std::function<void(const Request&, Response&)>;

  // Throws Error(IOError) when the TLS files cannot be used.
  Server(Handler handler, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds to host:port (port 0 picks a free one) and returns the port; throws
  // Error(IOError) if it cannot.
  int bind(const std::string& host, int port);
  // Accepts connections until stop(); returns once every connection has closed.
  void serve();
  // Stops accepting and closes open connections; safe from any thread, and twice.
  void stop();

 private:
  void serveConnection(int fd);
  // Answers one request; false when the connection must close afterwards.
  bool answer(Stream& stream, const Request& request);
  // After a request whose body streamed: skips what the handler left unread, if little
  // enough; false when the connection must close instead.
  static bool finishStreamedBody(RequestReader& reader);

  Handler handler_;
  ServerOptions options_;
  std::unique_ptr<TlsContext> tls_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable all_closed_;
  std::set<int> open_;  // connection sockets, to shut down on stop()
};

}  // namespace sluice::http
