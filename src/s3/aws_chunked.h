#pragma once
// Request bodies in the aws-chunked encoding (Content-Encoding: aws-chunked), which the
// newer AWS SDKs send for streaming uploads:
//   HEX-SIZE[;chunk-signature=SIG]\r\n DATA \r\n … 0[;chunk-signature=SIG]\r\n [TRAILERS\r\n] \r\n
// Signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) chain their signatures from the
// request's seed signature.
#include <string>
#include <string_view>

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

// Throws Error(IncompleteBody | InvalidRequest) for a malformed body and
// Error(SignatureDoesNotMatch) for a chunk whose signature does not chain.
DecodedBody decodeAwsChunked(std::string_view body, const ChunkSigning* signing);

}  // namespace sluice::s3
