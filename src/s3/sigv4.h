#pragma once
// AWS Signature Version 4: canonical requests, strings to sign and signatures, for the
// S3 server's verifier and the remote-S3 client's signer alike. S3 signs the path as
// the client encoded it, encoded once and not normalised; other services normalise
// dot segments (normalize_path).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct CanonicalRequestInput {
  std::string method;
  std::string path;                         // the request path as sent (percent-encoded or not)
  HeaderList query;                         // decoded names and values, in any order
  HeaderList headers;                       // names and values as sent; repeated names allowed
  std::vector<std::string> signed_headers;  // lower-case names
  std::string payload_hash;                 // hex SHA-256, UNSIGNED-PAYLOAD, STREAMING-…
  bool normalize_path = false;
};

// RFC 3986 unreserved characters stay, everything else becomes %XX (upper-case hex);
// '/' stays when `keep_slash`.
std::string uriEncode(std::string_view s, bool keep_slash);
// %XX sequences decoded; with `plus_is_space`, '+' too (form-style query strings).
std::string uriDecode(std::string_view s, bool plus_is_space = false);
// "a=1&b" → {{"a","1"},{"b",""}}, decoded.
HeaderList parseQuery(std::string_view query);

std::string canonicalUri(std::string_view path, bool normalize);
std::string canonicalQuery(const HeaderList& query);
std::string canonicalRequest(const CanonicalRequestInput& in);

// "20150830/us-east-1/service/aws4_request"
std::string credentialScope(const std::string& date, const std::string& region,
                            const std::string& service);
// amz_date is "20150830T123600Z".
std::string stringToSign(const std::string& amz_date, const std::string& scope,
                         const std::string& canonical_request);
std::string signingKey(const std::string& secret, const std::string& date,
                       const std::string& region, const std::string& service);
std::string hmacSha256(std::string_view key, std::string_view data);  // raw bytes
std::string signatureHex(const std::string& secret, const std::string& amz_date,
                         const std::string& region, const std::string& service,
                         const std::string& canonical_request);

// The signature of one chunk of an aws-chunked body (STREAMING-AWS4-HMAC-SHA256-PAYLOAD):
// each chunk signs its data (given as its hex SHA-256) and the previous chunk's signature
// (the first, the seed).
std::string chunkSignatureHex(const std::string& signing_key, const std::string& amz_date,
                              const std::string& scope, const std::string& previous_signature,
                              const std::string& chunk_sha256_hex);

// The signature of an aws-chunked body's trailers (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-
// TRAILER), sent as x-amz-trailer-signature: it chains from the final (empty) chunk's
// signature and signs `canonical_trailers`, each trailer as "name:value\n" by name.
std::string trailerSignatureHex(const std::string& signing_key, const std::string& amz_date,
                                const std::string& scope, const std::string& final_chunk_signature,
                                std::string_view canonical_trailers);

// Legacy SigV2 query presigns (what boto3 makes by default in us-east-1):
// base64(HMAC-SHA1(secret, string_to_sign)).
std::string sigV2Signature(const std::string& secret, const std::string& string_to_sign);

// Compares two signatures in constant time.
bool signaturesEqual(std::string_view a, std::string_view b);

}  // namespace sluice::s3
