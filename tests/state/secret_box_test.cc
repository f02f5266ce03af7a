#include "state/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/error.h"
#include "testing/temp_dir.h"

namespace sluice::state {
namespace {

TEST(SecretBox, SealsAndOpens) {
  SecretBox box(std::string(32, 'k'));
  std::string sealed = box.seal("secret value");
  EXPECT_EQ(sealed.find("secret value"), std::string::npos);
  EXPECT_EQ(box.open(sealed), "secret value");
  EXPECT_NE(box.seal("secret value"), sealed);  // fresh nonce every time
}

TEST(SecretBox, DetectsTamperingAndWrongKeys) {
  SecretBox box(std::string(32, 'k'));
  std::string sealed = box.seal("secret value");
  sealed[14] ^= 1;
  EXPECT_THROW(box.open(sealed), Error);
  EXPECT_THROW(SecretBox(std::string(32, 'x')).open(box.seal("v")), Error);
}

TEST(SecretBox, KeyFileIsCreatedPrivateAndReused) {
  testing::TempDir dir;
  ::unsetenv("SLUICE_MASTER_KEY");
  auto a = SecretBox::fromEnvironmentOrKeyFile(dir / "master.key");
  struct stat st;
  ASSERT_EQ(::stat((dir / "master.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto b = SecretBox::fromEnvironmentOrKeyFile(dir / "master.key");
  EXPECT_EQ(b.open(a.seal("x")), "x");
}

}  // namespace
}  // namespace sluice::state
