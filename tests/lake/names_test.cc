#include "lake/names.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "testing/error_code.h"

namespace sluice::lake {

static std::string codeOf(void (*fn)(const std::string&), const std::string& arg) {
  return testing::errorCodeOf([&] { fn(arg); });
}

TEST(Names, BucketRules) {
  for (const std::string& ok :
       std::vector<std::string>{"raw", "my-bucket.v2", "a1b", std::string(63, 'a')})
    EXPECT_EQ(codeOf(validateBucketName, ok), "ok") << ok;
  for (const std::string& bad : std::vector<std::string>{
           "ab", std::string(64, 'a'), "Upper", "under_score", "-start", "end-", "a..b",
           "192.168.5.4", "xn--abc", "name-s3alias", "x--ol-s3", ".tmp"})
    EXPECT_EQ(codeOf(validateBucketName, bad), "InvalidBucketName") << bad;
}

TEST(Names, KeyRules) {
  for (const std::string& ok :
       std::vector<std::string>{"a", "dir/file.json", "folder/", "with space+plus=eq",
                                "ünïcödé/ключ", std::string(1024, 'k').substr(0, 200) + "/x"})
    EXPECT_EQ(codeOf(validateKey, ok), "ok") << ok;
  EXPECT_EQ(codeOf(validateKey, std::string(1025, 'k')), "KeyTooLongError");
  EXPECT_EQ(codeOf(validateKey, std::string(300, 'k')), "KeyTooLongError");
  for (const std::string& bad :
       std::vector<std::string>{"", "../etc/passwd", "a/../../b", "./a", "/abs", "a//b", "a/./b",
                                std::string("nul\0byte", 8), "\xff\xfe", "\xc0\xaf"})
    EXPECT_EQ(codeOf(validateKey, bad), "InvalidKey") << bad;
}

TEST(Names, Utf8Validation) {
  EXPECT_TRUE(isValidUtf8("plain"));
  EXPECT_TRUE(isValidUtf8("\xe2\x82\xac"));      // euro sign
  EXPECT_TRUE(isValidUtf8("\xf0\x9f\x98\x80"));  // emoji
  EXPECT_FALSE(isValidUtf8("\xe2\x82"));         // truncated
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));     // surrogate
  EXPECT_FALSE(isValidUtf8("\xe0\x80\xaf"));     // overlong
}

}  // namespace sluice::lake
