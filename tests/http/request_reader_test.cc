// The HTTP request reader on hand-written bytes, delivered in pieces of any size.
#include "http/request_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

namespace sluice::http {
namespace {

// Hands out `bytes` at most `piece` bytes per read, as a slow or bursty peer would.
class ScriptedStream : public Stream {
 public:
  ScriptedStream(std::string bytes, size_t piece) : bytes_(std::move(bytes)), piece_(piece) {}
  size_t read(char* data, size_t size) override {
    const size_t n = std::min({size, piece_, bytes_.size() - at_});
    std::memcpy(data, bytes_.data() + at_, n);
    at_ += n;
    return n;
  }
  bool write(std::initializer_list<std::string_view> parts) override {
    for (auto p : parts) written.append(p);
    return true;
  }
  std::string written;

 private:
  std::string bytes_;
  size_t piece_;
  size_t at_ = 0;
};

class RequestReaderTest : public ::testing::TestWithParam<size_t> {};

TEST_P(RequestReaderTest, HeaderValuesArriveExactlyAsSent) {
  ScriptedStream in(
      "PUT /b/k%20ey?x=1 HTTP/1.1\r\nHost: h\r\nx-amz-meta-note:  100%41 sure+ \r\n"
      "x-amz-copy-source: src/a%2Bb\r\nContent-Length: 5\r\n\r\nhello",
      GetParam());
  RequestReader reader(in, {});
  auto r = reader.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "PUT");
  EXPECT_EQ(r->target, "/b/k%20ey?x=1");
  EXPECT_EQ(r->header("X-AMZ-META-NOTE"), "100%41 sure+");  // trimmed, nothing decoded
  EXPECT_EQ(r->header("x-amz-copy-source"), "src/a%2Bb");
  EXPECT_EQ(r->body, "hello");
  EXPECT_FALSE(reader.next());  // the peer closed between requests
}

TEST_P(RequestReaderTest, PipelinedRequestsComeOutOneByOne) {
  ScriptedStream in(
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
      "PUT /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
      "\r\nHEAD /c HTTP/1.0\r\n\r\n",
      GetParam());
  RequestReader reader(in, {});
  EXPECT_EQ(reader.next()->target, "/a");
  auto put = reader.next();
  EXPECT_EQ(put->target, "/b");
  EXPECT_EQ(put->body, "abc");
  auto head = reader.next();
  EXPECT_EQ(head->method, "HEAD");
  EXPECT_EQ(head->minor_version, 0);
  EXPECT_FALSE(reader.next());
}

TEST_P(RequestReaderTest, ChunkedBodiesAreJoinedAndTrailersDropped) {
  ScriptedStream in(
      "PUT /b/k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n1A\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\n"
      "x-amz-checksum-crc32: AAAAAA==\r\n\r\n"
      "GET /next HTTP/1.1\r\n\r\n",
      GetParam());
  RequestReader reader(in, {});
  auto r = reader.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello abcdefghijklmnopqrstuvwxy");
  EXPECT_EQ(reader.next()->target, "/next");
}

TEST_P(RequestReaderTest, BeforeBodyRunsBetweenHeaderAndBody) {
  ScriptedStream in("PUT /b HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
                    GetParam());
  RequestReader reader(in, {});
  std::string seen;
  auto r = reader.next([&](const Request& header_only) {
    seen = header_only.header("Expect") + "|" + header_only.body;
  });
  EXPECT_EQ(seen, "100-continue|");
  EXPECT_EQ(r->body, "ok");
}

TEST_P(RequestReaderTest, AStreamedBodyIsReadByTheCallerThenTheNextRequestFollows) {
  ScriptedStream in(
      "PUT /big HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789"
      "PUT /small HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
      GetParam());
  RequestReader reader(in, {});
  auto stream_big = [](const Request& r) { return r.target == "/big"; };
  auto big = reader.next({}, stream_big);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->body, "");
  EXPECT_EQ(big->body_length, 10u);
  ASSERT_EQ(big->body_source, &reader.streamedBody());
  std::string got;
  char buf[4];
  for (size_t n; (n = big->body_source->read(buf, sizeof buf)) > 0;) got.append(buf, n);
  EXPECT_EQ(got, "0123456789");
  EXPECT_EQ(reader.streamedBodyLeft(), 0u);
  auto small = reader.next({}, stream_big);
  EXPECT_EQ(small->body, "abc");
  EXPECT_EQ(small->body_source, nullptr);
}

TEST_P(RequestReaderTest, AStreamedChunkedBodyIsDeChunkedAsItIsRead) {
  ScriptedStream in(
      "PUT /big HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nabcd\r\n6\r\nefghij\r\n0\r\nx-trailer: t\r\n\r\n"
      "GET /after HTTP/1.1\r\n\r\n",
      GetParam());
  RequestReader reader(in, {});
  auto big = reader.next({}, [](const Request& r) { return r.target == "/big"; });
  ASSERT_TRUE(big && big->body_source);
  EXPECT_EQ(reader.streamedBodyLeft(), UINT64_MAX);  // unknown until the last chunk
  std::string got;
  char buf[3];
  for (size_t n; (n = big->body_source->read(buf, sizeof buf)) > 0;) got.append(buf, n);
  EXPECT_EQ(got, "abcdefghij");
  EXPECT_EQ(reader.streamedBodyLeft(), 0u);
  EXPECT_EQ(reader.next()->target, "/after");
}

INSTANTIATE_TEST_SUITE_P(PieceSizes, RequestReaderTest, ::testing::Values(1, 7, 1 << 20));

int statusOf(const std::string& bytes, RequestLimits limits = {}) {
  ScriptedStream in(bytes, 1 << 20);
  RequestReader reader(in, limits);
  try {
    reader.next();
  } catch (const BadRequest& e) {
    return e.status;
  }
  return 0;
}

TEST(RequestReaderErrors, AStreamedBodyCutShortIsABadRequest) {
  ScriptedStream in("PUT /big HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123", 1 << 20);
  RequestReader reader(in, {});
  auto big = reader.next({}, [](const Request&) { return true; });
  char buf[16];
  EXPECT_EQ(big->body_source->read(buf, sizeof buf), 4u);
  try {
    big->body_source->read(buf, sizeof buf);
    FAIL() << "read past the end of the connection";
  } catch (const BadRequest& e) {
    EXPECT_EQ(e.status, 400);
    EXPECT_TRUE(e.cut_short);
  }
}

TEST(RequestReaderErrors, EachMalformedRequestGetsItsStatus) {
  EXPECT_EQ(statusOf("GET /\r\n\r\n"), 400);                       // no version
  EXPECT_EQ(statusOf("GET / HTTP/2.0\r\n\r\n"), 400);              // not HTTP/1.x
  EXPECT_EQ(statusOf("G(T / HTTP/1.1\r\n\r\n"), 400);              // method not a token
  EXPECT_EQ(statusOf("GET / HTTP/1.1\r\nno colon\r\n\r\n"), 400);  // field without a name
  EXPECT_EQ(statusOf("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(statusOf("PUT / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n"), 400);
  EXPECT_EQ(statusOf("PUT / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort"), 400);
  EXPECT_EQ(statusOf("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX"), 400);
  EXPECT_EQ(statusOf("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 400);
  EXPECT_EQ(statusOf("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n"),
            400);
  EXPECT_EQ(statusOf("PUT / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), 501);
  EXPECT_EQ(statusOf("GET / HTTP/1.1\r\nHost: h"), 400);  // ends inside the header
  EXPECT_EQ(statusOf("GET / HTTP/1.1\r\nX: " + std::string(70'000, 'a') + "\r\n\r\n"), 431);
  const RequestLimits small{.max_header_bytes = 1024, .max_body_bytes = 4};
  EXPECT_EQ(statusOf("PUT / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", small), 413);
  EXPECT_EQ(statusOf("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n",
                     small),
            413);
  EXPECT_EQ(statusOf("PUT / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", small), 0);
}

}  // namespace
}  // namespace sluice::http
