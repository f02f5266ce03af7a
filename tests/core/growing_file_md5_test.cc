#include "core/growing_file_md5.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/hash.h"
#include "testing/temp_dir.h"

namespace sluice::core {
namespace {

namespace fs = std::filesystem;

TEST(GrowingFileMd5, HashesAFileWhileItIsAppendedTo) {
  testing::TempDir dir;
  const std::string path = dir / "out";
  GrowingFileMd5 md5(path);  // before the file exists, as when DuckDB has not opened it yet
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

TEST(GrowingFileMd5, AnEmptyFileHasTheMd5OfNothing) {
  testing::TempDir dir;
  GrowingFileMd5 md5(dir / "empty");
  std::ofstream(dir / "empty").close();
  EXPECT_EQ(md5.finish(), md5Hex(""));
}

TEST(GrowingFileMd5, GivesNothingWhenTheFileIsNotOnlyAppendedTo) {
  testing::TempDir dir;
  const std::string path = dir / "out";
  {  // shrunk after it was read
    GrowingFileMd5 md5(path);
    std::ofstream(path, std::ios::binary) << std::string(100000, 'x');
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    fs::resize_file(path, 10);
    EXPECT_EQ(md5.finish(), std::nullopt);
  }
  {  // replaced by another file under the same name
    GrowingFileMd5 md5(path);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ofstream(dir / "other", std::ios::binary) << "other";
    fs::rename(dir / "other", path);
    EXPECT_EQ(md5.finish(), std::nullopt);
  }
  {  // never written
    GrowingFileMd5 md5(dir / "missing");
    EXPECT_EQ(md5.finish(), std::nullopt);
  }
}

}  // namespace
}  // namespace sluice::core
