// What the remote-S3 lake adds to the ObjectStore behaviour every store shares (that is
// tests/lake/object_store_test.cc, which runs against this store too): multipart
// uploads for large objects, block-wise reads, retries, and lake URLs.
#include "s3/remote_store.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/error.h"
#include "core/hash.h"
#include "testing/error_code.h"
#include "testing/loopback_s3.h"
#include "testing/temp_dir.h"

namespace sluice::s3 {
namespace {

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 977) % 26);
  return s;
}

TEST(RemoteObjectStore, LargeObjectsGoUpInPartsAndComeBackInBlocks) {
  testing::TempDir dir;
  testing::LoopbackS3 loopback(dir.path());
  RemoteObjectStore store(loopback.clientConfig(), 5 << 20);
  store.createBucket("big");
  const std::string data = pattern((12 << 20) + 12345);  // three parts, the last one short
  auto writer = store.openWriter("big", "blob.bin", {});
  for (size_t at = 0; at < data.size(); at += 1 << 20)
    writer->write(std::string_view(data).substr(at, 1 << 20));
  EXPECT_TRUE(loopback.backing().list("big", {}).objects.empty()) << "visible before commit";
  auto info = writer->commit();
  EXPECT_EQ(info.size, data.size());
  EXPECT_TRUE(info.etag.size() > 2 && info.etag.substr(info.etag.size() - 2) == "-3") << info.etag;

  // The object the server holds is the one sent, whole.
  EXPECT_EQ(core::md5Hex(loopback.backing().get("big", "blob.bin")), core::md5Hex(data));
  // Read back through 5 MiB blocks, and a range that spans a block boundary.
  EXPECT_EQ(core::md5Hex(store.get("big", "blob.bin")), core::md5Hex(data));
  const uint64_t from = (5 << 20) - 10, to = (10 << 20) + 10;
  EXPECT_EQ(store.get("big", "blob.bin", lake::ByteRange{from, to}),
            data.substr(from, to - from + 1));
  EXPECT_EQ(store.get("big", "blob.bin", lake::ByteRange{std::nullopt, std::nullopt, 100}),
            data.substr(data.size() - 100));
}

TEST(RemoteObjectStore, AnAbandonedWriterPublishesNothingAndLeavesNoUpload) {
  testing::TempDir dir;
  testing::LoopbackS3 loopback(dir.path());
  RemoteObjectStore store(loopback.clientConfig(), 5 << 20);
  store.createBucket("bkt");
  {
    auto writer = store.openWriter("bkt", "half", {});
    writer->write(pattern(6 << 20));  // one part uploaded
  }
  EXPECT_EQ(testing::errorCodeOf([&] { store.head("bkt", "half"); }), "NoSuchKey");
  EXPECT_TRUE(std::filesystem::is_empty(dir / "served-multipart"));
}

TEST(RemoteObjectStore, AReadFailsRatherThanMixTwoVersions) {
  testing::TempDir dir;
  testing::LoopbackS3 loopback(dir.path());
  RemoteObjectStore store(loopback.clientConfig(), 5 << 20);
  store.createBucket("bkt");
  store.put("bkt", "k", pattern(11 << 20));
  auto reader = store.openReader("bkt", "k", std::nullopt);
  std::string first(5 << 20, '\0');
  ASSERT_EQ(reader->read(first.data(), first.size()), first.size());
  loopback.backing().put("bkt", "k", "replaced meanwhile");
  std::string more(1024, '\0');
  EXPECT_EQ(testing::errorCodeOf([&] { reader->read(more.data(), more.size()); }),
            "PreconditionFailed");
}

TEST(RemoteObjectStore, WrongCredentialsAreRefusedWithS3sCode) {
  testing::TempDir dir;
  testing::LoopbackS3 loopback(dir.path());
  ClientConfig config = loopback.clientConfig();
  config.credentials.secret_access_key = "not-the-secret";
  RemoteObjectStore store(config);
  EXPECT_EQ(testing::errorCodeOf([&] { store.listBuckets(); }), "SignatureDoesNotMatch");
}

TEST(RemoteObjectStore, RetriesSlowDownAndServerErrorsThenSucceeds) {
  httplib::Server flaky;
  std::atomic<int> calls{0};
  flaky.Get(".*", [&](const httplib::Request&, httplib::Response& res) {
    int n = ++calls;
    if (n == 1) {
      res.status = 503;
      res.set_content("<Error><Code>SlowDown</Code><Message>slow down</Message></Error>",
                      "application/xml");
    } else if (n == 2) {
      res.status = 500;
    } else {
      res.set_content(
          "<ListAllMyBucketsResult><Buckets><Bucket><Name>x</Name><CreationDate>2026-01-02T03:04:"
          "05.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>",
          "application/xml");
    }
  });
  int port = flaky.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { flaky.listen_after_bind(); });
  ClientConfig config;
  config.endpoint = "http://127.0.0.1:" + std::to_string(port);
  config.credentials = {"AKID", "secret"};
  config.base_backoff_ms = 1;
  {
    RemoteObjectStore store(config);
    auto buckets = store.listBuckets();
    ASSERT_EQ(buckets.size(), 1u);
    EXPECT_EQ(buckets[0].name, "x");
    EXPECT_EQ(calls.load(), 3);

    // With fewer attempts allowed than failures, the last error is reported.
    calls = 0;
    config.max_attempts = 1;
    RemoteObjectStore impatient(config);
    EXPECT_EQ(testing::errorCodeOf([&] { impatient.listBuckets(); }), "SlowDown");
  }  // the clients close their kept-alive connections before the server stops
  flaky.stop();
  serving.join();
}

TEST(LakeUrl, NamesEndpointRegionAndAddressing) {
  ::setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
  ::unsetenv("AWS_ENDPOINT_URL");
  ::unsetenv("AWS_ENDPOINT_URL_S3");
  auto c = clientConfigFromUrl(
      "s3://?endpoint=http://127.0.0.1:9000&region=eu-west-2&addressing=virtual");
  EXPECT_EQ(c.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c.region, "eu-west-2");
  EXPECT_FALSE(c.path_style);
  EXPECT_EQ(c.credentials.access_key_id, "AKID");

  EXPECT_EQ(testing::errorCodeOf([] { clientConfigFromUrl("s3://"); }), "InvalidArgument");
  EXPECT_EQ(testing::errorCodeOf([] { clientConfigFromUrl("s3://?endpoint=x&colour=red"); }),
            "InvalidArgument");
  ::setenv("AWS_ENDPOINT_URL", "http://localhost:9999", 1);
  EXPECT_EQ(clientConfigFromUrl("s3://").endpoint, "http://localhost:9999");
  ::unsetenv("AWS_ENDPOINT_URL");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  try {
    clientConfigFromUrl("s3://?endpoint=http://h:1");
    FAIL() << "no secret, yet accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::s3
