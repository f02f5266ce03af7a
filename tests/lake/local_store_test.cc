// What only the folder-backed store has: plain files, symbolic links, crashes mid-write.
#include "lake/local_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/error.h"
#include "core/hash.h"
#include "lake/fault_injecting_fs.h"
#include "testing/error_code.h"
#include "testing/temp_dir.h"

namespace sluice::lake {
namespace {

namespace fs = std::filesystem;

std::string codeOf(const std::function<void()>& fn) { return testing::errorCodeOf(fn); }

class LocalStoreTest : public ::testing::Test {
 protected:
  std::string root() const { return dir_ / "lake"; }
  size_t tempFiles() const {
    size_t n = 0;
    for (auto& e : fs::directory_iterator(root() + "/.tmp")) n += e.is_regular_file();
    return n;
  }
  testing::TempDir dir_;
};

TEST_F(LocalStoreTest, ObjectsArePlainFilesAtTheirKeys) {
  LocalObjectStore store(root());
  store.createBucket("raw");
  store.put("raw", "2025/11/data.csv", "a,b\n1,2\n");
  EXPECT_EQ(testing::readFile(root() + "/raw/2025/11/data.csv"), "a,b\n1,2\n");
  EXPECT_EQ(*store.localPath("raw", "2025/*/*.csv"), root() + "/raw/2025/*/*.csv");
  EXPECT_EQ(codeOf([&] { store.localPath("raw", "../other/x"); }), "InvalidKey");
}

TEST_F(LocalStoreTest, ACopyKeepsAPlainEtagAndHashesAMultipartOne) {
  LocalObjectStore store(root());
  store.createBucket("bkt");
  PutOptions multipart;
  multipart.etag = "0123456789abcdef0123456789abcdef-2";
  auto writer = store.openWriter("bkt", "multi", multipart);
  writer->write("part1");
  writer->write("part2");
  EXPECT_EQ(writer->commit().etag, "0123456789abcdef0123456789abcdef-2");
  EXPECT_EQ(store.copy("bkt", "multi", "bkt", "copy", std::nullopt).etag, core::md5Hex("part1part2"));
  // The copy's ETag, carried over from its source, is still the MD5 of what it holds.
  EXPECT_EQ(store.copy("bkt", "copy", "bkt", "copy2", std::nullopt).etag, core::md5Hex("part1part2"));
  EXPECT_EQ(store.get("bkt", "copy2"), "part1part2");
}

TEST_F(LocalStoreTest, FilesDroppedInByHandAreObjects) {
  LocalObjectStore store(root());
  store.createBucket("raw");
  testing::writeFile(root() + "/raw/by-hand/x.json", "{\"k\":1}");
  auto info = store.head("raw", "by-hand/x.json");
  EXPECT_EQ(info.etag, core::md5Hex("{\"k\":1}"));
  EXPECT_EQ(info.size, 7u);
  EXPECT_EQ(store.list("raw", {}).objects.size(), 1u);
}

TEST_F(LocalStoreTest, SymbolicLinksCannotLeadOutOfTheLake) {
  LocalObjectStore store(root());
  store.createBucket("raw");
  testing::writeFile(dir_ / "outside/secret.txt", "secret");
  fs::create_directory_symlink(dir_ / "outside", root() + "/raw/link");
  fs::create_symlink(dir_ / "outside/secret.txt", root() + "/raw/file-link");

  EXPECT_EQ(codeOf([&] { store.get("raw", "link/secret.txt"); }), "InvalidKey");
  EXPECT_EQ(codeOf([&] { store.get("raw", "file-link"); }), "InvalidKey");
  EXPECT_EQ(codeOf([&] { store.put("raw", "link/planted.txt", "x"); }), "InvalidKey");
  EXPECT_FALSE(fs::exists(dir_ / "outside/planted.txt"));
  // Links are not objects: listing skips them.
  EXPECT_TRUE(store.list("raw", {}).objects.empty());
  // Replacing a link target through the store is refused as well.
  EXPECT_EQ(codeOf([&] { store.remove("raw", "link/secret.txt"); }), "InvalidKey");
  EXPECT_EQ(testing::readFile(dir_ / "outside/secret.txt"), "secret");
}

TEST_F(LocalStoreTest, AKeyCannotBeBothObjectAndFolder) {
  LocalObjectStore store(root());
  store.createBucket("raw");
  store.put("raw", "a", "file");
  EXPECT_EQ(codeOf([&] { store.put("raw", "a/b", "x"); }), "KeyConflict");
  store.put("raw", "d/e", "x");
  EXPECT_EQ(codeOf([&] { store.put("raw", "d", "x"); }), "KeyConflict");
  EXPECT_EQ(store.get("raw", "a"), "file");
}

TEST_F(LocalStoreTest, NonEmptyFolderObjectIsRefused) {
  LocalObjectStore store(root());
  store.createBucket("raw");
  EXPECT_EQ(codeOf([&] { store.put("raw", "dir/", "content"); }), "InvalidArgument");
}

TEST_F(LocalStoreTest, FailedWriteLeavesNothingVisibleAndKeepsTheOldObject) {
  FaultInjectingFileSystem faulty(FileSystem::posix());
  LocalObjectStore store(root(), faulty);
  store.createBucket("raw");
  store.put("raw", "k", "old content");
  int events = 0;
  store.addListener([&](const ObjectEvent&) { events++; });

  faulty.failNthWrite(2);
  auto writer = store.openWriter("raw", "k", {});
  writer->write("new ");
  EXPECT_EQ(codeOf([&] { writer->write("content"); }), "IOError");
  writer.reset();  // abandoned
  EXPECT_EQ(store.get("raw", "k"), "old content");
  EXPECT_EQ(store.head("raw", "k").etag, core::md5Hex("old content"));

  faulty.failNthWrite(1);
  EXPECT_EQ(codeOf([&] { store.put("raw", "fresh", "x"); }), "IOError");
  EXPECT_EQ(codeOf([&] { store.head("raw", "fresh"); }), "NoSuchKey");
  EXPECT_EQ(tempFiles(), 0u);
  EXPECT_EQ(events, 0);
}

TEST_F(LocalStoreTest, CrashBeforeRenameShowsNoPartialObjectAfterRestart) {
  {
    FaultInjectingFileSystem faulty(FileSystem::posix());
    LocalObjectStore store(root(), faulty);
    store.createBucket("raw");
    store.put("raw", "existing", "old");
    faulty.crashAt(FaultInjectingFileSystem::CrashPoint::kBeforeRename);
    EXPECT_THROW(store.put("raw", "existing", std::string(100000, 'n')), SimulatedCrash);
    EXPECT_THROW(store.put("raw", "brand-new", "data"), SimulatedCrash);
  }
  // The crashed "process" left its temporary file behind, as a real crash would.
  EXPECT_EQ(tempFiles(), 1u);
  LocalObjectStore restarted(root());
  EXPECT_EQ(restarted.get("raw", "existing"), "old");
  EXPECT_EQ(restarted.head("raw", "existing").etag, core::md5Hex("old"));
  EXPECT_EQ(codeOf([&] { restarted.head("raw", "brand-new"); }), "NoSuchKey");
  EXPECT_EQ(restarted.list("raw", {}).objects.size(), 1u);
}

TEST_F(LocalStoreTest, CrashAfterRenameLeavesACompleteObjectWithItsMetadata) {
  {
    FaultInjectingFileSystem faulty(FileSystem::posix());
    LocalObjectStore store(root(), faulty);
    store.createBucket("raw");
    faulty.crashAt(FaultInjectingFileSystem::CrashPoint::kAfterRename);
    PutOptions opts;
    opts.content_type = "text/plain";
    opts.user_metadata = {{"batch", "7"}};
    EXPECT_THROW(store.put("raw", "k", "complete", opts), SimulatedCrash);
  }
  LocalObjectStore restarted(root());
  auto info = restarted.head("raw", "k");
  EXPECT_EQ(restarted.get("raw", "k"), "complete");
  EXPECT_EQ(info.etag, core::md5Hex("complete"));
  EXPECT_EQ(info.content_type, "text/plain");
  EXPECT_EQ(info.user_metadata.at("batch"), "7");
}

TEST_F(LocalStoreTest, OpeningRemovesTemporaryFilesOfDeadProcessesOnly) {
  { LocalObjectStore store(root()); }
  // PIDs above pid_max (4194304 at most on Linux) never belong to a live process.
  testing::writeFile(root() + "/.tmp/999999999.deadbeef", "partial upload");
  testing::writeFile(root() + "/.tmp/" + std::to_string(::getpid()) + ".live", "in progress");
  LocalObjectStore store(root());
  EXPECT_FALSE(fs::exists(root() + "/.tmp/999999999.deadbeef"));
  EXPECT_TRUE(fs::exists(root() + "/.tmp/" + std::to_string(::getpid()) + ".live"));
}

}  // namespace
}  // namespace sluice::lake
