#pragma once
// Request bodies in the aws-chunked encoding (Content-Encoding: aws-chunked), which the
// newer AWS SDKs send for streaming uploads:
//   HEX-SIZE[;chunk-signature=SIG]\r\n DATA \r\n … 0[;chunk-signature=SIG]\r\n [TRAILERS\r\n] \r\n
// Signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) chain their signatures from the
// request's seed signature.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/hash.h"
#include "s3/sigv4.h"

namespace sluice::s3 {

struct ChunkSigning {
  std::string signing_key;  // raw bytes, as signingKey() returns
  std::string amz_date;
  std::string scope;
  std::string seed_signature;
};

struct DecodedBody {
  std::string data;
  HeaderList trailers;  // e.g. x-amz-checksum-crc32
};

// Decodes an aws-chunked body as it is read, so that a large one never has to be held:
// each chunk's signature is checked once the chunk has passed, the trailer signature at
// the end. Failures are Error(IncompleteBody | InvalidRequest) for a malformed body and
// Error(SignatureDoesNotMatch) for a chunk or trailers whose signature does not chain —
// possibly after some of the data was returned, so a caller commits nothing before
// read() has returned 0.
class AwsChunkedReader {
 public:
  using RawRead = std::function<size_t(char* data, size_t size)>;  // 0 at the body's end
  AwsChunkedReader(RawRead raw, const ChunkSigning* signing);

  // Up to `size` decoded bytes; 0 once the body and its trailers are all read and checked.
  size_t read(char* data, size_t size);
  // The trailers (lower-case names), once read() has returned 0.
  const HeaderList& trailers() const { return trailers_; }

 private:
  std::string_view nextLine();  // the next CRLF-terminated line, without the CRLF
  bool fill();
  void startChunk();
  void endChunk();
  void readTrailers();

  RawRead raw_;
  std::optional<ChunkSigning> signing_;
  std::string previous_signature_;
  std::string buffer_;  // raw bytes received and not yet consumed, from `at_`
  size_t at_ = 0;
  bool raw_ended_ = false;
  uint64_t chunk_left_ = 0;  // data bytes of the current chunk still to return
  bool in_chunk_ = false;
  bool done_ = false;
  std::string chunk_signature_;
  std::unique_ptr<core::Sha256> chunk_hash_;
  HeaderList trailers_;
};

// The whole of an aws-chunked body at once (through AwsChunkedReader).
DecodedBody decodeAwsChunked(std::string_view body, const ChunkSigning* signing);

}  // namespace sluice::s3
