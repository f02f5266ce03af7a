#pragma once
// Reads HTTP/1.1 requests one after another from a connection: the request line, the
// header fields exactly as sent (no decoding of any kind), then a body by Content-Length
// or chunked transfer coding. Bytes that arrive ahead (pipelined requests) wait for the
// next request.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "http/message.h"
#include "http/stream.h"

namespace sluice::http {

// A request the reader cannot accept; `status` is the answer to give (400, 413, 431, …)
// before closing the connection.
struct BadRequest : std::runtime_error {
  BadRequest(int status, const std::string& message, bool cut_short = false)
      : std::runtime_error(message), status(status), cut_short(cut_short) {}
  int status;
  bool cut_short;  // the connection ended inside the request (a 400)
};

struct RequestLimits {
  size_t max_header_bytes = 64 * 1024;  // request line and header fields together
  uint64_t max_body_bytes = 5ULL << 30;
};

class RequestReader {
 public:
  RequestReader(Stream& stream, RequestLimits limits) : stream_(stream), limits_(limits) {}

  // The next request, or nullopt when the peer closed (or went quiet) between requests.
  // `before_body` runs once the header is read and before any of the body is (the place
  // to answer "Expect: 100-continue"). When `stream_body` says so for a body of known
  // length, the body is left unread: the request's body_source reads it (this reader's
  // streamedBody()), and the rest must be read or skipped before the next request.
  // Throws BadRequest for a malformed or too large request, and for a connection that
  // ends inside one.
  std::optional<Request> next(const std::function<void(const Request&)>& before_body = {},
                              const std::function<bool(const Request&)>& stream_body = {});

  // The body of the last request, when it was left to stream.
  BodySource& streamedBody() { return streamed_; }
  // How much of it is still unread: exact for a body of known length; for a chunked one
  // UINT64_MAX until its last chunk has been read.
  uint64_t streamedBodyLeft() const;

 private:
  struct StreamedBody : BodySource {
    explicit StreamedBody(RequestReader& reader) : reader(reader) {}
    size_t read(char* data, size_t size) override;
    RequestReader& reader;
    struct Progress {
      uint64_t left = 0;  // of the body (known length) or of the current chunk
      bool chunked = false;
      bool in_chunks = false;  // chunked and a chunk has been started (its CRLF is due)
      bool last_chunk = false;
      uint64_t received = 0;  // chunked: data bytes so far, against the body limit
    } at;                     // reset for each request
  };
  // The size of a chunked body's next chunk, reading its header line (and, after a chunk,
  // that chunk's CRLF first); for the last chunk 0, with its trailer fields skipped.
  uint64_t nextChunkSize(bool after_chunk, uint64_t received_so_far);

  // Fills the buffer until it holds "\r\n\r\n"; the header's length with that ending, or
  // 0 when the stream ended before any byte of a request.
  size_t readHeader();
  std::string readLine();  // one CRLF-terminated line of chunked framing, without the CRLF
  void readExactly(std::string& into, uint64_t count);
  void readChunked(std::string& into);  // the whole chunked body, de-chunked
  bool fill();                          // appends what the stream has; false at its end
  std::string_view pending() const { return {buffer_.data() + begin_, end_ - begin_}; }
  void consume(size_t n) { begin_ += n; }

  Stream& stream_;
  RequestLimits limits_;
  std::string buffer_;  // [begin_, end_) received and not yet consumed
  size_t begin_ = 0;
  size_t end_ = 0;
  StreamedBody streamed_{*this};
};

}  // namespace sluice::http
