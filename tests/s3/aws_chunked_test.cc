#include "s3/aws_chunked.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/hash.h"
#include "lake/local_store.h"
#include "s3/server.h"
#include "testing/error_code.h"
#include "testing/temp_dir.h"

namespace sluice::s3 {
namespace {

using nlohmann::json;

json s3Examples() {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) +
                   "/../shared/conformance/sigv4/s3-examples.json");
  return json::parse(in);
}

std::string signedBody(const json& example) {
  std::string body;
  for (const auto& chunk : example["chunk_signatures"]) {
    size_t size = chunk["size"];
    char hex[32];
    std::snprintf(hex, sizeof hex, "%zx", size);
    body += std::string(hex) + ";chunk-signature=" + chunk["signature"].get<std::string>() +
            "\r\n" + std::string(size, 'a') + "\r\n";
  }
  return body;
}

// The signing of the S3 API Reference's streaming example (its key, date, scope, seed).
ChunkSigning exampleSigning() {
  const json doc = s3Examples();
  const json& s = doc["sigv4"];
  const std::string date = s["timestamp"].get<std::string>().substr(0, 8);
  return {signingKey(s["secret_key"], date, s["region"], s["service"]), s["timestamp"],
          credentialScope(date, s["region"], s["service"]),
          doc["sigv4_streaming_aws_chunked"]["seed_signature"]};
}

TEST(AwsChunked, SignedChunksFromTheS3Example) {
  const json c = s3Examples()["sigv4_streaming_aws_chunked"];
  const ChunkSigning signing = exampleSigning();
  std::string body = signedBody(c);
  auto decoded = decodeAwsChunked(body, &signing);
  EXPECT_EQ(decoded.data, std::string(66560, 'a'));
  EXPECT_EQ(body.size(), 66824u);  // the example's Content-Length

  std::string tampered = body;
  tampered[tampered.find("\r\n") + 2 + 100] = 'b';  // data of the first chunk changed
  EXPECT_THROW(decodeAwsChunked(tampered, &signing), Error);
  EXPECT_THROW(decodeAwsChunked(body.substr(0, 1000), &signing), Error);  // cut short
}

TEST(AwsChunked, SignedTrailersChainFromTheFinalChunk) {
  const json c = s3Examples()["sigv4_streaming_aws_chunked"];
  const ChunkSigning signing = exampleSigning();
  // The example's chunks, then a trailer. The signature was computed with Python's hmac
  // from the string to sign of the S3 API Reference (AWS4-HMAC-SHA256-TRAILER, the date,
  // the scope, the final chunk's signature, the SHA-256 of "x-amz-checksum-crc32c:sOO8/Q==\n").
  const std::string signature = "838d1eeafd0ec086f3e98ef47cfb73e3cf6fea3c489e22a61089fa643e8b4b61";
  std::string chunks = signedBody(c);
  chunks.resize(chunks.size() - 2);  // the trailers follow the final chunk's line
  auto body = [&](const std::string& checksum, const std::string& sig) {
    return chunks + "x-amz-checksum-crc32c:" + checksum + "\r\n" +
           (sig.empty() ? "" : "x-amz-trailer-signature:" + sig + "\r\n") + "\r\n";
  };
  auto decoded = decodeAwsChunked(body("sOO8/Q==", signature), &signing);
  EXPECT_EQ(decoded.data, std::string(66560, 'a'));
  ASSERT_EQ(decoded.trailers.size(), 1u);  // the signature is not a trailer of the object
  EXPECT_EQ(decoded.trailers[0],
            (std::pair<std::string, std::string>("x-amz-checksum-crc32c", "sOO8/Q==")));
  EXPECT_EQ(testing::errorCodeOf([&] { decodeAwsChunked(body("AAAAAA==", signature), &signing); }),
            "SignatureDoesNotMatch");
  EXPECT_EQ(testing::errorCodeOf([&] { decodeAwsChunked(body("sOO8/Q==", ""), &signing); }),
            "InvalidRequest");
}

TEST(AwsChunked, UnsignedChunksWithTrailer) {
  std::string body = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  auto decoded = decodeAwsChunked(body, nullptr);
  EXPECT_EQ(decoded.data, "hello world");
  ASSERT_EQ(decoded.trailers.size(), 1u);
  EXPECT_EQ(decoded.trailers[0].first, "x-amz-checksum-crc32");
  EXPECT_EQ(decoded.trailers[0].second, "DUoRhQ==");
  EXPECT_THROW(decodeAwsChunked("zz\r\n", nullptr), Error);
}

// The server accepts such a body (as the JS SDK sends even over plain HTTP).
TEST(AwsChunked, ServerStoresTheDecodedObject) {
  testing::TempDir dir;
  lake::LocalObjectStore lake(dir / "lake");
  lake.createBucket("raw");
  S3Server server(lake, {"AKIDCHUNK", "chunk-secret"}, dir / "multipart");
  const int port = server.bind("127.0.0.1", 0);
  std::thread serving([&] { server.serve(); });

  const std::string body =
      "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  const core::TimeNs now = core::SystemClock::instance().now();
  time_t secs = static_cast<time_t>(now / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char amz[32];
  std::strftime(amz, sizeof amz, "%Y%m%dT%H%M%SZ", &tm);
  const std::string date = std::string(amz).substr(0, 8);
  const std::string host = "127.0.0.1:" + std::to_string(port);
  CanonicalRequestInput in;
  in.method = "PUT";
  in.path = "/raw/chunked.txt";
  in.headers = {{"host", host},
                {"content-encoding", "aws-chunked"},
                {"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
                {"x-amz-date", amz},
                {"x-amz-decoded-content-length", "11"},
                {"x-amz-trailer", "x-amz-checksum-crc32"}};
  for (const auto& [k, v] : in.headers) in.signed_headers.push_back(k);
  in.payload_hash = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  const std::string sig =
      signatureHex("chunk-secret", amz, "us-east-1", "s3", canonicalRequest(in));
  httplib::Headers headers;
  for (const auto& [k, v] : in.headers)
    if (k != "host") headers.emplace(k, v);
  headers.emplace("Authorization",
                  "AWS4-HMAC-SHA256 Credential=AKIDCHUNK/" + date +
                      "/us-east-1/s3/aws4_request, SignedHeaders=content-encoding;host;"
                      "x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
                      "x-amz-trailer, Signature=" +
                      sig);
  httplib::Client client("127.0.0.1", port);
  auto res = client.Put("/raw/chunked.txt", headers, body, "text/plain");
  server.stop();
  serving.join();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(lake.get("raw", "chunked.txt"), "hello world");
  EXPECT_EQ(lake.head("raw", "chunked.txt").headers.at("x-amz-checksum-crc32"), "DUoRhQ==");
}

}  // namespace
}  // namespace sluice::s3

#include "s3/checksums.h"

namespace sluice::s3 {
namespace {

TEST(Checksums, KnownValuesOfHelloWorld) {
  EXPECT_EQ(*checksumFor("x-amz-checksum-crc32", "hello world"), "DUoRhQ==");
  EXPECT_EQ(*checksumFor("x-amz-checksum-crc32c", "hello world"), "yZRlqg==");
  EXPECT_EQ(*checksumFor("x-amz-checksum-sha1", "hello world"), "Kq5sNclPz7QV2+lfQIuc6R7oRu0=");
  EXPECT_EQ(*checksumFor("x-amz-checksum-sha256", "hello world"),
            "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
  EXPECT_FALSE(checksumFor("x-amz-checksum-unknown", "x").has_value());
  // In pieces, as a streamed body is checked: the same values.
  for (const char* name : {"x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-sha1",
                           "x-amz-checksum-sha256"}) {
    auto pieces = Checksum::forHeader(name);
    pieces->update("hello");
    pieces->update("");
    pieces->update(" world");
    EXPECT_EQ(pieces->base64(), *checksumFor(name, "hello world")) << name;
  }
  EXPECT_THROW(verifyChecksum("x-amz-checksum-crc32", "AAAAAA==", "hello world"), Error);
  EXPECT_NO_THROW(verifyChecksum("x-amz-checksum-crc32", "DUoRhQ==", "hello world"));
}

}  // namespace
}  // namespace sluice::s3
