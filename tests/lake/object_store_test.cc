// Behaviour every ObjectStore must have. Parameterised by store so that the remote S3
// store (scale-out) runs the same cases as the local folder store.
#include "lake/object_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/hash.h"
#include "lake/local_store.h"
#include "testing/error_code.h"
#include "testing/loopback_s3.h"
#include "testing/temp_dir.h"

namespace sluice::lake {
namespace {

using StoreFactory = std::function<std::unique_ptr<ObjectStore>(const std::string& dir)>;

struct NamedFactory {
  std::string name;
  StoreFactory make;
};

class ObjectStoreTest : public ::testing::TestWithParam<NamedFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().make(dir_.path());
    store_->createBucket("bkt");
  }
  std::string codeOf(const std::function<void()>& fn) { return testing::errorCodeOf(fn); }
  std::vector<std::string> allKeys(ListRequest req) {
    std::vector<std::string> keys;
    for (;;) {
      auto page = store_->list("bkt", req);
      for (auto& o : page.objects) keys.push_back(o.key);
      for (auto& p : page.common_prefixes) keys.push_back("PRE " + p);
      if (!page.truncated) break;
      req.continuation_token = page.next_continuation_token;
    }
    return keys;
  }

  testing::TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_P(ObjectStoreTest, PutThenGetReturnsBytesAndMetadata) {
  PutOptions opts;
  opts.content_type = "application/json";
  opts.user_metadata = {{"owner", "data-team"}};
  opts.headers = {{"cache-control", "no-cache"}};
  auto info = store_->put("bkt", "dir/a.json", "{\"x\":1}", opts);
  EXPECT_EQ(info.size, 7u);
  EXPECT_EQ(info.etag, core::md5Hex("{\"x\":1}"));

  EXPECT_EQ(store_->get("bkt", "dir/a.json"), "{\"x\":1}");
  auto head = store_->head("bkt", "dir/a.json");
  EXPECT_EQ(head.content_type, "application/json");
  EXPECT_EQ(head.user_metadata.at("owner"), "data-team");
  EXPECT_EQ(head.headers.at("cache-control"), "no-cache");
  EXPECT_EQ(head.etag, info.etag);
  EXPECT_GT(head.last_modified, 0);
}

TEST_P(ObjectStoreTest, DefaultContentTypeIsOctetStream) {
  store_->put("bkt", "k", "v");
  EXPECT_EQ(store_->head("bkt", "k").content_type, "application/octet-stream");
}

TEST_P(ObjectStoreTest, OverwriteReplacesAndNoOverwriteRefuses) {
  store_->put("bkt", "k", "first");
  store_->put("bkt", "k", "second, longer");
  EXPECT_EQ(store_->get("bkt", "k"), "second, longer");
  PutOptions once;
  once.no_overwrite = true;
  EXPECT_EQ(codeOf([&] { store_->put("bkt", "k", "third", once); }), "PreconditionFailed");
  EXPECT_EQ(store_->get("bkt", "k"), "second, longer");
  EXPECT_EQ(codeOf([&] { store_->put("bkt", "new", "x", once); }), "ok");
}

TEST_P(ObjectStoreTest, RangesFollowHttpSemantics) {
  store_->put("bkt", "r", "0123456789");
  EXPECT_EQ(store_->get("bkt", "r", ByteRange{2, 4}), "234");
  EXPECT_EQ(store_->get("bkt", "r", ByteRange{7, std::nullopt}), "789");
  EXPECT_EQ(store_->get("bkt", "r", ByteRange{8, 100}), "89");
  EXPECT_EQ(store_->get("bkt", "r", ByteRange{std::nullopt, std::nullopt, 3}), "789");
  EXPECT_EQ(store_->get("bkt", "r", ByteRange{std::nullopt, std::nullopt, 30}), "0123456789");
  EXPECT_EQ(codeOf([&] { store_->get("bkt", "r", ByteRange{10, std::nullopt}); }), "InvalidRange");
  EXPECT_EQ(codeOf([&] { store_->get("bkt", "r", ByteRange{5, 2}); }), "InvalidRange");
}

TEST_P(ObjectStoreTest, MissingThingsHaveS3ErrorCodes) {
  EXPECT_EQ(codeOf([&] { store_->get("bkt", "nope"); }), "NoSuchKey");
  EXPECT_EQ(codeOf([&] { store_->get("nobucket", "k"); }), "NoSuchBucket");
  EXPECT_EQ(codeOf([&] { store_->put("nobucket", "k", "v"); }), "NoSuchBucket");
  EXPECT_EQ(codeOf([&] { store_->head("bkt", "dir"); }), "NoSuchKey");
  EXPECT_FALSE(store_->remove("bkt", "nope"));
}

TEST_P(ObjectStoreTest, BucketLifecycle) {
  EXPECT_EQ(codeOf([&] { store_->createBucket("bkt"); }), "BucketAlreadyOwnedByYou");
  EXPECT_EQ(codeOf([&] { store_->createBucket("Bad_Name"); }), "InvalidBucketName");
  store_->createBucket("another");
  auto buckets = store_->listBuckets();
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0].name, "another");
  EXPECT_EQ(buckets[1].name, "bkt");
  store_->put("another", "x/y", "1");
  EXPECT_EQ(codeOf([&] { store_->deleteBucket("another"); }), "BucketNotEmpty");
  store_->remove("another", "x/y");
  store_->deleteBucket("another");
  EXPECT_FALSE(store_->bucketExists("another"));
  EXPECT_TRUE(store_->bucketExists("bkt"));
}

TEST_P(ObjectStoreTest, ListIsInS3ByteOrder) {
  // '-' (0x2d) < '/' (0x2f) < '0' (0x30): a file system walk would order these differently.
  for (std::string k : {"a/b", "a-c", "a0", "B", "a/a/z", "\xc3\xa9"}) store_->put("bkt", k, "x");
  EXPECT_EQ(allKeys({}), (std::vector<std::string>{"B", "a-c", "a/a/z", "a/b", "a0", "\xc3\xa9"}));
}

TEST_P(ObjectStoreTest, ListWithPrefixAndDelimiter) {
  for (std::string k :
       {"logs/2025/01/a", "logs/2025/02/b", "logs/2026/c", "logs/top", "logsx", "other"})
    store_->put("bkt", k, "x");
  ListRequest req;
  req.prefix = "logs/";
  req.delimiter = "/";
  EXPECT_EQ(allKeys(req),
            (std::vector<std::string>{"logs/top", "PRE logs/2025/", "PRE logs/2026/"}));
  req.prefix = "logs/2025/0";
  EXPECT_EQ(allKeys(req), (std::vector<std::string>{"PRE logs/2025/01/", "PRE logs/2025/02/"}));
  req.prefix = "logs";
  EXPECT_EQ(allKeys(req), (std::vector<std::string>{"logsx", "PRE logs/"}));
  // A delimiter other than '/'.
  req.prefix = "logs/20";
  req.delimiter = "/0";
  EXPECT_EQ(allKeys(req), (std::vector<std::string>{"logs/2026/c", "PRE logs/2025/0"}));
}

TEST_P(ObjectStoreTest, ListPaginatesWithoutLossOrRepeat) {
  std::set<std::string> expected;
  for (int i = 0; i < 57; i++) {
    std::string k = "p/" + std::to_string(i % 7) + "/k" + std::to_string(i);
    store_->put("bkt", k, "x");
    expected.insert(k);
  }
  ListRequest req;
  req.max_keys = 5;
  auto keys = allKeys(req);
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), expected);
  EXPECT_EQ(keys.size(), expected.size());
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));

  // Common prefixes are not repeated across pages either.
  req.delimiter = "/";
  req.prefix = "p/";
  req.max_keys = 2;
  EXPECT_EQ(allKeys(req), (std::vector<std::string>{"PRE p/0/", "PRE p/1/", "PRE p/2/", "PRE p/3/",
                                                    "PRE p/4/", "PRE p/5/", "PRE p/6/"}));
}

TEST_P(ObjectStoreTest, StartAfterAndMaxKeys) {
  for (std::string k : {"a", "b", "c", "d"}) store_->put("bkt", k, "x");
  ListRequest req;
  req.start_after = "b";
  EXPECT_EQ(allKeys(req), (std::vector<std::string>{"c", "d"}));
  req.start_after = "";
  req.max_keys = 3;
  auto page = store_->list("bkt", req);
  EXPECT_EQ(page.objects.size(), 3u);
  EXPECT_TRUE(page.truncated);
  req.max_keys = 4;
  EXPECT_FALSE(store_->list("bkt", req).truncated);
  EXPECT_EQ(codeOf([&] {
              ListRequest bad;
              bad.continuation_token = "not base64!";
              store_->list("bkt", bad);
            }),
            "InvalidArgument");
}

TEST_P(ObjectStoreTest, FolderObjectsAreListedAndSurviveTheirContents) {
  store_->put("bkt", "folder/", "");
  store_->put("bkt", "folder/inner", "x");
  EXPECT_EQ(allKeys({}), (std::vector<std::string>{"folder/", "folder/inner"}));
  store_->remove("bkt", "folder/inner");
  EXPECT_EQ(allKeys({}), (std::vector<std::string>{"folder/"}));
  EXPECT_EQ(store_->head("bkt", "folder/").size, 0u);
  store_->remove("bkt", "folder/");
  EXPECT_TRUE(allKeys({}).empty());
}

TEST_P(ObjectStoreTest, DeletingTheLastObjectLeavesNoPhantomPrefix) {
  store_->put("bkt", "a/b/c/d", "x");
  store_->remove("bkt", "a/b/c/d");
  ListRequest req;
  req.delimiter = "/";
  EXPECT_TRUE(allKeys(req).empty());
}

TEST_P(ObjectStoreTest, CopyKeepsOrReplacesMetadata) {
  PutOptions opts;
  opts.content_type = "text/csv";
  opts.user_metadata = {{"a", "1"}};
  store_->put("bkt", "src", "payload", opts);
  auto kept = store_->copy("bkt", "src", "bkt", "dst/kept", std::nullopt);
  EXPECT_EQ(kept.content_type, "text/csv");
  EXPECT_EQ(kept.user_metadata.at("a"), "1");
  EXPECT_EQ(kept.etag, core::md5Hex("payload"));
  PutOptions replaced;
  replaced.content_type = "text/plain";
  auto repl = store_->copy("bkt", "src", "bkt", "dst/replaced", replaced);
  EXPECT_EQ(repl.content_type, "text/plain");
  EXPECT_TRUE(repl.user_metadata.empty());
  EXPECT_EQ(store_->get("bkt", "dst/replaced"), "payload");
  EXPECT_EQ(repl.etag, core::md5Hex("payload"));
  EXPECT_EQ(codeOf([&] { store_->copy("bkt", "none", "bkt", "x", std::nullopt); }), "NoSuchKey");
}

TEST_P(ObjectStoreTest, KeysWithSpacesPlusEqualsAndUnicode) {
  for (std::string k : {"with space.txt", "a+b=c.csv", "ünï/cödé ключ.json", "tab\there"}) {
    store_->put("bkt", k, k);
    EXPECT_EQ(store_->get("bkt", k), k);
  }
  EXPECT_EQ(allKeys({}).size(), 4u);
}

TEST_P(ObjectStoreTest, KeysThatWouldEscapeTheBucketAreRefused) {
  for (const std::string& k : std::vector<std::string>{"../escape", "a/../../escape", "/etc/passwd",
                                                       "a//b", "./x", std::string("nul\0x", 5)}) {
    EXPECT_EQ(codeOf([&] { store_->put("bkt", k, "x"); }), "InvalidKey") << k;
    EXPECT_EQ(codeOf([&] { store_->get("bkt", k); }), "InvalidKey") << k;
    EXPECT_EQ(codeOf([&] { store_->remove("bkt", k); }), "InvalidKey") << k;
  }
  ListRequest req;
  req.prefix = "../";
  EXPECT_TRUE(store_->list("bkt", req).objects.empty());
}

TEST_P(ObjectStoreTest, EveryChangeRaisesOneEventWithIncreasingSequencer) {
  std::vector<ObjectEvent> events;
  std::mutex mu;
  store_->addListener([&](const ObjectEvent& e) {
    std::lock_guard lock(mu);
    events.push_back(e);
  });
  store_->put("bkt", "a", "12345");
  store_->copy("bkt", "a", "bkt", "b", std::nullopt);
  store_->remove("bkt", "a");
  store_->remove("bkt", "a");  // absent: nothing happened, no event
  PutOptions once;
  once.no_overwrite = true;
  EXPECT_ANY_THROW(store_->put("bkt", "b", "x", once));  // failed: no event
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, ObjectEventType::kCreated);
  EXPECT_EQ(events[0].key, "a");
  EXPECT_EQ(events[0].size, 5u);
  EXPECT_EQ(events[0].etag, core::md5Hex("12345"));
  EXPECT_EQ(events[0].source, "Put");
  EXPECT_EQ(events[1].key, "b");
  EXPECT_EQ(events[1].source, "Copy");
  EXPECT_EQ(events[2].type, ObjectEventType::kRemoved);
  EXPECT_LT(events[0].sequencer, events[1].sequencer);
  EXPECT_LT(events[1].sequencer, events[2].sequencer);
}

// A listener of every phase hears each change staged while it is not yet visible, then
// published (or abandoned) under the same sequencer.
TEST_P(ObjectStoreTest, ChangesAreStagedBeforeTheyAreVisible) {
  struct Heard {
    ChangePhase phase;
    bool new_content_visible;
    std::string sequencer;
  };
  std::vector<Heard> heard;
  store_->addListener(
      [&](const ObjectEvent& e) {
        const auto found = store_->find(e.bucket, e.key);
        heard.push_back({e.phase, found && found->etag == core::md5Hex("new"), e.sequencer});
      },
      /*every_phase=*/true);
  store_->put("bkt", "k", "new");
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].phase, ChangePhase::kStaged);
  EXPECT_FALSE(heard[0].new_content_visible);
  EXPECT_EQ(heard[1].phase, ChangePhase::kPublished);
  EXPECT_TRUE(heard[1].new_content_visible);
  EXPECT_EQ(heard[0].sequencer, heard[1].sequencer);

  heard.clear();
  PutOptions once;
  once.no_overwrite = true;
  EXPECT_ANY_THROW(store_->put("bkt", "k", "other", once));
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].phase, ChangePhase::kStaged);
  EXPECT_EQ(heard[1].phase, ChangePhase::kAbandoned);

  heard.clear();
  store_->remove("bkt", "k");
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].phase, ChangePhase::kStaged);
  EXPECT_TRUE(heard[0].new_content_visible) << "a removal is staged while the object is there";
  EXPECT_EQ(heard[1].phase, ChangePhase::kPublished);
  EXPECT_FALSE(heard[1].new_content_visible);
}

// A listener that cannot record a change (its state store is down, say) stops it: the
// writer gets the error and nothing becomes visible, so no change goes unrecorded.
TEST_P(ObjectStoreTest, AChangeItsListenerCannotRecordIsNotMade) {
  std::vector<ChangePhase> heard;
  store_->addListener(
      [&](const ObjectEvent& e) {
        heard.push_back(e.phase);
        if (e.phase == ChangePhase::kStaged) throw Error(errc::kIo, "state store unavailable");
      },
      /*every_phase=*/true);
  EXPECT_EQ(codeOf([&] { store_->put("bkt", "k", "data"); }), "IOError");
  EXPECT_FALSE(store_->find("bkt", "k"));
  EXPECT_EQ(heard, (std::vector<ChangePhase>{ChangePhase::kStaged, ChangePhase::kAbandoned}));
}

TEST_P(ObjectStoreTest, ConcurrentReadersSeeOnlyWholeObjects) {
  // Writers alternate between two contents of different sizes; every read must be
  // exactly one of them, with the matching ETag.
  const std::string small(1000, 's'), large(300000, 'L');
  const std::string small_etag = core::md5Hex(small), large_etag = core::md5Hex(large);
  store_->put("bkt", "hot", small);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; w++)
    threads.emplace_back([&, w] {
      for (int i = 0; i < 60; i++) store_->put("bkt", "hot", (i + w) % 2 ? large : small);
    });
  for (int r = 0; r < 2; r++)
    threads.emplace_back([&] {
      while (!stop) {
        auto reader = store_->openReader("bkt", "hot", std::nullopt);
        std::string data = reader->readAll();
        const auto& etag = reader->info().etag;
        bool ok = (data == small && etag == small_etag) || (data == large && etag == large_etag);
        if (!ok) bad++;
        reads++;
      }
    });
  threads[0].join();
  threads[1].join();
  stop = true;
  threads[2].join();
  threads[3].join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

std::unique_ptr<ObjectStore> makeLocal(const std::string& dir) {
  return std::make_unique<LocalObjectStore>(dir + "/lake");
}

// The remote S3 store, talking to a sluice S3 server on loopback.
std::unique_ptr<ObjectStore> makeRemote(const std::string& dir) {
  return std::make_unique<testing::ServedRemoteStore>(dir);
}

INSTANTIATE_TEST_SUITE_P(Stores, ObjectStoreTest,
                         ::testing::Values(NamedFactory{"local", makeLocal},
                                           NamedFactory{"s3", makeRemote}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace sluice::lake
