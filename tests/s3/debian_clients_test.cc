// Debian's own S3 clients against `sluice up`: awscli 2 (/usr/bin/aws) and python3-boto3
// (/usr/bin/python3), beside the newer ones the other tests use.
#include <gtest/gtest.h>

#include <memory>

#include "core/hash.h"
#include "testing/sluice_up.h"
#include "testing/temp_dir.h"

namespace sluice {
namespace {

using testing::shell;

constexpr const char* kDebianAws = "/usr/bin/aws";

class DebianClients : public ::testing::Test {
 protected:
  void SetUp() override {
    if (shell(std::string("test -x ") + kDebianAws).code != 0)
      GTEST_SKIP() << "Debian's awscli is not installed (apt-get install awscli)";
    server_ = std::make_unique<testing::SluiceUp>(dir_ / "data");
    ASSERT_TRUE(server_->ok()) << server_->readyLine();
  }
  testing::ShellResult aws(const std::string& args) {
    return server_->aws(args, testing::SluiceUp::kSecret, kDebianAws);
  }
  testing::TempDir dir_;
  std::unique_ptr<testing::SluiceUp> server_;
};

TEST_F(DebianClients, AwsCli2HighLevelCommandsAndMultipart) {
  ASSERT_EQ(aws("s3 mb s3://deb").code, 0);
  // 20 MiB: above the CLI's 8 MiB threshold, so a multipart upload of three parts.
  std::string big(20 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 31 + i / 4099) & 0xff);
  testing::writeFile(dir_ / "big.bin", big);
  auto up = aws("s3 cp " + (dir_ / "big.bin") + " s3://deb/big/big.bin");
  ASSERT_EQ(up.code, 0) << up.out;
  auto head = aws("s3api head-object --bucket deb --key big/big.bin --query ETag --output text");
  EXPECT_NE(head.out.find("-3"), std::string::npos) << head.out;
  ASSERT_EQ(aws("s3 cp s3://deb/big/big.bin " + (dir_ / "back.bin")).code, 0);
  EXPECT_EQ(core::md5Hex(testing::readFile(dir_ / "back.bin")), core::md5Hex(big));
  ASSERT_EQ(aws("s3api get-object --bucket deb --key big/big.bin --range bytes=9000000-9000999 " +
                (dir_ / "range.bin"))
                .code,
            0);
  EXPECT_EQ(testing::readFile(dir_ / "range.bin"), big.substr(9000000, 1000));

  // sync, mv, rm, rb with keys that need encoding.
  testing::writeFile(dir_ / "tree/a b.txt", "a");
  testing::writeFile(dir_ / "tree/sub/c+d=e ü.txt", "c");
  ASSERT_EQ(aws("s3 sync " + (dir_ / "tree") + " s3://deb/tree").code, 0);
  auto ls = aws("s3 ls s3://deb/tree/ --recursive");
  EXPECT_NE(ls.out.find("tree/a b.txt"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("tree/sub/c+d=e ü.txt"), std::string::npos) << ls.out;
  EXPECT_EQ(aws("s3 sync " + (dir_ / "tree") + " s3://deb/tree").out, "") << "nothing changed";
  ASSERT_EQ(aws("s3 mv 's3://deb/tree/a b.txt' 's3://deb/moved/a b.txt'").code, 0);
  EXPECT_EQ(aws("s3 cp 's3://deb/moved/a b.txt' -").out, "a");
  EXPECT_NE(aws("s3 ls 's3://deb/tree/a b.txt'").code, 0);
  ASSERT_EQ(aws("s3 rm s3://deb/tree --recursive").code, 0);
  ASSERT_EQ(aws("s3 rb s3://deb --force").code, 0);
  EXPECT_EQ(aws("s3 ls").out.find("deb"), std::string::npos);
}

TEST_F(DebianClients, Boto3PutGetAndPresignedUrls) {
  if (shell("/usr/bin/python3 -c 'import boto3'").code != 0)
    GTEST_SKIP() << "python3-boto3 is not installed";
  testing::writeFile(dir_ / "client.py", R"py(
import sys, boto3, urllib.request
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], config=Config(s3={"addressing_style": "path"}))
s3.create_bucket(Bucket="pyb")
s3.put_object(Bucket="pyb", Key="k ü.json", Body=b'{"a": 1}', ContentType="application/json",
              Metadata={"owner": "team"})
got = s3.get_object(Bucket="pyb", Key="k ü.json")
print(got["Body"].read().decode(), got["ContentType"], got["Metadata"]["owner"])
url = s3.generate_presigned_url("get_object", Params={"Bucket": "pyb", "Key": "k ü.json"}, ExpiresIn=60)
print(urllib.request.urlopen(url).read().decode())
try:
    s3.get_object(Bucket="pyb", Key="missing")
except s3.exceptions.NoSuchKey:
    print("NoSuchKey")
)py");
  auto r = shell(testing::SluiceUp::credentialsEnv() + " /usr/bin/python3 " + (dir_ / "client.py") +
                 " " + server_->endpoint());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, "{\"a\": 1} application/json team\n{\"a\": 1}\nNoSuchKey\n");
}

}  // namespace
}  // namespace sluice
