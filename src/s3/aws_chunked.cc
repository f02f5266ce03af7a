#include "s3/aws_chunked.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/error.h"
#include "core/text.h"

namespace sluice::s3 {

namespace {

constexpr size_t kMaxLine = 64 * 1024;  // a chunk header or trailer line

[[noreturn]] void malformed(const std::string& why) {
  throw Error("InvalidRequest", "the aws-chunked request body is malformed: " + why);
}

[[noreturn]] void endedEarly(const std::string& where) {
  throw Error("IncompleteBody", "the aws-chunked body ended " + where);
}

}  // namespace

AwsChunkedReader::AwsChunkedReader(RawRead raw, const ChunkSigning* signing)
    : raw_(std::move(raw)) {
  if (signing) {
    signing_ = *signing;
    previous_signature_ = signing->seed_signature;
  }
}

bool AwsChunkedReader::fill() {
  if (raw_ended_) return false;
  if (at_ > 0) {
    buffer_.erase(0, at_);
    at_ = 0;
  }
  const size_t old = buffer_.size();
  buffer_.resize(old + 64 * 1024);
  const size_t n = raw_(buffer_.data() + old, buffer_.size() - old);
  buffer_.resize(old + n);
  raw_ended_ = n == 0;
  return n > 0;
}

std::string_view AwsChunkedReader::nextLine() {
  size_t end;
  while ((end = buffer_.find("\r\n", at_)) == std::string::npos) {
    if (buffer_.size() - at_ > kMaxLine) malformed("a line is too long");
    if (!fill()) endedEarly("early");
  }
  std::string_view line(buffer_.data() + at_, end - at_);
  at_ = end + 2;
  return line;
}

void AwsChunkedReader::startChunk() {
  const std::string_view header = nextLine();
  const size_t semi = header.find(';');
  const std::string_view size_text = header.substr(0, semi);
  uint64_t size = 0;
  auto [end, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
  if (size_text.empty() || ec != std::errc() || end != size_text.data() + size_text.size())
    malformed("bad chunk size '" + std::string(size_text) + "'");
  if (signing_) {
    const std::string_view prefix = "chunk-signature=";
    const std::string_view ext = semi == std::string_view::npos ? "" : header.substr(semi + 1);
    if (ext.substr(0, prefix.size()) != prefix) malformed("a chunk lacks its chunk-signature");
    chunk_signature_ = std::string(ext.substr(prefix.size()));
    chunk_hash_ = std::make_unique<core::Sha256>();
  }
  chunk_left_ = size;
  in_chunk_ = true;
}

void AwsChunkedReader::endChunk() {
  if (signing_) {
    const std::string expected =
        chunkSignatureHex(signing_->signing_key, signing_->amz_date, signing_->scope,
                          previous_signature_, chunk_hash_->finishHex());
    if (!signaturesEqual(expected, chunk_signature_))
      throw Error("SignatureDoesNotMatch",
                  "a chunk signature of the aws-chunked body does not match");
    previous_signature_ = expected;
  }
  in_chunk_ = false;
}

size_t AwsChunkedReader::read(char* data, size_t size) {
  while (!done_) {
    if (!in_chunk_) {
      startChunk();
      if (chunk_left_ == 0) {  // the final chunk: its signature, then the trailers
        endChunk();
        readTrailers();
        done_ = true;
        break;
      }
    }
    if (chunk_left_ == 0) {
      endChunk();
      if (!nextLine().empty()) malformed("a chunk is not followed by CRLF");
      continue;
    }
    if (at_ == buffer_.size() && !fill()) endedEarly("inside a chunk");
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>({size, chunk_left_, buffer_.size() - at_}));
    std::memcpy(data, buffer_.data() + at_, n);
    if (chunk_hash_) chunk_hash_->update(std::string_view(data, n));
    at_ += n;
    chunk_left_ -= n;
    return n;
  }
  return 0;
}

void AwsChunkedReader::readTrailers() {
  std::string trailer_signature;
  // Trailers until the empty line (or the end of the body).
  while (at_ < buffer_.size() || fill()) {
    const std::string_view l = nextLine();
    if (l.empty()) break;
    const size_t colon = l.find(':');
    if (colon == std::string_view::npos) malformed("bad trailer line");
    std::string name = core::toLower(std::string(core::trim(l.substr(0, colon))));
    std::string value(core::trim(l.substr(colon + 1)));
    if (name == "x-amz-trailer-signature")
      trailer_signature = std::move(value);
    else
      trailers_.emplace_back(std::move(name), std::move(value));
  }
  // Signed trailers chain from the final chunk's signature.
  if (signing_ && !trailers_.empty()) {
    if (trailer_signature.empty()) malformed("the trailers lack their x-amz-trailer-signature");
    HeaderList sorted = trailers_;
    std::sort(sorted.begin(), sorted.end());
    std::string canonical;
    for (const auto& [name, value] : sorted) canonical += name + ":" + value + "\n";
    const std::string expected = trailerSignatureHex(
        signing_->signing_key, signing_->amz_date, signing_->scope, previous_signature_, canonical);
    if (!signaturesEqual(expected, trailer_signature))
      throw Error("SignatureDoesNotMatch",
                  "the trailer signature of the aws-chunked body does not match");
  }
}

DecodedBody decodeAwsChunked(std::string_view body, const ChunkSigning* signing) {
  size_t taken = 0;
  AwsChunkedReader reader(
      [&](char* data, size_t size) {
        const size_t n = std::min(size, body.size() - taken);
        std::memcpy(data, body.data() + taken, n);
        taken += n;
        return n;
      },
      signing);
  DecodedBody out;
  char piece[64 * 1024];
  for (size_t n; (n = reader.read(piece, sizeof piece)) > 0;) out.data.append(piece, n);
  out.trailers = reader.trailers();
  return out;
}

}  // namespace sluice::s3
