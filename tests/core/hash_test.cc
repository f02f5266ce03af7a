#include "core/hash.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"

namespace sluice::core {

static std::string binaryMd5(std::string_view data) {
  Md5 md5;
  md5.update(data);
  return md5.finish();
}

TEST(Hash, Md5OfKnownStrings) {
  EXPECT_EQ(md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5Hex("hello world"), "5eb63bbbe01eeed093cb22bb8f5acdc3");
}

TEST(Hash, MultipartEtagIsTheMd5OfThePartMd5s) {
  // Expected value from Python's hashlib over the same parts.
  EXPECT_EQ(multipartEtag({binaryMd5("aaaaa"), binaryMd5("bbb")}),
            "72d27afac8e2fbd3662861b9d607a02c-2");
}

TEST(Hash, IncrementalMd5MatchesOneShot) {
  Md5 md5;
  md5.update("hello ");
  md5.update("world");
  EXPECT_EQ(md5.finishHex(), md5Hex("hello world"));
}

TEST(Hash, Sha256OfKnownString) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash, Base64RoundTripsEveryPaddingLength) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64Decode(base64Encode(s)), s);
  }
  EXPECT_EQ(base64Encode("ab"), "YWI=");
  EXPECT_THROW(base64Decode("abc"), Error);
}

}  // namespace sluice::core
