#include "s3/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

#include "core/hash.h"
#include "core/text.h"

namespace sluice::s3 {

namespace {
bool unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Header values: surrounding space trimmed, inner runs of space collapsed to one.
std::string trimValue(const std::string& v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// RFC 3986 remove_dot_segments, plus collapsing of repeated slashes.
std::string normalizePath(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string seg = path.substr(i, j - i);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(seg);
    }
    i = j + 1;
  }
  std::string result = "/";
  for (size_t k = 0; k < out.size(); k++) result += (k ? "/" : "") + out[k];
  // A trailing slash (or a last segment that was . or ..) survives normalisation.
  bool trailing =
      !path.empty() && (path.back() == '/' || path.ends_with("/.") || path.ends_with("/.."));
  if (trailing && result.size() > 1) result += '/';
  return result;
}
}  // namespace

std::string uriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string uriDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += plus_is_space && s[i] == '+' ? ' ' : s[i];
  }
  return out;
}

HeaderList parseQuery(std::string_view query) {
  HeaderList out;
  size_t i = 0;
  while (i < query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view part = query.substr(i, amp - i);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string_view::npos)
        out.emplace_back(uriDecode(part), "");
      else
        out.emplace_back(uriDecode(part.substr(0, eq)), uriDecode(part.substr(eq + 1)));
    }
    i = amp + 1;
  }
  return out;
}

std::string canonicalUri(std::string_view path, bool normalize) {
  std::string decoded = uriDecode(path);
  if (decoded.empty()) decoded = "/";
  if (normalize) decoded = normalizePath(decoded);
  return uriEncode(decoded, true);
}

std::string canonicalQuery(const HeaderList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [k, v] : query) encoded.emplace_back(uriEncode(k, false), uriEncode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

std::string canonicalRequest(const CanonicalRequestInput& in) {
  std::vector<std::string> names;
  for (const auto& n : in.signed_headers) names.push_back(core::toLower(n));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string headers, signed_list;
  for (const auto& name : names) {
    std::string values;
    for (const auto& [k, v] : in.headers)
      if (core::toLower(k) == name) values += (values.empty() ? "" : ",") + trimValue(v);
    headers += name + ":" + values + "\n";
    signed_list += (signed_list.empty() ? "" : ";") + name;
  }
  return in.method + "\n" + canonicalUri(in.path, in.normalize_path) + "\n" +
         canonicalQuery(in.query) + "\n" + headers + "\n" + signed_list + "\n" + in.payload_hash;
}

std::string credentialScope(const std::string& date, const std::string& region,
                            const std::string& service) {
  return date + "/" + region + "/" + service + "/aws4_request";
}

std::string stringToSign(const std::string& amz_date, const std::string& scope,
                         const std::string& canonical_request) {
  return "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + core::sha256Hex(canonical_request);
}

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string signingKey(const std::string& secret, const std::string& date,
                       const std::string& region, const std::string& service) {
  std::string k = hmacSha256("AWS4" + secret, date);
  k = hmacSha256(k, region);
  k = hmacSha256(k, service);
  return hmacSha256(k, "aws4_request");
}

std::string signatureHex(const std::string& secret, const std::string& amz_date,
                         const std::string& region, const std::string& service,
                         const std::string& canonical_request) {
  const std::string date = amz_date.substr(0, 8);
  const std::string sts =
      stringToSign(amz_date, credentialScope(date, region, service), canonical_request);
  return core::toHex(hmacSha256(signingKey(secret, date, region, service), sts));
}

std::string chunkSignatureHex(const std::string& signing_key, const std::string& amz_date,
                              const std::string& scope, const std::string& previous_signature,
                              const std::string& chunk_sha256_hex) {
  const std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n" + amz_date + "\n" + scope + "\n" +
                          previous_signature + "\n" + core::sha256Hex("") + "\n" + chunk_sha256_hex;
  return core::toHex(hmacSha256(signing_key, sts));
}

std::string trailerSignatureHex(const std::string& signing_key, const std::string& amz_date,
                                const std::string& scope, const std::string& final_chunk_signature,
                                std::string_view canonical_trailers) {
  const std::string sts = "AWS4-HMAC-SHA256-TRAILER\n" + amz_date + "\n" + scope + "\n" +
                          final_chunk_signature + "\n" + core::sha256Hex(canonical_trailers);
  return core::toHex(hmacSha256(signing_key, sts));
}

std::string sigV2Signature(const std::string& secret, const std::string& string_to_sign) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(string_to_sign.data()), string_to_sign.size(), out,
       &len);
  return core::base64Encode(std::string_view(reinterpret_cast<char*>(out), len));
}

bool signaturesEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sluice::s3
