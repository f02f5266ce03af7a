#pragma once
// Checks that a request to the S3 server is signed with the server's credentials: SigV4
// in the Authorization header (the payload hash verified when it is given), or a
// presigned URL (SigV4 query, or SigV2 query as boto3 makes by default), unexpired.
// aws-chunked bodies are decoded, every chunk signature and the trailer signature checked.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "s3/aws_chunked.h"
#include "s3/sigv4.h"

namespace sluice::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

struct SignedRequest {
  std::string method;
  std::string target;  // the raw request target: path?query, as sent
  HeaderList headers;
  std::string_view body;
  // The body is not here yet (it streams to its destination): its signed SHA-256 is
  // returned for the caller to check once it has it, and an aws-chunked body is left for
  // the caller to decode (VerifiedRequest says how), instead of being checked here.
  bool body_follows = false;
};

// Throws Error(AccessDenied | InvalidAccessKeyId | SignatureDoesNotMatch |
// AuthorizationHeaderMalformed | XAmzContentSHA256Mismatch | RequestTimeTooSkewed |
// NotImplemented) naming what is wrong, never echoing the secret.
// What authentication learned about the body: an aws-chunked body, decoded (and its
// chunk signatures checked when it was signed).
// SignatureDoesNotMatch with what S3 adds to help the caller debug their signer: the
// string the server signed and the canonical request it built (SigV4), nothing secret.
struct SignatureMismatch : Error {
  SignatureMismatch(std::string access_key, std::string signed_string, std::string provided,
                    std::string canonical);
  std::string access_key_id, string_to_sign, signature_provided, canonical_request;
};

struct VerifiedRequest {
  std::optional<DecodedBody> chunked;
  std::string body_sha256;  // with body_follows: the hex SHA-256 the body must have, if signed
  // With body_follows and an aws-chunked body: how to decode it as it arrives (chunk
  // signatures checked against `chunk_signing` when the chunks are signed).
  bool body_aws_chunked = false;
  std::optional<ChunkSigning> chunk_signing;
};

// The checks of a body against its signed SHA-256 and its x-amz-decoded-content-length
// (an aws-chunked body), for the whole-body path here and the streamed one alike.
void checkPayloadHash(const std::string& signed_sha256_hex, const std::string& actual_sha256_hex);
void checkDecodedLength(const std::string& decoded_length_header, uint64_t decoded_size);

VerifiedRequest verifySignature(const SignedRequest& request, const Credentials& credentials,
                                core::TimeNs now);

}  // namespace sluice::s3
