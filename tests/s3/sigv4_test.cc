// The SigV4 vectors of ../shared/conformance/sigv4 (see its README): every v4/ case in
// header and query (presigned) mode, and the S3 API Reference's worked examples.
#include "s3/sigv4.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/hash.h"

namespace sluice::s3 {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string vectorsDir() { return std::string(SLUICE_SOURCE_DIR) + "/../shared/conformance/sigv4"; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct RawRequest {
  std::string method, path, query;
  HeaderList headers;
  std::string body;
};

// The suite's request.txt: a request line (the target may hold a raw space), headers
// with continuation lines, a blank line, the body.
RawRequest parseRequest(const std::string& text) {
  RawRequest r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  size_t sp = line.find(' '), http = line.rfind(" HTTP/");
  r.method = line.substr(0, sp);
  std::string target = line.substr(sp + 1, http - sp - 1);
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      r.headers.back().second += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::stringstream rest;
  rest << in.rdbuf();
  r.body = rest.str();
  return r;
}

std::vector<std::string> caseNames() {
  std::vector<std::string> out;
  if (!fs::exists(vectorsDir() + "/v4")) return out;
  for (const auto& e : fs::directory_iterator(vectorsDir() + "/v4"))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class SigV4Suite : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4Suite, HeaderAndQuerySigning) {
  const fs::path dir = fs::path(vectorsDir()) / "v4" / GetParam();
  json ctx = json::parse(slurp(dir / "context.json"));
  RawRequest req = parseRequest(slurp(dir / "request.txt"));
  const std::string secret = ctx["credentials"]["secret_access_key"];
  const std::string akid = ctx["credentials"]["access_key_id"];
  const std::string token = ctx["credentials"].value("token", "");
  const bool with_token = !token.empty() && !ctx.value("omit_session_token", false);
  const std::string amz_date = "20150830T123600Z";
  const std::string region = ctx["region"], service = ctx["service"];
  const std::string scope = credentialScope(amz_date.substr(0, 8), region, service);
  const std::string payload = core::sha256Hex(req.body);

  // Authorization header mode.
  CanonicalRequestInput h;
  h.method = req.method;
  h.path = req.path;
  h.query = parseQuery(req.query);
  h.headers = req.headers;
  h.headers.emplace_back("X-Amz-Date", amz_date);
  if (with_token) h.headers.emplace_back("X-Amz-Security-Token", token);
  if (ctx.value("sign_body", false)) h.headers.emplace_back("X-Amz-Content-Sha256", payload);
  for (const auto& [name, v] : h.headers) h.signed_headers.push_back(name);
  h.payload_hash = payload;
  h.normalize_path = ctx.value("normalize", true);
  const std::string creq = canonicalRequest(h);
  EXPECT_EQ(creq, slurp(dir / "header-canonical-request.txt"));
  EXPECT_EQ(stringToSign(amz_date, scope, creq), slurp(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(signatureHex(secret, amz_date, region, service, creq),
            slurp(dir / "header-signature.txt"));

  // Query-string (presigned URL) mode.
  CanonicalRequestInput q = h;
  q.headers = req.headers;
  q.signed_headers.clear();
  for (const auto& [name, v] : q.headers) q.signed_headers.push_back(name);
  std::vector<std::string> names;
  for (auto n : q.signed_headers) {
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_list;
  for (const auto& n : names) signed_list += (signed_list.empty() ? "" : ";") + n;
  q.query.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  q.query.emplace_back("X-Amz-Credential", akid + "/" + scope);
  q.query.emplace_back("X-Amz-Date", amz_date);
  q.query.emplace_back("X-Amz-Expires", "3600");
  q.query.emplace_back("X-Amz-SignedHeaders", signed_list);
  if (with_token) q.query.emplace_back("X-Amz-Security-Token", token);
  const std::string qreq = canonicalRequest(q);
  EXPECT_EQ(qreq, slurp(dir / "query-canonical-request.txt"));
  EXPECT_EQ(signatureHex(secret, amz_date, region, service, qreq),
            slurp(dir / "query-signature.txt"));
}

INSTANTIATE_TEST_SUITE_P(V4, SigV4Suite, ::testing::ValuesIn(caseNames()), [](const auto& info) {
  std::string n;
  for (char c : info.param) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return n;
});

TEST(SigV4, VectorsArePresent) { EXPECT_EQ(caseNames().size(), 38u) << vectorsDir(); }

TEST(SigV4, S3ApiReferenceExamples) {
  json doc = json::parse(slurp(vectorsDir() + "/s3-examples.json"));
  const json& s = doc["sigv4"];
  ASSERT_FALSE(s["cases"].empty());
  int checked = 0;
  for (const auto& c : s["cases"]) {
    checked++;
    CanonicalRequestInput in;
    in.method = c["method"];
    in.path = c["canonical_uri"];
    in.query = parseQuery(c["canonical_query"].get<std::string>());
    for (const auto& h : c["headers"]) {
      in.headers.emplace_back(h[0], h[1]);
      in.signed_headers.push_back(h[0]);
    }
    in.payload_hash = c["payload_hash"];
    const std::string creq = canonicalRequest(in);
    EXPECT_EQ(signatureHex(s["secret_key"], s["timestamp"], s["region"], s["service"], creq),
              c["signature"])
        << c["name"] << "\n"
        << creq;
  }
  EXPECT_EQ(checked, 5);
}

TEST(SigV4, AwsChunkedSignaturesChainFromTheSeed) {
  json doc = json::parse(slurp(vectorsDir() + "/s3-examples.json"));
  const json& s = doc["sigv4"];
  const json& c = doc["sigv4_streaming_aws_chunked"];
  CanonicalRequestInput in;
  in.method = c["method"];
  in.path = c["canonical_uri"];
  for (const auto& h : c["headers"]) {
    in.headers.emplace_back(h[0], h[1]);
    in.signed_headers.push_back(h[0]);
  }
  in.payload_hash = c["payload_hash"];
  const std::string amz_date = s["timestamp"];
  const std::string seed =
      signatureHex(s["secret_key"], amz_date, s["region"], s["service"], canonicalRequest(in));
  EXPECT_EQ(seed, c["seed_signature"]);
  const std::string key =
      signingKey(s["secret_key"], amz_date.substr(0, 8), s["region"], s["service"]);
  const std::string scope = credentialScope(amz_date.substr(0, 8), s["region"], s["service"]);
  std::string previous = seed;
  for (const auto& chunk : c["chunk_signatures"]) {
    std::string data(chunk["size"].get<size_t>(), 'a');
    previous = chunkSignatureHex(key, amz_date, scope, previous, core::sha256Hex(data));
    EXPECT_EQ(previous, chunk["signature"]) << "chunk of " << chunk["size"];
  }
}

TEST(SigV2, QueryPresignsMadeByBotocore) {
  json doc = json::parse(slurp(vectorsDir() + "/s3-examples.json"));
  const json& v2 = doc["sigv2_query_presign"];
  ASSERT_FALSE(v2["cases"].empty());
  for (const auto& c : v2["cases"])
    EXPECT_EQ(sigV2Signature(v2["secret_key"], c["string_to_sign"]), c["signature"]);
}

TEST(SigV4, EncodingRules) {
  EXPECT_EQ(uriEncode("a b/c~d+e=f", true), "a%20b/c~d%2Be%3Df");
  EXPECT_EQ(uriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(uriDecode("a%20b%2Fc%zz"), "a b/c%zz");
  EXPECT_EQ(canonicalUri("/a%20b/./c", false), "/a%20b/./c");  // S3: as sent, encoded once
  EXPECT_EQ(canonicalUri("/a/./b/../c//d", true), "/a/c/d");
  EXPECT_EQ(canonicalQuery(parseQuery("b=2&a=&c")), "a=&b=2&c=");
  EXPECT_TRUE(signaturesEqual("abc", "abc"));
  EXPECT_FALSE(signaturesEqual("abc", "abd"));
}

}  // namespace
}  // namespace sluice::s3
