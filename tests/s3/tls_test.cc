// `sluice up --tls-cert --tls-key`: the S3 API over HTTPS, with a self-signed certificate
// the clients are told to trust, as a team would run it inside its network.
#include <gtest/gtest.h>

#include "core/hash.h"
#include "testing/sluice_up.h"
#include "testing/temp_dir.h"

namespace sluice {
namespace {

using testing::shell;

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = shell(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
        (dir_ / "key.pem") + " -out " + (dir_ / "cert.pem"));
    if (made.code != 0) GTEST_SKIP() << "cannot make a certificate: " << made.out;
  }
  testing::TempDir dir_;
};

TEST_F(Tls, TheAwsCliAndCurlTalkHttpsToTheS3Api) {
  testing::SluiceUp up(dir_ / "data", "",
                       {"--tls-cert", dir_ / "cert.pem", "--tls-key", dir_ / "key.pem"});
  ASSERT_TRUE(up.ok()) << up.readyLine();
  ASSERT_EQ(up.endpoint().rfind("https://127.0.0.1:", 0), 0u) << up.readyLine();

  const std::string trust = " --ca-bundle " + (dir_ / "cert.pem");
  auto mb = up.aws("s3 mb s3://secure" + trust);
  ASSERT_EQ(mb.code, 0) << mb.out;
  testing::writeFile(dir_ / "hello.txt", "over TLS\n");
  auto cp = up.aws("s3 cp " + (dir_ / "hello.txt") + " s3://secure/hello.txt" + trust);
  ASSERT_EQ(cp.code, 0) << cp.out;
  auto back = up.aws("s3 cp s3://secure/hello.txt -" + trust);
  EXPECT_EQ(back.out, "over TLS\n");

  // Over HTTPS the AWS CLI sends parts aws-chunked, their CRC32 in a trailer: parts of
  // 16 MiB stream into their staging files, checked as they come.
  std::string big(48 * 1024 * 1024, 't');  // three whole parts
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
  testing::writeFile(dir_ / "big.bin", big);
  testing::writeFile(dir_ / "aws.config", "[default]\ns3 =\n  multipart_chunksize = 16MB\n");
  const int64_t before = up.peakMemoryKiB();
  auto parts = shell("AWS_CONFIG_FILE=" + (dir_ / "aws.config") + " " +
                     testing::SluiceUp::credentialsEnv() + " aws --endpoint-url " + up.endpoint() +
                     trust + " s3 cp " + (dir_ / "big.bin") + " s3://secure/big.bin");
  ASSERT_EQ(parts.code, 0) << parts.out;
  // PutObject sends one aws-chunked body; its CRC32 trailer is checked and stored.
  auto put =
      up.aws("s3api put-object --bucket secure --key one.bin --body " + (dir_ / "big.bin") + trust);
  ASSERT_EQ(put.code, 0) << put.out;
  EXPECT_LT(up.peakMemoryKiB() - before, 24 * 1024) << "peak grew from " << before << " KiB";
  auto head =
      up.aws("s3api head-object --bucket secure --key one.bin --checksum-mode ENABLED" + trust);
  EXPECT_NE(head.out.find("\"ChecksumCRC32\""), std::string::npos) << head.out;
  EXPECT_NE(head.out.find(core::md5Hex(big)), std::string::npos) << head.out;
  ASSERT_EQ(up.aws("s3 cp s3://secure/big.bin " + (dir_ / "down.bin") + trust).code, 0);
  EXPECT_EQ(core::md5Hex(testing::readFile(dir_ / "down.bin")), core::md5Hex(big));

  // A client that does not trust the certificate is refused by its own TLS check.
  auto untrusted = up.aws("s3 ls s3://secure");
  EXPECT_NE(untrusted.code, 0);
  EXPECT_NE(untrusted.out.find("SSL"), std::string::npos) << untrusted.out;
  // Plain HTTP to the HTTPS port gets no S3 answer.
  std::string plain = up.endpoint();
  plain.replace(0, 5, "http");
  auto http = shell("curl -s -m 5 -o /dev/null -w '%{http_code}' " + plain + "/secure/hello.txt");
  EXPECT_NE(http.out, "200");
}

TEST_F(Tls, AKeyThatDoesNotMatchIsRefusedAtStart) {
  ASSERT_EQ(shell("openssl genrsa -out " + (dir_ / "other.pem") + " 2048").code, 0);
  auto r = shell(std::string(SLUICE_BINARY) + " --data-dir " + (dir_ / "data") +
                 " up --s3-addr 127.0.0.1:0 --api-addr 127.0.0.1:0 --tls-cert " +
                 (dir_ / "cert.pem") + " --tls-key " + (dir_ / "other.pem"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("cannot serve HTTPS with certificate"), std::string::npos) << r.out;
  auto half = shell(std::string(SLUICE_BINARY) + " --data-dir " + (dir_ / "data") +
                    " up --tls-cert " + (dir_ / "cert.pem"));
  EXPECT_EQ(half.code, 2) << half.out;  // a certificate without its key is a usage error
}

}  // namespace
}  // namespace sluice
