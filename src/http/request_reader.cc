#include "http/request_reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/text.h"

namespace sluice::http {

namespace {

constexpr size_t kReadSize = 64 * 1024;

bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c <= 32 || c >= 127 ||
        std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(c)) !=
            std::string_view::npos)
      return false;
  return true;
}

// "METHOD SP target SP HTTP/1.x"
void parseRequestLine(std::string_view line, Request& r) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) throw BadRequest(400, "malformed request line");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!isToken(method)) throw BadRequest(400, "malformed method in the request line");
  if (target.empty() || target.find_first_of(" \t") != std::string_view::npos)
    throw BadRequest(400, "malformed request target");
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' ||
      version[7] > '9')
    throw BadRequest(400, "unsupported HTTP version '" + std::string(version) + "'");
  r.method = method;
  r.target = target;
  r.minor_version = version[7] - '0';
}

uint64_t parseNumber(std::string_view text, int base, const char* what) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw BadRequest(400, std::string("malformed ") + what);
  return n;
}

std::string tooLarge(uint64_t limit) {
  return "the body is larger than " + std::to_string(limit) + " bytes";
}

}  // namespace

bool RequestReader::fill() {
  if (begin_ == end_) begin_ = end_ = 0;
  if (buffer_.size() - end_ < kReadSize) {
    // Move what is pending to the front, then make room for one more read.
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    if (buffer_.size() - end_ < kReadSize) buffer_.resize(end_ + kReadSize);
  }
  const size_t n = stream_.read(buffer_.data() + end_, buffer_.size() - end_);
  end_ += n;
  return n > 0;
}

size_t RequestReader::readHeader() {
  size_t searched = 0;
  for (;;) {
    // Empty lines before a request are allowed (RFC 9112 §2.2).
    while (pending().substr(0, 2) == "\r\n") consume(2);
    const size_t end = pending().find("\r\n\r\n", searched);
    if (end != std::string_view::npos) {
      if (end + 4 > limits_.max_header_bytes) break;
      return end + 4;
    }
    if (pending().size() > limits_.max_header_bytes) break;
    searched = pending().size() < 3 ? 0 : pending().size() - 3;
    const bool nothing_yet = pending().empty();
    if (!fill()) {
      if (nothing_yet) return 0;
      throw BadRequest(400, "the connection ended inside a request header", true);
    }
  }
  throw BadRequest(431, "the request header is larger than " +
                            std::to_string(limits_.max_header_bytes) + " bytes");
}

std::optional<Request> RequestReader::next(const std::function<void(const Request&)>& before_body,
                                           const std::function<bool(const Request&)>& stream_body) {
  if (streamedBodyLeft() > 0) throw std::logic_error("the last request's body was not read");
  streamed_.at = {};
  const size_t header_length = readHeader();
  if (header_length == 0) return std::nullopt;
  Request r;
  const std::string_view header = pending().substr(0, header_length - 2);  // lines end in CRLF
  size_t eol = header.find("\r\n");
  parseRequestLine(header.substr(0, eol), r);
  for (size_t pos = eol + 2; pos < header.size(); pos = eol + 2) {
    eol = header.find("\r\n", pos);
    const std::string_view line = header.substr(pos, eol - pos);
    if (line.front() == ' ' || line.front() == '\t')
      throw BadRequest(400, "obsolete line folding in a header field");
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !isToken(line.substr(0, colon)))
      throw BadRequest(400, "malformed header field '" + std::string(line.substr(0, 64)) + "'");
    r.headers.emplace_back(std::string(line.substr(0, colon)),
                           std::string(core::trim(line.substr(colon + 1))));
  }
  consume(header_length);

  const std::string* encoding = findHeader(r.headers, "Transfer-Encoding");
  const std::string* length = findHeader(r.headers, "Content-Length");
  if (encoding != nullptr && !core::equalsIgnoringCase(*encoding, "chunked"))
    throw BadRequest(501, "unsupported Transfer-Encoding '" + *encoding + "'");
  if (encoding != nullptr && length != nullptr)
    throw BadRequest(400, "both Transfer-Encoding and Content-Length were sent");
  const uint64_t content_length = length ? parseNumber(*length, 10, "Content-Length") : 0;
  if (content_length > limits_.max_body_bytes)
    throw BadRequest(413, tooLarge(limits_.max_body_bytes));
  if (before_body) before_body(r);
  if ((encoding != nullptr || content_length > 0) && stream_body && stream_body(r)) {
    streamed_.at.chunked = encoding != nullptr;
    streamed_.at.left = streamed_.at.chunked ? 0 : content_length;
    r.body_source = &streamed_;
    r.body_length = content_length;  // 0: unknown (chunked)
    return r;
  }
  if (encoding != nullptr)
    readChunked(r.body);
  else
    readExactly(r.body, content_length);
  return r;
}

void RequestReader::readExactly(std::string& into, uint64_t count) {
  const size_t from_buffer = static_cast<size_t>(std::min<uint64_t>(count, pending().size()));
  into.append(pending().substr(0, from_buffer));
  consume(from_buffer);
  // The rest goes straight from the connection into the body.
  size_t at = into.size();
  into.resize(at + static_cast<size_t>(count - from_buffer));
  while (at < into.size()) {
    const size_t n = stream_.read(into.data() + at, into.size() - at);
    if (n == 0) throw BadRequest(400, "the connection ended inside a request body", true);
    at += n;
  }
}

uint64_t RequestReader::streamedBodyLeft() const {
  if (streamed_.at.chunked && !streamed_.at.last_chunk) return UINT64_MAX;
  return streamed_.at.left;
}

size_t RequestReader::StreamedBody::read(char* data, size_t size) {
  if (at.chunked && at.left == 0 && !at.last_chunk) {
    at.left = reader.nextChunkSize(at.in_chunks, at.received);
    at.in_chunks = true;
    at.received += at.left;
    at.last_chunk = at.left == 0;
  }
  const size_t want = static_cast<size_t>(std::min<uint64_t>(size, at.left));
  if (want == 0) return 0;
  size_t n;
  if (!reader.pending().empty()) {
    n = std::min(want, reader.pending().size());
    std::memcpy(data, reader.pending().data(), n);
    reader.consume(n);
  } else {
    n = reader.stream_.read(data, want);
    if (n == 0) throw BadRequest(400, "the connection ended inside a request body", true);
  }
  at.left -= n;
  return n;
}

std::string RequestReader::readLine() {
  size_t end;
  while ((end = pending().find("\r\n")) == std::string_view::npos) {
    if (pending().size() > limits_.max_header_bytes)
      throw BadRequest(400, "a chunk line is too long");
    if (!fill()) throw BadRequest(400, "the connection ended inside a chunked body", true);
  }
  std::string line(pending().substr(0, end));
  consume(end + 2);
  return line;
}

uint64_t RequestReader::nextChunkSize(bool after_chunk, uint64_t received_so_far) {
  if (after_chunk && !readLine().empty())
    throw BadRequest(400, "a chunk does not end where its size says");
  const std::string line = readLine();
  // chunk-size [ ; chunk-ext ]
  const uint64_t size =
      parseNumber(core::trim(std::string_view(line).substr(0, line.find(';'))), 16, "chunk size");
  if (size > limits_.max_body_bytes - received_so_far)
    throw BadRequest(413, tooLarge(limits_.max_body_bytes));
  if (size == 0)
    while (!readLine().empty()) {  // trailer fields, up to the empty line: not passed on
    }
  return size;
}

void RequestReader::readChunked(std::string& into) {
  for (uint64_t size; (size = nextChunkSize(!into.empty(), into.size())) > 0;)
    readExactly(into, size);
}

}  // namespace sluice::http
