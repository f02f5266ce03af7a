#include "core/growing_file_etag.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/hash.h"
#include "testing/temp_dir.h"

namespace sluice::core {
namespace {

namespace fs = std::filesystem;

TEST(GrowingFileEtag, HashesAFileWhileItIsAppendedTo) {
  testing::TempDir dir;
  const std::string path = dir / "out";
  GrowingFileEtag md5(path);  // before the file exists, as when DuckDB has not opened it yet
  std::string written;
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 200; i++) {
      std::string piece(5000 + i * 97, static_cast<char>('a' + i % 26));
      out << piece << std::flush;
      written += piece;
      if (i % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  }
  EXPECT_EQ(md5.finish(), md5Hex(written));
}

// The AWS CLI uploads a file over 8 MiB in 8 MiB parts; S3 then gives it the MD5 of the
// parts' MD5s and "-N". Expected values from Python's hashlib over bytes i % 251.
std::string patterned(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; i++) s[i] = static_cast<char>(i % 251);
  return s;
}

TEST(GrowingFileEtag, AFileOverEightMebibytesGetsItsMultipartEtag) {
  testing::TempDir dir;
  const std::string content = patterned(GrowingFileEtag::kPartSize + 1);
  for (size_t size : {GrowingFileEtag::kPartSize, GrowingFileEtag::kPartSize + 1}) {
    const std::string path = dir / ("out" + std::to_string(size));
    GrowingFileEtag etag(path);
    std::ofstream(path, std::ios::binary) << content.substr(0, size);
    EXPECT_EQ(etag.finish(), size == GrowingFileEtag::kPartSize
                                 ? "727943cf3cd0ed31e7fbe1bab434d5eb"
                                 : "207d5ad937887dd79678eed060f706be-2");
  }
}

// Enough parts for the follower to hash full sets of 16 while the file is written, and
// some left for the end; every part's MD5 is checked through the ETag.
TEST(GrowingFileEtag, ManyPartsWrittenOverTimeHashAsOne) {
  testing::TempDir dir;
  const std::string path = dir / "out";
  const std::string content = patterned(35 * GrowingFileEtag::kPartSize + 12345);
  GrowingFileEtag etag(path);
  {
    std::ofstream out(path, std::ios::binary);
    for (size_t at = 0; at < content.size(); at += 3 << 20) {
      out << std::string_view(content).substr(at, 3 << 20) << std::flush;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  std::vector<std::string> parts;
  for (size_t at = 0; at < content.size(); at += GrowingFileEtag::kPartSize) {
    Md5 md5;
    md5.update(std::string_view(content).substr(at, GrowingFileEtag::kPartSize));
    parts.push_back(md5.finish());
  }
  ASSERT_EQ(parts.size(), 36u);
  const std::string expected = multipartEtag(parts);
  EXPECT_EQ(etag.finish(), expected);
  // The same ETag for the finished file read at once.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fileEtag(fd, content.size()), expected);
  ::close(fd);
}

TEST(GrowingFileEtag, AnEmptyFileHasTheMd5OfNothing) {
  testing::TempDir dir;
  GrowingFileEtag md5(dir / "empty");
  std::ofstream(dir / "empty").close();
  EXPECT_EQ(md5.finish(), md5Hex(""));
}

TEST(GrowingFileEtag, GivesNothingWhenTheFileIsNotOnlyAppendedTo) {
  testing::TempDir dir;
  const std::string path = dir / "out";
  {  // shrunk after it was read: 16 whole parts (sparse, read as zeros) are hashed at once
    GrowingFileEtag md5(path);
    std::ofstream(path, std::ios::binary).close();
    fs::resize_file(path, 16 * GrowingFileEtag::kPartSize + 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    fs::resize_file(path, 10);
    // Nothing, or (had the follower not read yet on a busy machine) the ETag of what is left.
    const auto etag = md5.finish();
    EXPECT_TRUE(etag == std::nullopt || etag == md5Hex(std::string(10, '\0'))) << *etag;
  }
  {  // shrunk before it was read: the ETag is that of what the file holds at the end
    GrowingFileEtag md5(path);
    std::ofstream(path, std::ios::binary) << std::string(100000, 'x');
    fs::resize_file(path, 10);
    EXPECT_EQ(md5.finish(), md5Hex(std::string(10, 'x')));
  }
  {  // replaced by another file under the same name
    GrowingFileEtag md5(path);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ofstream(dir / "other", std::ios::binary) << "other";
    fs::rename(dir / "other", path);
    EXPECT_EQ(md5.finish(), std::nullopt);
  }
  {  // never written
    GrowingFileEtag md5(dir / "missing");
    EXPECT_EQ(md5.finish(), std::nullopt);
  }
}

}  // namespace
}  // namespace sluice::core
