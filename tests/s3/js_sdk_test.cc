// The AWS SDK for JavaScript v3 (installed by scripts/bootstrap into third_party/
// node-peers) against `sluice up`: buffer and streamed (aws-chunked with a CRC32 trailer)
// uploads, checksummed reads, listing, deletion.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "testing/sluice_up.h"
#include "testing/temp_dir.h"

namespace sluice {
namespace {

TEST(JsSdk, ClientS3PutsStreamsListsAndDeletes) {
  const std::string peers = std::string(SLUICE_SOURCE_DIR) + "/third_party/node-peers";
  if (!std::filesystem::exists(peers + "/node_modules/@aws-sdk/client-s3/package.json"))
    GTEST_SKIP() << "@aws-sdk/client-s3 is not installed (scripts/bootstrap installs it)";
  testing::TempDir dir;
  testing::SluiceUp up(dir / "data");
  ASSERT_TRUE(up.ok()) << up.readyLine();
  auto r = testing::shell(testing::SluiceUp::credentialsEnv() + " SLUICE_NODE_PEERS=" + peers +
                          " node --no-warnings " + SLUICE_SOURCE_DIR +
                          "/tests/s3/js/client_s3.mjs " + up.endpoint());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out,
            "buffer from a buffer\n"
            "stream 3145733 true crc32\n"
            "list buffer.txt,dir/stream ü.bin\n"
            "head NotFound\n");
}

}  // namespace
}  // namespace sluice
