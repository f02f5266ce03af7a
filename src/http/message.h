#pragma once
// An HTTP/1.1 request and response as the server hands them to its handler: header
// names and values exactly as they were sent (nothing decoded), the body whole.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The first header named `name` (compared without case), or nullptr.
const std::string* findHeader(const Headers& headers, std::string_view name);

// A request body read as the handler goes, for bodies too large to hold.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Up to `size` bytes of the body; 0 once it is all read. Throws when the connection
  // ends before the body does.
  virtual size_t read(char* data, size_t size) = 0;
};

struct Request {
  std::string method;
  std::string target;     // the request line's target, still percent-encoded
  int minor_version = 1;  // HTTP/1.x
  Headers headers;
  std::string body;  // de-chunked when it came with Transfer-Encoding: chunked
  // Set instead of `body` when the server was asked to stream this request's body
  // (ServerOptions::stream_body): the body's length and where to read it.
  BodySource* body_source = nullptr;
  uint64_t body_length = 0;

  bool hasHeader(std::string_view name) const { return findHeader(headers, name) != nullptr; }
  // The value of the first header named `name`, or "" when there is none.
  std::string header(std::string_view name) const;
};

// A body too large to hold in memory, produced piece by piece after the head is sent:
// it passes each piece to `write` (false: the connection failed, stop) and returns
// whether it produced all of it. The response must carry its Content-Length.
using BodyWriter = std::function<bool(const std::function<bool(std::string_view)>& write)>;

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  BodyWriter body_writer;  // instead of `body`, when set

  // Replaces any header of that name.
  void setHeader(std::string_view name, std::string value);
  void setContent(std::string content, std::string_view content_type);
};

// The reason phrase for a status code ("OK", "Not Found", …).
const char* reasonPhrase(int status);

}  // namespace sluice::http
