// `sluice up` serving the lake over S3, driven by the AWS CLI (as users drive it).
#include "s3/server.h"

#include <gtest/gtest.h>

#include <memory>
#include <regex>

#include "core/hash.h"
#include "s3/body_checks.h"
#include "s3/checksums.h"
#include "testing/sluice_up.h"
#include "testing/temp_dir.h"

namespace sluice {
namespace {

using testing::shell;

class S3ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (shell("command -v aws").code != 0) GTEST_SKIP() << "the AWS CLI is not installed";
    server_ = std::make_unique<testing::SluiceUp>(dir_ / "data");
    ASSERT_TRUE(server_->ok()) << server_->readyLine();
    ready_line_ = server_->readyLine();
    endpoint_ = server_->endpoint();
  }
  testing::ShellResult aws(const std::string& args,
                           const std::string& secret = testing::SluiceUp::kSecret) {
    return server_->aws(args, secret);
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::SluiceUp> server_;
  std::string endpoint_, ready_line_;
};

TEST_F(S3ServerTest, AwsCliRoundTrip) {
  EXPECT_EQ(ready_line_.find("test-secret"), std::string::npos);
  ASSERT_EQ(aws("s3 mb s3://raw").code, 0);
  std::string body(3 * 1024 * 1024 + 17, 'x');
  for (size_t i = 0; i < body.size(); i += 4093) body[i] = static_cast<char>('a' + i % 26);
  testing::writeFile(dir_ / "in.bin", body);
  ASSERT_EQ(aws("s3 cp " + (dir_ / "in.bin") + " 's3://raw/dir/a b+c=d ü.bin'").code, 0);
  auto ls = aws("s3 ls s3://raw --recursive");
  EXPECT_NE(ls.out.find("dir/a b+c=d ü.bin"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find(std::to_string(body.size())), std::string::npos) << ls.out;
  ASSERT_EQ(aws("s3 cp 's3://raw/dir/a b+c=d ü.bin' " + (dir_ / "out.bin")).code, 0);
  EXPECT_EQ(core::md5Hex(testing::readFile(dir_ / "out.bin")), core::md5Hex(body));

  // The same object is in the lake, for every other part of sluice.
  auto lake = shell(std::string(SLUICE_BINARY) + " --data-dir " + (dir_ / "data") +
                    " lake ls raw --recursive");
  EXPECT_NE(lake.out.find("dir/a b+c=d ü.bin"), std::string::npos) << lake.out;

  auto head = aws("s3api head-object --bucket raw --key 'dir/a b+c=d ü.bin'");
  EXPECT_NE(head.out.find(core::md5Hex(body)), std::string::npos) << head.out;
  auto range = aws("s3api get-object --bucket raw --key 'dir/a b+c=d ü.bin' --range bytes=0-9 " +
                   (dir_ / "r.bin"));
  EXPECT_EQ(range.code, 0) << range.out;
  EXPECT_EQ(testing::readFile(dir_ / "r.bin"), body.substr(0, 10));

  EXPECT_EQ(aws("s3 rm 's3://raw/dir/a b+c=d ü.bin'").code, 0);
  EXPECT_EQ(aws("s3 rb s3://raw").code, 0);
}

// Header values are signed as they are sent: a literal "%41" in metadata must reach the
// signature check (and the stored object) as "%41", not as "A"; a copy source is
// percent-encoded by the client and decoded once by sluice.
TEST_F(S3ServerTest, SignedHeaderValuesKeepTheirPercentSigns) {
  ASSERT_EQ(aws("s3 mb s3://raw").code, 0);
  testing::writeFile(dir_ / "in.txt", "fifty percent");
  auto put = aws("s3api put-object --bucket raw --key 'sale/50% off+more.txt' --body " +
                 (dir_ / "in.txt") + " --metadata 'note=100%41 sure'");
  ASSERT_EQ(put.code, 0) << put.out;
  auto head = aws("s3api head-object --bucket raw --key 'sale/50% off+more.txt'");
  EXPECT_NE(head.out.find("\"note\": \"100%41 sure\""), std::string::npos) << head.out;
  auto copy = aws("s3 cp 's3://raw/sale/50% off+more.txt' 's3://raw/copy/50%25 = half.txt'");
  ASSERT_EQ(copy.code, 0) << copy.out;
  EXPECT_EQ(aws("s3 cp 's3://raw/copy/50%25 = half.txt' -").out, "fifty percent");
  auto copied = aws("s3api head-object --bucket raw --key 'copy/50%25 = half.txt'");
  EXPECT_NE(copied.out.find("\"note\": \"100%41 sure\""), std::string::npos) << copied.out;
}

// Large objects stream both ways: a big PUT goes from the connection into the lake and a
// big GET from the lake to the connection, so the server's peak memory grows by far less
// than the object. What the client said about the body is still checked before the
// object becomes visible.
TEST_F(S3ServerTest, LargeUploadsAndDownloadsAreStreamed) {
  ASSERT_EQ(aws("s3 mb s3://big").code, 0);
  std::string body(96 * 1024 * 1024, 'b');
  for (size_t i = 0; i < body.size(); i += 4096) body[i] = static_cast<char>('a' + (i / 4096) % 26);
  testing::writeFile(dir_ / "big.bin", body);
  const int64_t before = server_->peakMemoryKiB();
  ASSERT_GT(before, 0);
  // curl signs the request itself (SigV4), with the payload hash it is given.
  auto put = [&](const std::string& key, const std::string& headers) {
    return shell("curl -s -w ' %{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 --user " +
                 std::string(testing::SluiceUp::kAccessKey) + ":" + testing::SluiceUp::kSecret +
                 " " + headers + " -T " + (dir_ / "big.bin") + " " + endpoint_ + "/big/" + key)
        .out;
  };
  EXPECT_EQ(put("unsigned.bin", "-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD'"), " 200");
  const std::string sha = core::sha256Hex(body);
  EXPECT_EQ(put("signed.bin", "-H 'x-amz-content-sha256: " + sha + "'"), " 200");
  const std::string other_sha = core::sha256Hex("something else");
  EXPECT_NE(put("tampered.bin", "-H 'x-amz-content-sha256: " + other_sha + "'")
                .find("<Code>XAmzContentSHA256Mismatch</Code>"),
            std::string::npos);
  EXPECT_NE(put("bad-md5.bin", "-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -H 'Content-MD5: " +
                                   core::base64Encode(std::string(16, 'x')) + "'")
                .find("<Code>BadDigest</Code>"),
            std::string::npos);
  // A checksum header is computed as the body streams, then stored and returned.
  const std::string crc = *s3::checksumFor("x-amz-checksum-crc32", body);
  EXPECT_EQ(
      put("crc.bin",
          "-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -H 'x-amz-checksum-crc32: " + crc + "'"),
      " 200");
  EXPECT_NE(put("bad-crc.bin",
                "-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "
                "-H 'x-amz-checksum-crc32: AAAAAA=='")
                .find("<Code>BadDigest</Code>"),
            std::string::npos);
  EXPECT_NE(
      aws("s3api head-object --bucket big --key crc.bin --checksum-mode ENABLED").out.find(crc),
      std::string::npos);
  // The AWS CLI's own PutObject over HTTP (body SHA-256 and a CRC32 header) streams too.
  auto cli = aws("s3api put-object --bucket big --key cli.bin --body " + (dir_ / "big.bin"));
  EXPECT_EQ(cli.code, 0) << cli.out;
  // A multipart upload in 32 MiB parts: each part streams into its staging file.
  testing::writeFile(dir_ / "aws.config", "[default]\ns3 =\n  multipart_chunksize = 32MB\n");
  auto parts = shell("AWS_CONFIG_FILE=" + (dir_ / "aws.config") + " " +
                     testing::SluiceUp::credentialsEnv() + " aws --endpoint-url " + endpoint_ +
                     " s3 cp " + (dir_ / "big.bin") + " s3://big/parts.bin");
  EXPECT_EQ(parts.code, 0) << parts.out;
  EXPECT_NE(aws("s3api head-object --bucket big --key parts.bin").out.find("-3\\\""),
            std::string::npos);  // the multipart ETag of 3 parts
  // A copy inside the lake in 32 MiB parts: each UploadPartCopy streams its range.
  auto copied =
      shell("AWS_CONFIG_FILE=" + (dir_ / "aws.config") + " " + testing::SluiceUp::credentialsEnv() +
            " aws --endpoint-url " + endpoint_ + " s3 cp s3://big/parts.bin s3://big/copied.bin");
  EXPECT_EQ(copied.code, 0) << copied.out;
  const std::string listed = aws("s3 ls s3://big/").out;
  EXPECT_NE(listed.find("signed.bin"), std::string::npos) << listed;
  EXPECT_EQ(listed.find("tampered.bin"), std::string::npos) << listed;
  EXPECT_EQ(listed.find("bad-md5.bin"), std::string::npos) << listed;
  EXPECT_EQ(listed.find("bad-crc.bin"), std::string::npos) << listed;

  for (const std::string key : {"unsigned.bin", "cli.bin", "parts.bin", "copied.bin"}) {
    ASSERT_EQ(aws("s3 cp s3://big/" + key + " " + (dir_ / "down.bin")).code, 0);
    EXPECT_EQ(core::md5Hex(testing::readFile(dir_ / "down.bin")), core::md5Hex(body)) << key;
  }
  EXPECT_LT(server_->peakMemoryKiB() - before, 32 * 1024) << "peak grew from " << before << " KiB";
}

TEST_F(S3ServerTest, MultipartUploadOf20MiB) {
  ASSERT_EQ(aws("s3 mb s3://big").code, 0);
  std::string body(20 * 1024 * 1024, '\0');
  for (size_t i = 0; i < body.size(); i++) body[i] = static_cast<char>((i * 2654435761u) >> 13);
  testing::writeFile(dir_ / "big.bin", body);
  // The CLI splits at 8 MiB: three parts, sent concurrently and not in order.
  auto up = aws("s3 cp " + (dir_ / "big.bin") + " s3://big/data/big.bin");
  ASSERT_EQ(up.code, 0) << up.out;
  auto head = aws("s3api head-object --bucket big --key data/big.bin");
  EXPECT_NE(head.out.find("-3\\\""), std::string::npos) << head.out;  // "md5-of-md5s-3"
  EXPECT_NE(head.out.find("\"ContentLength\": 20971520"), std::string::npos) << head.out;
  // Downloads over 8 MiB are ranged GETs.
  ASSERT_EQ(aws("s3 cp s3://big/data/big.bin " + (dir_ / "back.bin")).code, 0);
  EXPECT_EQ(core::md5Hex(testing::readFile(dir_ / "back.bin")), core::md5Hex(body));
  // Nothing is left of the upload once it completes.
  EXPECT_EQ(aws("s3api list-multipart-uploads --bucket big").out.find("UploadId"),
            std::string::npos);
}

TEST_F(S3ServerTest, MultipartChecksAndAbort) {
  ASSERT_EQ(aws("s3 mb s3://mpu").code, 0);
  auto created =
      aws("s3api create-multipart-upload --bucket mpu --key k --query UploadId --output text");
  ASSERT_EQ(created.code, 0) << created.out;
  std::string id = created.out.substr(0, created.out.find_first_of("\r\n"));
  testing::writeFile(dir_ / "p1", std::string(1024, 'a'));
  testing::writeFile(dir_ / "p2", std::string(1024, 'b'));
  auto p2 = aws("s3api upload-part --bucket mpu --key k --part-number 2 --upload-id " + id +
                " --body " + (dir_ / "p2"));
  auto p1 = aws("s3api upload-part --bucket mpu --key k --part-number 1 --upload-id " + id +
                " --body " + (dir_ / "p1"));
  ASSERT_EQ(p1.code, 0) << p1.out;
  const std::string e1 = core::md5Hex(std::string(1024, 'a')),
                    e2 = core::md5Hex(std::string(1024, 'b'));
  auto parts = aws("s3api list-parts --bucket mpu --key k --upload-id " + id);
  EXPECT_NE(parts.out.find(e1), std::string::npos) << parts.out;
  EXPECT_NE(parts.out.find(e2), std::string::npos) << parts.out;
  // A first part under 5 MiB is refused, as S3 does.
  testing::writeFile(dir_ / "parts.json", "{\"Parts\": [{\"PartNumber\": 1, \"ETag\": \"" + e1 +
                                              "\"}, {\"PartNumber\": 2, \"ETag\": \"" + e2 +
                                              "\"}]}");
  auto small = aws("s3api complete-multipart-upload --bucket mpu --key k --upload-id " + id +
                   " --multipart-upload file://" + (dir_ / "parts.json"));
  EXPECT_NE(small.out.find("EntityTooSmall"), std::string::npos) << small.out;
  EXPECT_EQ(aws("s3api abort-multipart-upload --bucket mpu --key k --upload-id " + id).code, 0);
  auto gone = aws("s3api list-parts --bucket mpu --key k --upload-id " + id);
  EXPECT_NE(gone.out.find("NoSuchUpload"), std::string::npos) << gone.out;
}

TEST_F(S3ServerTest, ErrorsCarryS3Codes) {
  auto wrong = aws("s3 ls", "not-the-secret");
  EXPECT_NE(wrong.code, 0);
  EXPECT_NE(wrong.out.find("SignatureDoesNotMatch"), std::string::npos) << wrong.out;
  auto missing = aws("s3api head-bucket --bucket nothere");
  EXPECT_NE(missing.out.find("404"), std::string::npos) << missing.out;
  aws("s3 mb s3://full");
  testing::writeFile(dir_ / "x", "x");
  aws("s3 cp " + (dir_ / "x") + " s3://full/x");
  auto not_empty = aws("s3api delete-bucket --bucket full");
  EXPECT_NE(not_empty.out.find("BucketNotEmpty"), std::string::npos) << not_empty.out;
  auto no_key = aws("s3api get-object --bucket full --key nope " + (dir_ / "y"));
  EXPECT_NE(no_key.out.find("NoSuchKey"), std::string::npos) << no_key.out;
  // Refused by the HTTP layer before the body is read, still in S3's words.
  auto too_large = shell("curl -s -w ' %{http_code}' -X PUT -H 'Content-Length: 6000000000' " +
                         endpoint_ + "/full/huge");
  EXPECT_NE(too_large.out.find("<Code>EntityTooLarge</Code>"), std::string::npos) << too_large.out;
  EXPECT_NE(too_large.out.find(" 400"), std::string::npos) << too_large.out;
}

TEST_F(S3ServerTest, PresignedUrlsWithSigV2AndSigV4) {
  if (shell("python3 -c 'import boto3'").code != 0) GTEST_SKIP() << "boto3 is not installed";
  ASSERT_EQ(aws("s3 mb s3://share").code, 0);
  testing::writeFile(dir_ / "doc.txt", "shared document");
  ASSERT_EQ(aws("s3 cp " + (dir_ / "doc.txt") + " 's3://share/docs/a b.txt'").code, 0);
  // boto3 presigns with SigV2 by default in us-east-1, SigV4 when asked.
  testing::writeFile(dir_ / "presign.py", R"py(
import sys, boto3
from botocore.config import Config
endpoint, version, method, key, expires = sys.argv[1:6]
cfg = Config(signature_version='s3v4') if version == 'v4' else Config()
s3 = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1', config=cfg,
                  aws_access_key_id='AKIDSLUICETEST', aws_secret_access_key='test-secret-do-not-print')
print(s3.generate_presigned_url(method, Params={'Bucket': 'share', 'Key': key}, ExpiresIn=int(expires)))
)py");
  auto presign = [&](const std::string& version, const std::string& method, const std::string& key,
                     int expires) {
    auto r = shell("python3 " + (dir_ / "presign.py") + " " + endpoint_ + " " + version + " " +
                   method + " '" + key + "' " + std::to_string(expires));
    std::string url = r.out;
    while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
    return url;
  };
  for (std::string v : {"v2", "v4"}) {
    std::string get = presign(v, "get_object", "docs/a b.txt", 60);
    EXPECT_EQ(shell("curl -s '" + get + "'").out, "shared document") << v << " " << get;
    std::string put = presign(v, "put_object", "docs/up-" + v + ".txt", 60);
    EXPECT_EQ(
        shell(
            "curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type:' --data-binary 'via " +
            v + "' '" + put + "'")
            .out,
        "200")
        << v;
    EXPECT_EQ(shell("curl -s '" + presign(v, "get_object", "docs/up-" + v + ".txt", 60) + "'").out,
              "via " + v);
    std::string tampered = get;
    char& first = tampered[tampered.find("Signature=") + 10];
    first = first == '0' ? '1' : '0';
    const std::string refused = shell("curl -s '" + tampered + "'").out;
    EXPECT_NE(refused.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos) << v;
    // What the server signed, for the caller to compare with their own (never the secret).
    EXPECT_NE(refused.find("<AWSAccessKeyId>AKIDSLUICETEST</AWSAccessKeyId>"), std::string::npos)
        << refused;
    EXPECT_NE(refused.find("<StringToSignBytes>"), std::string::npos) << refused;
    if (v == "v4") {
      EXPECT_NE(refused.find("<StringToSign>AWS4-HMAC-SHA256\n"), std::string::npos) << refused;
      EXPECT_NE(refused.find("<CanonicalRequest>GET\n/share/docs/a%20b.txt\n"), std::string::npos)
          << refused;
    } else {
      EXPECT_NE(refused.find("<StringToSign>GET\n\n\n"), std::string::npos) << refused;
    }
    EXPECT_EQ(refused.find(testing::SluiceUp::kSecret), std::string::npos);
  }
  // A 3 MB upload that waits for "100 Continue" before sending its body, as curl does.
  std::string body(3'000'000, 'e');
  testing::writeFile(dir_ / "expect.bin", body);
  auto expect = shell("curl -s -v -T " + (dir_ / "expect.bin") +
                      " -H 'Content-Type:' -H 'Expect: 100-continue' '" +
                      presign("v4", "put_object", "docs/expect.bin", 60) + "'");
  EXPECT_NE(expect.out.find("< HTTP/1.1 100 Continue"), std::string::npos) << expect.out;
  EXPECT_NE(expect.out.find("< HTTP/1.1 200 OK"), std::string::npos) << expect.out;
  EXPECT_EQ(core::md5Hex(
                shell("curl -s '" + presign("v4", "get_object", "docs/expect.bin", 60) + "'").out),
            core::md5Hex(body));

  std::string soon = presign("v4", "get_object", "docs/a b.txt", 1);
  ::sleep(2);
  EXPECT_NE(shell("curl -s '" + soon + "'")
                .out.find("<Code>AccessDenied</Code><Message>Request has expired"),
            std::string::npos);
}

TEST_F(S3ServerTest, BatchDeleteTaggingAndUnsupportedOperations) {
  ASSERT_EQ(aws("s3 mb s3://batch").code, 0);
  testing::writeFile(dir_ / "f", "f");
  for (std::string k : {"a", "b", "c"}) aws("s3 cp " + (dir_ / "f") + " s3://batch/" + k);
  auto del =
      aws("s3api delete-objects --bucket batch --delete '{\"Objects\": [{\"Key\": \"a\"}, "
          "{\"Key\": \"b\"}]}'");
  EXPECT_EQ(del.code, 0) << del.out;
  EXPECT_NE(del.out.find("\"Key\": \"a\""), std::string::npos) << del.out;
  auto ls = aws("s3 ls s3://batch");
  EXPECT_EQ(ls.out.find(" a\n"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find(" c\n"), std::string::npos) << ls.out;
  auto versions = aws("s3api list-object-versions --bucket batch");
  EXPECT_NE(versions.out.find("\"VersionId\": \"null\""), std::string::npos) << versions.out;
  EXPECT_NE(versions.out.find("\"IsLatest\": true"), std::string::npos) << versions.out;
  EXPECT_NE(aws("s3api get-object-tagging --bucket batch --key c").out.find("\"TagSet\": []"),
            std::string::npos);
  auto acl = aws("s3api get-bucket-acl --bucket batch");
  EXPECT_NE(acl.out.find("NotImplemented"), std::string::npos) << acl.out;
}

TEST_F(S3ServerTest, StopsCleanlyOnSigterm) {
  const int status = server_->stop();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(server_->nextLine(), "sluice: stopped\n");
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// UploadPartCopy: parts taken from ranges of an existing object (how clients copy objects
// over 5 GB), joined into a copy of it.
TEST_F(S3ServerTest, UploadPartCopyJoinsRangesOfAnObject) {
  ASSERT_EQ(aws("s3 mb s3://upc").code, 0);
  std::string data(6 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<char>('a' + (i * 13 + i / 7919) % 26);
  testing::writeFile(dir_ / "src.bin", data);
  ASSERT_EQ(aws("s3 cp " + (dir_ / "src.bin") + " 's3://upc/src dir/src.bin'").code, 0);
  auto id =
      aws("s3api create-multipart-upload --bucket upc --key joined.bin --query UploadId "
          "--output text");
  ASSERT_EQ(id.code, 0) << id.out;
  const std::string upload = id.out.substr(0, id.out.find_first_of("\r\n"));
  auto copyPart = [&](int n, const std::string& range) {
    auto r = aws("s3api upload-part-copy --bucket upc --key joined.bin --upload-id " + upload +
                 " --part-number " + std::to_string(n) + " --copy-source 'upc/src dir/src.bin' " +
                 "--copy-source-range " + range + " --query CopyPartResult.ETag --output text");
    EXPECT_EQ(r.code, 0) << r.out;
    return r.out.substr(0, r.out.find_first_of("\r\n"));
  };
  const std::string e1 = copyPart(1, "bytes=0-5242879");
  const std::string e2 = copyPart(2, "bytes=5242880-6291455");
  EXPECT_EQ(e1, "\"" + core::md5Hex(data.substr(0, 5 << 20)) + "\"");
  testing::writeFile(dir_ / "parts.json", "{\"Parts\": [{\"PartNumber\": 1, \"ETag\": " + e1 +
                                              "}, {\"PartNumber\": 2, \"ETag\": " + e2 + "}]}");
  auto done = aws("s3api complete-multipart-upload --bucket upc --key joined.bin --upload-id " +
                  upload + " --multipart-upload file://" + (dir_ / "parts.json"));
  ASSERT_EQ(done.code, 0) << done.out;
  ASSERT_EQ(aws("s3 cp s3://upc/joined.bin " + (dir_ / "joined.bin")).code, 0);
  EXPECT_EQ(core::md5Hex(testing::readFile(dir_ / "joined.bin")), core::md5Hex(data));
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST_F(S3ServerTest, UploadPartChecksumsAreVerifiedAndReturned) {
  ASSERT_EQ(aws("s3 mb s3://sums").code, 0);
  auto id =
      aws("s3api create-multipart-upload --bucket sums --key k --checksum-algorithm CRC32 "
          "--query UploadId --output text");
  ASSERT_EQ(id.code, 0) << id.out;
  const std::string upload = id.out.substr(0, id.out.find_first_of("\r\n"));
  testing::writeFile(dir_ / "part", "part one");
  auto good = aws("s3api upload-part --bucket sums --key k --part-number 1 --upload-id " + upload +
                  " --body " + (dir_ / "part") + " --checksum-algorithm CRC32");
  EXPECT_EQ(good.code, 0) << good.out;
  EXPECT_NE(good.out.find("\"ChecksumCRC32\""), std::string::npos) << good.out;
  // (One attempt: the CLI would retry a BadDigest a few times, with backoff.)
  auto bad =
      shell(testing::SluiceUp::credentialsEnv() + " AWS_MAX_ATTEMPTS=1 aws --endpoint-url " +
            endpoint_ + " s3api upload-part --bucket sums --key k --part-number 2 " +
            "--upload-id " + upload + " --body " + (dir_ / "part") + " --checksum-crc32 AAAAAA==");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.out.find("BadDigest"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace sluice

namespace sluice::s3 {
namespace {

// Which PUTs stream into the lake: large ones whose signature does not need the body.
TEST(StreamsBody, OnlyLargePlainPutsWhoseSignatureSparesTheBody) {
  auto put = [](const std::string& target, http::Headers headers) {
    http::Request r;
    r.method = "PUT";
    r.target = target;
    r.headers = std::move(headers);
    return r;
  };
  const std::string big = std::to_string(64 << 20), small = std::to_string(1 << 20);
  const std::string hex(64, 'a');
  EXPECT_TRUE(streamsBody(
      put("/b/k", {{"Content-Length", big}, {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}})));
  EXPECT_TRUE(streamsBody(put("/b/k", {{"Content-Length", big}, {"x-amz-content-sha256", hex}})));
  EXPECT_TRUE(streamsBody(put("/b/k?X-Amz-Signature=abc&X-Amz-Date=x", {{"Content-Length", big}})));
  EXPECT_FALSE(
      streamsBody(put("/b/k", {{"Content-Length", small}, {"x-amz-content-sha256", hex}})));
  EXPECT_FALSE(streamsBody(put("/b/k", {{"Content-Length", big}})));  // signed body hash unknown
  // aws-chunked: by the decoded length.
  const http::Headers chunked = {{"Transfer-Encoding", "chunked"},
                                 {"x-amz-decoded-content-length", big},
                                 {"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
                                 {"Content-Encoding", "aws-chunked"}};
  EXPECT_TRUE(streamsBody(put("/b/k", chunked)));
  EXPECT_TRUE(streamsBody(put("/b/k?partNumber=2&uploadId=u", chunked)));
  http::Headers small_chunked = chunked;
  small_chunked[1].second = small;
  EXPECT_FALSE(streamsBody(put("/b/k?partNumber=2&uploadId=u", small_chunked)));
  EXPECT_TRUE(streamsBody(put("/b/k", {{"Content-Length", big},
                                       {"x-amz-content-sha256", hex},
                                       {"x-amz-checksum-crc32", "AAAAAA=="}})));
  EXPECT_TRUE(streamsBody(put("/b/k?partNumber=1&uploadId=u",
                              {{"Content-Length", big}, {"x-amz-content-sha256", hex}})));
  http::Request get = put("/b/k", {{"Content-Length", big}, {"x-amz-content-sha256", hex}});
  get.method = "POST";
  EXPECT_FALSE(streamsBody(get));
}

}  // namespace
}  // namespace sluice::s3
