#include "s3/auth.h"

#include <algorithm>
#include <cstdlib>

#include "core/error.h"
#include "core/hash.h"
#include "core/text.h"

namespace sluice::s3 {

namespace {

std::string header(const HeaderList& headers, const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; i++)
      same = std::tolower(static_cast<unsigned char>(k[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return v;
  }
  return "";
}

// "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=a;b,
// Signature=hex"
struct AuthorizationHeader {
  std::string access_key, date, region, service, signature;
  std::vector<std::string> signed_headers;
};

AuthorizationHeader parseAuthorization(const std::string& value) {
  const std::string prefix = "AWS4-HMAC-SHA256 ";
  if (value.rfind(prefix, 0) != 0)
    throw Error("AuthorizationHeaderMalformed",
                "only AWS4-HMAC-SHA256 Authorization headers are accepted");
  AuthorizationHeader a;
  std::string rest = value.substr(prefix.size());
  size_t i = 0;
  while (i < rest.size()) {
    size_t comma = rest.find(',', i);
    if (comma == std::string::npos) comma = rest.size();
    std::string part = rest.substr(i, comma - i);
    part.erase(0, part.find_first_not_of(' '));
    size_t eq = part.find('=');
    std::string k = part.substr(0, eq), v = eq == std::string::npos ? "" : part.substr(eq + 1);
    if (k == "Credential") {
      std::vector<std::string> f;
      for (size_t s = 0, e; s <= v.size(); s = e + 1) {
        e = v.find('/', s);
        if (e == std::string::npos) e = v.size();
        f.push_back(v.substr(s, e - s));
      }
      if (f.size() != 5 || f[4] != "aws4_request")
        throw Error("AuthorizationHeaderMalformed",
                    "the Credential must be KEY/DATE/REGION/SERVICE/aws4_request");
      a.access_key = f[0];
      a.date = f[1];
      a.region = f[2];
      a.service = f[3];
    } else if (k == "SignedHeaders") {
      for (size_t s = 0, e; s <= v.size(); s = e + 1) {
        e = v.find(';', s);
        if (e == std::string::npos) e = v.size();
        if (e > s) a.signed_headers.push_back(v.substr(s, e - s));
      }
    } else if (k == "Signature") {
      a.signature = v;
    }
    i = comma + 1;
  }
  if (a.access_key.empty() || a.signature.empty() || a.signed_headers.empty())
    throw Error("AuthorizationHeaderMalformed",
                "the Authorization header lacks Credential, SignedHeaders or Signature");
  return a;
}

}  // namespace

SignatureMismatch::SignatureMismatch(std::string access_key, std::string signed_string,
                                     std::string provided, std::string canonical)
    : Error("SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method."),
      access_key_id(std::move(access_key)),
      string_to_sign(std::move(signed_string)),
      signature_provided(std::move(provided)),
      canonical_request(std::move(canonical)) {}

namespace {

std::string queryValue(const HeaderList& query, const std::string& name) {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return "";
}

core::TimeNs parseAmzDate(const std::string& amz_date) {
  if (amz_date.size() != 16 || amz_date[8] != 'T' || amz_date[15] != 'Z')
    throw Error("AuthorizationQueryParametersError", "X-Amz-Date must look like 20130524T000000Z");
  return core::parseIso8601(amz_date.substr(0, 4) + "-" + amz_date.substr(4, 2) + "-" +
                            amz_date.substr(6, 2) + "T" + amz_date.substr(9, 2) + ":" +
                            amz_date.substr(11, 2) + ":" + amz_date.substr(13, 2) + "Z");
}

[[noreturn]] void expired() { throw Error("AccessDenied", "Request has expired"); }

[[noreturn]] void signatureMismatch(const std::string& access_key, const std::string& signed_string,
                                    const std::string& provided, const std::string& canonical) {
  throw SignatureMismatch(access_key, signed_string, provided, canonical);
}

std::vector<std::string> splitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  for (size_t start = 0, end; start <= s.size(); start = end + 1) {
    end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
  }
  return out;
}

// SigV4 presigned URL: X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders, -Signature.
void verifyPresignedV4(const SignedRequest& r, const std::string& path, const HeaderList& query,
                       const Credentials& creds, core::TimeNs now) {
  const auto f = splitOn(queryValue(query, "X-Amz-Credential"), '/');
  if (f.size() != 5)
    throw Error("AuthorizationQueryParametersError", "X-Amz-Credential is malformed");
  if (f[0] != creds.access_key_id)
    throw Error("InvalidAccessKeyId",
                "the access key id you provided does not exist in our records");
  const std::string amz_date = queryValue(query, "X-Amz-Date");
  const core::TimeNs signed_at = parseAmzDate(amz_date);
  long long expires = 0;
  try {
    expires = std::stoll(queryValue(query, "X-Amz-Expires"));
  } catch (const std::exception&) {
    throw Error("AuthorizationQueryParametersError", "X-Amz-Expires must be a number of seconds");
  }
  if (expires < 1 || expires > 604800)
    throw Error("AuthorizationQueryParametersError",
                "X-Amz-Expires must be between 1 and 604800 seconds");
  if (now > signed_at + expires * 1'000'000'000LL) expired();

  CanonicalRequestInput in;
  in.method = r.method;
  in.path = path;
  for (const auto& [k, v] : query)
    if (k != "X-Amz-Signature") in.query.emplace_back(k, v);
  in.headers = r.headers;
  for (const auto& name : splitOn(queryValue(query, "X-Amz-SignedHeaders"), ';'))
    if (!name.empty()) in.signed_headers.push_back(name);
  const std::string payload = queryValue(query, "X-Amz-Content-Sha256");
  in.payload_hash = payload.empty() ? "UNSIGNED-PAYLOAD" : payload;
  const std::string canonical = canonicalRequest(in);
  const std::string expected =
      signatureHex(creds.secret_access_key, amz_date, f[2], f[3], canonical);
  if (!signaturesEqual(expected, queryValue(query, "X-Amz-Signature")))
    signatureMismatch(creds.access_key_id,
                      stringToSign(amz_date, credentialScope(f[1], f[2], f[3]), canonical),
                      queryValue(query, "X-Amz-Signature"), canonical);
}

// SigV2 query presign: AWSAccessKeyId, Expires (Unix seconds), Signature.
void verifyPresignedV2(const SignedRequest& r, const std::string& raw_path, const HeaderList& query,
                       const Credentials& creds, core::TimeNs now) {
  if (queryValue(query, "AWSAccessKeyId") != creds.access_key_id)
    throw Error("InvalidAccessKeyId",
                "the access key id you provided does not exist in our records");
  long long expires = 0;
  try {
    expires = std::stoll(queryValue(query, "Expires"));
  } catch (const std::exception&) {
    throw Error("AccessDenied", "Expires must be a Unix time");
  }
  if (now / 1'000'000'000 > expires) expired();
  // Amazon headers lower-cased and sorted, then the resource with the subresources
  // SigV2 signs.
  std::vector<std::pair<std::string, std::string>> amz;
  for (const auto& [k, v] : r.headers) {
    const std::string lower = core::toLower(k);
    if (lower.rfind("x-amz-", 0) == 0) amz.emplace_back(lower, v);
  }
  std::sort(amz.begin(), amz.end());
  std::string amz_headers;
  for (const auto& [k, v] : amz) amz_headers += k + ":" + v + "\n";
  static const std::vector<std::string> kSigned = {"acl",
                                                   "location",
                                                   "partNumber",
                                                   "response-cache-control",
                                                   "response-content-disposition",
                                                   "response-content-encoding",
                                                   "response-content-language",
                                                   "response-content-type",
                                                   "response-expires",
                                                   "tagging",
                                                   "uploadId",
                                                   "uploads",
                                                   "versionId",
                                                   "versioning"};
  std::vector<std::pair<std::string, std::string>> sub;
  for (const auto& [k, v] : query)
    if (std::find(kSigned.begin(), kSigned.end(), k) != kSigned.end()) sub.emplace_back(k, v);
  std::sort(sub.begin(), sub.end());
  std::string resource = raw_path;
  for (size_t i = 0; i < sub.size(); i++)
    resource += (i ? "&" : "?") + sub[i].first + (sub[i].second.empty() ? "" : "=" + sub[i].second);
  const std::string sts = r.method + "\n" + header(r.headers, "Content-MD5") + "\n" +
                          header(r.headers, "Content-Type") + "\n" + std::to_string(expires) +
                          "\n" + amz_headers + resource;
  if (!signaturesEqual(sigV2Signature(creds.secret_access_key, sts),
                       queryValue(query, "Signature")))
    signatureMismatch(creds.access_key_id, sts, queryValue(query, "Signature"), "");
}

}  // namespace

void checkPayloadHash(const std::string& signed_sha256_hex, const std::string& actual_sha256_hex) {
  if (signed_sha256_hex != actual_sha256_hex)
    throw Error("XAmzContentSHA256Mismatch",
                "the provided x-amz-content-sha256 does not match what was computed");
}

void checkDecodedLength(const std::string& decoded_length_header, uint64_t decoded_size) {
  if (!decoded_length_header.empty() && decoded_length_header != std::to_string(decoded_size))
    throw Error("IncompleteBody",
                "the decoded body is not x-amz-decoded-content-length bytes long");
}

VerifiedRequest verifySignature(const SignedRequest& r, const Credentials& creds,
                                core::TimeNs now) {
  const std::string authorization = header(r.headers, "Authorization");
  const size_t q = r.target.find('?');
  const std::string path = r.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : r.target.substr(q + 1);
  if (authorization.empty()) {
    const HeaderList params = parseQuery(query);
    if (!queryValue(params, "X-Amz-Signature").empty()) {
      verifyPresignedV4(r, path, params, creds, now);
      return {};
    }
    if (!queryValue(params, "Signature").empty()) {
      verifyPresignedV2(r, path, params, creds, now);
      return {};
    }
    throw Error("AccessDenied", "requests must be signed (AWS Signature Version 4)");
  }
  AuthorizationHeader a = parseAuthorization(authorization);
  if (a.access_key != creds.access_key_id)
    throw Error("InvalidAccessKeyId",
                "the access key id you provided does not exist in our records");
  const std::string amz_date = header(r.headers, "x-amz-date");
  if (amz_date.size() != 16 || amz_date.substr(0, 8) != a.date)
    throw Error("AuthorizationHeaderMalformed",
                "x-amz-date is missing or does not match the credential's date");
  const core::TimeNs signed_at = parseAmzDate(amz_date);
  if (std::llabs(now - signed_at) > 15LL * 60 * 1'000'000'000)
    throw Error("RequestTimeTooSkewed",
                "the difference between the request time and the server's time is too large");

  std::string payload = header(r.headers, "x-amz-content-sha256");
  const bool streaming = payload.rfind("STREAMING-", 0) == 0;
  if (r.body_follows && payload.empty())
    throw Error(errc::kInternal, "a streamed body needs its payload hash signed");
  if (payload.empty()) payload = core::sha256Hex(r.body);
  const bool check_body = !streaming && payload != "UNSIGNED-PAYLOAD";
  if (check_body && !r.body_follows) checkPayloadHash(payload, core::sha256Hex(r.body));

  CanonicalRequestInput in;
  in.method = r.method;
  in.path = path;
  in.query = parseQuery(query);
  in.headers = r.headers;
  in.signed_headers = a.signed_headers;
  in.payload_hash = payload;
  const std::string canonical = canonicalRequest(in);
  const std::string expected =
      signatureHex(creds.secret_access_key, amz_date, a.region, a.service, canonical);
  if (!signaturesEqual(expected, a.signature))
    signatureMismatch(
        creds.access_key_id,
        stringToSign(amz_date, credentialScope(a.date, a.region, a.service), canonical),
        a.signature, canonical);
  if (!streaming) {
    VerifiedRequest plain;
    if (check_body && r.body_follows) plain.body_sha256 = payload;
    return plain;
  }

  VerifiedRequest verified;
  if (payload == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" ||
      payload == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
    verified.chunk_signing =
        ChunkSigning{signingKey(creds.secret_access_key, a.date, a.region, a.service), amz_date,
                     credentialScope(a.date, a.region, a.service), a.signature};
  else if (payload != "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    throw Error("NotImplemented", "the payload signing mode " + payload + " is not supported");
  if (r.body_follows) {
    verified.body_aws_chunked = true;
    return verified;
  }
  verified.chunked =
      decodeAwsChunked(r.body, verified.chunk_signing ? &*verified.chunk_signing : nullptr);
  checkDecodedLength(header(r.headers, "x-amz-decoded-content-length"),
                     verified.chunked->data.size());
  return verified;
}

}  // namespace sluice::s3
