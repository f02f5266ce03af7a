// The sluice command as a user runs it: in-process for most cases, and the built binary
// for exit codes and output streams.
#include "cli/cli.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "data/json_schema.h"
#include "lake/local_store.h"
#include "testing/loopback_s3.h"
#include "testing/temp_dir.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  Outcome run(std::vector<std::string> args) {
    args.insert(args.begin(), {"sluice", "--data-dir", dir_ / "data"});
    std::vector<const char*> argv;
    for (auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    int code = runCli(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
  }
  // The built binary through a shell; its stdout and stderr land in dir_/out and dir_/err.
  int runBinary(const std::string& args) {
    std::string full = std::string(SLUICE_BINARY) + " --data-dir " + (dir_ / "bin-data") + " " +
                       args + " 2>" + (dir_ / "err") + " >" + (dir_ / "out");
    int status = std::system(full.c_str());
    return WEXITSTATUS(status);
  }
  testing::TempDir dir_;
};

TEST_F(CliTest, LakeRoundTrip) {
  testing::writeFile(dir_ / "in.csv", "a,b\n1,2\n");
  EXPECT_EQ(run({"lake", "mb", "raw"}).out, "make_bucket: raw\n");
  EXPECT_EQ(run({"lake", "put", dir_ / "in.csv", "raw/x/"}).code, 0);
  EXPECT_EQ(run({"lake", "get", "raw/x/in.csv"}).out, "a,b\n1,2\n");
  EXPECT_EQ(run({"lake", "get", "lake://raw/x/in.csv", "--range", "4-"}).out, "1,2\n");
  EXPECT_EQ(run({"lake", "cp", "lake://raw/x/in.csv", "s3://raw/y/copy.csv"}).code, 0);
  EXPECT_EQ(run({"lake", "cp", "lake://raw/y/copy.csv", dir_ / "back.csv"}).code, 0);
  EXPECT_EQ(testing::readFile(dir_ / "back.csv"), "a,b\n1,2\n");

  auto ls = run({"lake", "ls", "raw"}).out;
  EXPECT_NE(ls.find("PRE x/"), std::string::npos) << ls;
  EXPECT_NE(ls.find("PRE y/"), std::string::npos) << ls;
  auto lsr = run({"lake", "ls", "raw", "--recursive"}).out;
  EXPECT_NE(lsr.find("         8 x/in.csv"), std::string::npos) << lsr;
  // Names below the prefix's folder, as `aws s3 ls` shows them.
  auto in_x = run({"lake", "ls", "raw/x/"}).out;
  EXPECT_EQ(in_x.substr(in_x.find(' ', 11)), "          8 in.csv\n") << in_x;
  EXPECT_EQ(run({"lake", "ls", "raw/x"}).out, std::string(27, ' ') + "PRE x/\n");

  EXPECT_EQ(run({"lake", "rm", "raw/y", "--recursive"}).out, "delete: lake://raw/y/copy.csv\n");
  EXPECT_EQ(run({"lake", "rb", "raw"}).code, 1);
  EXPECT_EQ(run({"lake", "rb", "raw", "--force"}).code, 0);
  EXPECT_EQ(run({"lake", "ls"}).out, "");
}

// A folder into the lake and back, as `aws s3 cp --recursive` and `aws s3 sync` do: sync
// copies only what is new, of another size or newer, and --delete removes the rest.
TEST_F(CliTest, LakeCpRecursiveAndSyncCopyWholeFolders) {
  const auto feeds = dir_ / "feeds";
  testing::writeFile(feeds + "/x.csv", "1\n");
  std::filesystem::create_directories(feeds + "/a/b");
  testing::writeFile(feeds + "/a/y.csv", "22\n");
  testing::writeFile(feeds + "/a/b/z.json", "{}\n");
  testing::writeFile(feeds + "/a/notes.tmp", "draft\n");
  run({"lake", "mb", "raw"});
  EXPECT_EQ(run({"lake", "cp", "--recursive", feeds, "lake://raw/in", "--exclude", "*.tmp"}).out,
            "upload: " + feeds + "/a/b/z.json to lake://raw/in/a/b/z.json\n" +  //
                "upload: " + feeds + "/a/y.csv to lake://raw/in/a/y.csv\n" +    //
                "upload: " + feeds + "/x.csv to lake://raw/in/x.csv\n");
  EXPECT_EQ(run({"lake", "get", "raw/in/a/b/z.json"}).out, "{}\n");

  EXPECT_EQ(run({"lake", "sync", feeds, "lake://raw/in", "--exclude", "*.tmp"}).out, "");
  testing::writeFile(feeds + "/x.csv", "4444\n");
  EXPECT_EQ(
      run({"lake", "sync", feeds, "lake://raw/in/", "--exclude", "*.tmp", "--include", "a/notes*"})
          .out,
      "upload: " + feeds + "/a/notes.tmp to lake://raw/in/a/notes.tmp\n" +  //
          "upload: " + feeds + "/x.csv to lake://raw/in/x.csv\n");

  const auto back = dir_ / "back";
  // A folder object, as the S3 console makes: nothing to download; --delete removes it.
  lake::LocalObjectStore(dir_ / "data/lake").put("raw", "in/empty/", "");
  auto down = run({"lake", "sync", "lake://raw/in", back}).out;
  EXPECT_EQ(std::count(down.begin(), down.end(), '\n'), 4) << down;
  EXPECT_EQ(testing::readFile(back + "/x.csv"), "4444\n");
  EXPECT_EQ(testing::readFile(back + "/a/b/z.json"), "{}\n");
  EXPECT_EQ(run({"lake", "sync", "lake://raw/in", back}).out, "");  // the times were kept

  std::filesystem::remove(feeds + "/a/y.csv");
  EXPECT_EQ(run({"lake", "sync", feeds, "lake://raw/in", "--delete", "--dryrun"}).out,
            "(dryrun) delete: lake://raw/in/a/y.csv\n(dryrun) delete: lake://raw/in/empty/\n");
  EXPECT_EQ(run({"lake", "head", "raw/in/a/y.csv"}).code, 0);
  EXPECT_EQ(run({"lake", "sync", feeds, "lake://raw/in", "--delete"}).out,
            "delete: lake://raw/in/a/y.csv\ndelete: lake://raw/in/empty/\n");
  EXPECT_EQ(run({"lake", "head", "raw/in/a/y.csv"}).code, 1);

  EXPECT_EQ(run({"lake", "cp", "-r", "lake://raw/in/a", "lake://raw/copy"}).out,
            "copy: lake://raw/in/a/b/z.json to lake://raw/copy/b/z.json\n"
            "copy: lake://raw/in/a/notes.tmp to lake://raw/copy/notes.tmp\n");
  EXPECT_EQ(run({"lake", "sync", feeds, back}).code, 2);  // neither side in the lake
  auto missing = run({"lake", "sync", dir_ / "nothing", "lake://raw/in"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("nothing' is not a local folder"), std::string::npos) << missing.err;
}

TEST_F(CliTest, HeadShowsMetadata) {
  testing::writeFile(dir_ / "f.json", "{}");
  run({"lake", "mb", "raw"});
  run({"lake", "put", dir_ / "f.json", "raw/f.json", "--content-type", "application/json", "--meta",
       "Owner=team"});
  auto head = run({"lake", "head", "raw/f.json"}).out;
  EXPECT_NE(head.find("\"content_type\": \"application/json\""), std::string::npos) << head;
  EXPECT_NE(head.find("\"owner\": \"team\""), std::string::npos) << head;
  EXPECT_NE(head.find("\"etag\": \"99914b932bd37a50b983c5e7c90ae93b\""), std::string::npos) << head;
}

TEST_F(CliTest, QueryOverLakeObjectsInEveryFormat) {
  testing::writeFile(dir_ / "s.csv", "region,amount\nnorth,10\nsouth,5\nnorth,1\n");
  run({"lake", "mb", "raw"});
  run({"lake", "put", dir_ / "s.csv", "raw/sales/s.csv"});
  const std::string sql =
      "SELECT region, sum(amount) AS total FROM 'lake://raw/sales/*.csv' GROUP BY 1 ORDER BY 1";
  EXPECT_EQ(run({"query", sql, "--format", "csv"}).out, "region,total\nnorth,11\nsouth,5\n");
  EXPECT_EQ(run({"query", sql, "--format", "jsonl"}).out,
            "{\"region\":\"north\",\"total\":11}\n{\"region\":\"south\",\"total\":5}\n");
  EXPECT_EQ(run({"query", sql}).out,
            "region | total\n-------+------\nnorth  |    11\nsouth  |     5\n(2 rows)\n");
  auto bad = run({"query", "SELECT nope FROM 'lake://raw/sales/s.csv'"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("QueryError"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("nope"), std::string::npos) << bad.err;
}

// `--lake s3://…`: the same commands with the lake in an S3-compatible store (here a
// sluice S3 server on loopback); DuckDB reads staged copies, steps write through S3.
TEST_F(CliTest, RemoteLakeServesTheSameCommands) {
  testing::LoopbackS3 s3(dir_ / "remote");
  ::setenv("AWS_ACCESS_KEY_ID", testing::LoopbackS3::kAccessKey, 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", testing::LoopbackS3::kSecret, 1);
  const std::string lake = "s3://?endpoint=" + s3.endpoint();
  auto remote = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--lake", lake});
    return run(args);
  };
  testing::writeFile(dir_ / "d.csv", "id,v\n1,a\n1,a\n2,b\n");
  EXPECT_EQ(remote({"lake", "mb", "raw"}).out, "make_bucket: raw\n");
  EXPECT_EQ(remote({"lake", "put", dir_ / "d.csv", "raw/in/d.csv"}).code, 0);
  EXPECT_EQ(s3.backing().get("raw", "in/d.csv"), "id,v\n1,a\n1,a\n2,b\n");
  EXPECT_EQ(
      remote({"query", "SELECT count(*) AS n FROM 'lake://raw/in/*.csv'", "--format", "csv"}).out,
      "n\n3\n");
  auto r = remote({"invoke", "dedup", "--payload",
                   R"({"input":"lake://raw/in/d.csv","output":"lake://raw/out/d.jsonl"})"});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::string deduped = s3.backing().get("raw", "out/d.jsonl");  // rows in any order
  EXPECT_EQ(deduped.size(), 34u) << deduped;
  EXPECT_NE(deduped.find("{\"id\":1,\"v\":\"a\"}\n"), std::string::npos) << deduped;
  EXPECT_NE(deduped.find("{\"id\":2,\"v\":\"b\"}\n"), std::string::npos) << deduped;
  EXPECT_NE(remote({"lake", "ls", "raw", "--recursive"}).out.find("out/d.jsonl"),
            std::string::npos);
  // A folder synced to the remote lake and back, and crawled there.
  std::filesystem::create_directories(dir_ / "feed/day=1");
  testing::writeFile(dir_ / "feed/day=1/a.csv", "id\n7\n");
  EXPECT_EQ(remote({"lake", "sync", dir_ / "feed", "lake://raw/feed"}).out,
            "upload: " + (dir_ / "feed/day=1/a.csv") + " to lake://raw/feed/day=1/a.csv\n");
  EXPECT_EQ(remote({"lake", "sync", dir_ / "feed", "lake://raw/feed"}).out, "");
  EXPECT_EQ(remote({"lake", "sync", "lake://raw/feed", dir_ / "back"}).code, 0);
  EXPECT_EQ(testing::readFile(dir_ / "back/day=1/a.csv"), "id\n7\n");
  EXPECT_EQ(remote({"catalog", "crawl", "raw/feed"}).out, "created: raw.feed (1 objects)\n");
  EXPECT_EQ(remote({"query", "SELECT day, id FROM raw.feed", "--format", "csv"}).out,
            "day,id\n1,7\n");
  // Nothing went to the folder lake.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "data/lake/raw"));
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  auto no_secret = remote({"lake", "ls"});
  EXPECT_EQ(no_secret.code, 1);
  EXPECT_NE(no_secret.err.find("AWS_SECRET_ACCESS_KEY"), std::string::npos) << no_secret.err;
}

TEST_F(CliTest, SchedulesPreviewPrintsLocalTimesWithOffsets) {
  // London springs forward on 29 March 2026: 01:00 does not exist that day.
  EXPECT_EQ(run({"schedules", "preview", "cron(0 1 * * ? *)", "--tz", "Europe/London", "--from",
                 "2026-03-27T00:00:00Z", "--count", "3"})
                .out,
            "2026-03-27T01:00:00+00:00\n2026-03-28T01:00:00+00:00\n2026-03-30T01:00:00+01:00\n");
  EXPECT_EQ(run({"schedules", "preview", "rate(90 minutes)", "--from", "2026-11-22T23:00:00Z",
                 "--count", "2"})
                .out,
            "2026-11-23T00:30:00+00:00\n2026-11-23T02:00:00+00:00\n");
  auto bad = run({"schedules", "preview", "cron(0 25 * * ? *)"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("at position 8: hour 25 is out of range 0-23"), std::string::npos)
      << bad.err;
  EXPECT_EQ(run({"schedules", "preview", "0 1 * * *", "--tz", "Nowhere/City"}).code, 2);
}

TEST_F(CliTest, CatalogCrawlThenQueryByNameWithRowLimit) {
  testing::writeFile(dir_ / "s.csv", "region,amount\nnorth,10\nsouth,5\nnorth,1\n");
  run({"lake", "mb", "processed"});
  run({"lake", "put", dir_ / "s.csv", "processed/sales/part-1.csv"});
  EXPECT_EQ(run({"catalog", "crawl", "processed"}).out, "created: processed.sales (1 objects)\n");
  EXPECT_EQ(run({"catalog", "crawl", "processed"}).out, "unchanged: processed.sales (1 objects)\n");
  EXPECT_EQ(run({"catalog", "show", "processed.sales"}).out,
            "processed.sales  csv  lake://processed/sales/  (crawled)\n  region VARCHAR\n  amount "
            "BIGINT\n");
  EXPECT_EQ(run({"query", "SELECT region FROM processed.sales ORDER BY amount DESC -- top two",
                 "--format", "csv", "--max-rows", "2"})
                .out,
            "region\nnorth\nsouth\n");
  // Several statements: the last one's rows are printed.
  EXPECT_EQ(run({"query", "CREATE TEMP TABLE t AS SELECT 41 AS x; SELECT x + 1 AS y FROM t;",
                 "--format", "csv"})
                .out,
            "y\n42\n");
  auto bad = run({"query", "SELECT * FROM processed.nothing"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("nothing"), std::string::npos) << bad.err;
  EXPECT_EQ(run({"catalog", "drop", "processed.sales"}).code, 0);
  EXPECT_EQ(run({"catalog", "list"}).out, "");
}

// A workflow as a user runs it from the shell: register, start and wait, look back.
// An execution that does not succeed fails the command, so scripts can tell.
TEST_F(CliTest, WorkflowsStartWaitAndLookBack) {
  testing::writeFile(dir_ / "daily.asl.json", R"q({"StartAt": "Tag", "States": {
    "Tag": {"Type": "Pass", "Result": "seen", "ResultPath": "$.tag", "Next": "Day?"},
    "Day?": {"Type": "Choice", "Default": "NoDay",
             "Choices": [{"Variable": "$.day", "IsPresent": true, "Next": "Done"}]},
    "Done": {"Type": "Succeed"},
    "NoDay": {"Type": "Fail", "Error": "NoDay", "Cause": "give a day"}}})q");
  EXPECT_EQ(run({"workflows", "put", "daily", dir_ / "daily.asl.json"}).out,
            "workflow daily version 1\n");
  EXPECT_EQ(run({"workflows", "list"}).out.substr(0, 9), "daily\tv1\t");

  auto ok = run({"start", "daily", "--input", R"({"day": "2025-11-01"})", "--wait"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(
      json::parse(ok.out),
      json::parse(R"({"status": "SUCCEEDED", "output": {"day": "2025-11-01", "tag": "seen"}})"));

  auto failed = run({"start", "daily", "--name", "no-day", "--wait"});
  EXPECT_EQ(failed.code, 1);
  EXPECT_EQ(json::parse(failed.out),
            json::parse(R"({"status": "FAILED", "error": "NoDay", "cause": "give a day"})"));
  EXPECT_EQ(failed.err,
            "sluice: ExecutionFailed: the execution ended FAILED: NoDay (give a day)\n");

  const std::string arn = "arn:aws:states:local:000000000000:execution:daily:no-day";
  auto listed = run({"executions", "list", "--status", "FAILED"}).out;
  EXPECT_EQ(listed.substr(0, listed.find('\t')), arn);
  EXPECT_EQ(run({"executions", "list", "--status", "failed"}).code, 2);  // as AWS spells them
  EXPECT_EQ(run({"events", "--status", "weird"}).code, 2);
  EXPECT_EQ(json::parse(run({"executions", "describe", arn}).out)["status"], "FAILED");
  std::istringstream history(run({"executions", "history", arn}).out);
  std::vector<std::string> types;
  for (std::string line; std::getline(history, line);) types.push_back(json::parse(line)["type"]);
  EXPECT_EQ(types,
            (std::vector<std::string>{"ExecutionStarted", "PassStateEntered", "PassStateExited",
                                      "ChoiceStateEntered", "ChoiceStateExited", "FailStateEntered",
                                      "ExecutionFailed"}));
  // The name is an idempotency key: the same start again is the same, failed, execution.
  EXPECT_EQ(run({"start", "daily", "--name", "no-day", "--wait"}).code, 1);
  auto all = run({"executions", "list"}).out;
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 2) << all;

  auto adhoc = run({"start", "--definition", dir_ / "daily.asl.json", "--wait"});
  EXPECT_EQ(adhoc.code, 1);
  EXPECT_NE(adhoc.out.find("\"NoDay\""), std::string::npos) << adhoc.out;
  EXPECT_EQ(
      run({"start", "--definition", dir_ / "daily.asl.json", "--input", R"({"day": 1})"}).code, 0);
  auto missing = run({"executions", "describe", arn + "-x"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("ExecutionDoesNotExist"), std::string::npos) << missing.err;
}

// A backfill lists each firing; one whose target failed fails the command.
TEST_F(CliTest, BackfillListsEachFiringAndFailsWhenOneFailed) {
  const auto project = dir_ / "project";
  testing::writeFile(project + "/sluice.yaml", R"q(name: nightly
buckets: [raw]
functions:
  count: {runtime: sql, sql: count.sql}
schedules:
  nightly:
    expression: cron(0 1 * * ? *)
    function: count
    input: {day: <sluice.scheduled-date>}
)q");
  testing::writeFile(project + "/count.sql",
                     "SELECT count(*) AS n FROM read_csv('lake://raw/' || $day || '.csv')");
  testing::writeFile(dir_ / "day.csv", "a\n1\n");
  run({"lake", "mb", "raw"});
  EXPECT_EQ(run({"lake", "put", dir_ / "day.csv", "raw/2025-11-01.csv"}).code, 0);
  auto r = run({"--project", project, "backfill", "nightly", "--from", "2025-11-01T00:00:00Z",
                "--to", "2025-11-02T23:00:00Z"});
  EXPECT_EQ(r.code, 1);
  std::istringstream lines(r.out);
  std::string first, second, summary;
  std::getline(lines, first);
  std::getline(lines, second);
  std::getline(lines, summary);
  EXPECT_EQ(first.substr(0, 33), "2025-11-01T01:00:00.000Z\tstarted\t") << r.out;
  EXPECT_EQ(second.substr(0, 32), "2025-11-02T01:00:00.000Z\tfailed\t") << r.out;
  EXPECT_NE(second.find("lake://raw/2025-11-02.csv"), std::string::npos) << second;
  EXPECT_EQ(summary, "backfill nightly: 2 firings ran, 1 failed");
  EXPECT_EQ(r.err, "sluice: FiringFailed: 1 of 2 firings of nightly failed\n");
  // Firings that ran are not repeated.
  EXPECT_EQ(run({"--project", project, "backfill", "nightly", "--from", "2025-11-01T00:00:00Z",
                 "--to", "2025-11-02T23:00:00Z"})
                .out,
            "backfill nightly: 0 firings ran, 0 failed\n");
}

TEST_F(CliTest, InvokeRunsAStepAndRecordsIt) {
  testing::writeFile(dir_ / "d.csv", "id,v\n1,a\n1,a\n2,b\n");
  run({"lake", "mb", "raw"});
  run({"lake", "put", dir_ / "d.csv", "raw/d.csv"});
  auto r = run({"invoke", "dedup", "--payload",
                R"({"input":"lake://raw/d.csv","output":"lake://raw/d.jsonl"})"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"removed\": 1"), std::string::npos) << r.out;
  auto failed = run({"invoke", "dedup", "--payload",
                     R"({"input":"lake://raw/missing.csv","output":"lake://raw/x.jsonl"})"});
  EXPECT_EQ(failed.code, 1);
  EXPECT_NE(failed.out.find("\"errorType\": \"QueryError\""), std::string::npos) << failed.out;
  auto listed = run({"functions", "invocations", "dedup"}).out;
  EXPECT_NE(listed.find("\tFailed\t"), std::string::npos) << listed;
  EXPECT_NE(listed.find("\tSucceeded\t"), std::string::npos) << listed;
  EXPECT_EQ(run({"invoke", "dedup", "--payload", "{oops"}).code, 2);
  // A misspelt option is refused before the step runs, not ignored.
  auto typo = run({"invoke", "dedup", "--payload",
                   R"({"input":"lake://raw/d.csv","output":"lake://raw/d.jsonl","key":["id"]})"});
  EXPECT_EQ(typo.code, 1);
  EXPECT_NE(typo.out.find(
                R"(the dedup event has 1 fault:\n  /key: unknown field; did you mean \"keys\"?)"),
            std::string::npos)
      << typo.out;
}

// The event shape `functions describe` prints is JSON Schema that a standard validator
// (valijson) applies as sluice does.
TEST_F(CliTest, FunctionsDescribePrintsAStepsEventSchema) {
  const json described = json::parse(run({"functions", "describe", "dedup"}).out);
  EXPECT_EQ(described["name"], "dedup");
  EXPECT_EQ(described["event"]["required"], json({"input", "output"}));
  const data::JsonSchema schema(described["event"]);
  EXPECT_TRUE(schema
                  .validate({{"input", "lake://raw/a.csv"},
                             {"output", {{"path", "lake://raw/b.csv"}, {"csv", {{"bom", true}}}}},
                             {"keys", {"id"}}})
                  .empty());
  const auto faults = schema.validate(
      {{"input", "lake://raw/a.csv"}, {"output", "lake://raw/b.csv"}, {"keys", "id"}});
  ASSERT_FALSE(faults.empty());
  EXPECT_EQ(faults.front().path, "/keys");
  EXPECT_EQ(run({"functions", "describe", "nope"}).code, 1);
}

TEST_F(CliTest, ParamsHideSecretsUnlessAsked) {
  EXPECT_EQ(run({"params", "put", "/db/host", "db.local"}).out, "{\"Version\": 1}\n");
  EXPECT_EQ(run({"params", "put", "/db/host", "db2.local", "--overwrite"}).out,
            "{\"Version\": 2}\n");
  EXPECT_EQ(run({"params", "get", "/db/host"}).out, "db2.local\n");
  EXPECT_EQ(run({"params", "get", "/db/host:1"}).out, "db.local\n");
  run({"params", "put", "/db/password", "hunter2", "--type", "SecureString"});

  auto hidden = run({"params", "get", "/db/password"});
  EXPECT_EQ(hidden.code, 1);
  EXPECT_EQ(hidden.out, "");
  EXPECT_EQ(hidden.err.find("hunter2"), std::string::npos);
  EXPECT_EQ(run({"params", "get", "/db/password", "--with-decryption"}).out, "hunter2\n");
  auto listed = run({"params", "list", "/db"}).out;
  EXPECT_EQ(listed.find("hunter2"), std::string::npos) << listed;
  EXPECT_NE(listed.find("********"), std::string::npos) << listed;
  EXPECT_EQ(run({"params", "get", "/db/password", "--json"}).out.find("hunter2"),
            std::string::npos);
  EXPECT_NE(run({"params", "history", "/db/host"}).out.find("\tv2\t"), std::string::npos);
  EXPECT_EQ(run({"params", "rm", "/db/host"}).code, 0);
  EXPECT_EQ(run({"params", "get", "/db/host"}).code, 1);
}

TEST_F(CliTest, ItemsPutGetQuery) {
  EXPECT_EQ(
      run({"items", "create-table", "runs", "--partition-key", "job", "--sort-key", "n:N"}).code,
      0);
  for (int n : {3, 1, 20})
    run({"items", "put", "runs", "{\"job\":\"etl\",\"n\":" + std::to_string(n) + "}"});
  EXPECT_EQ(run({"items", "get", "runs", "{\"job\":\"etl\",\"n\":3}"}).out,
            "{\"job\":\"etl\",\"n\":3}\n");
  EXPECT_EQ(run({"items", "query", "runs", "etl", "--ge", "3"}).out,
            "{\"job\":\"etl\",\"n\":3}\n{\"job\":\"etl\",\"n\":20}\n");
  EXPECT_EQ(run({"items", "query", "runs", "etl", "--desc", "--limit", "1"}).out,
            "{\"job\":\"etl\",\"n\":20}\n");
  EXPECT_EQ(run({"items", "get", "runs", "{\"job\":\"etl\",\"n\":4}"}).code, 1);
  EXPECT_EQ(run({"items", "put", "runs", "{not json"}).code, 2);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}).code, 2);
  EXPECT_EQ(run({"lake"}).code, 2);
  EXPECT_EQ(run({"lake", "get"}).code, 2);
  EXPECT_EQ(run({"query", "select 1", "--format", "xml"}).code, 2);
  EXPECT_EQ(run({"lake", "ls", "/abs"}).code, 2);
}

TEST_F(CliTest, HelpOnEveryLevel) {
  for (auto args : std::vector<std::vector<std::string>>{{"--help"},
                                                         {"lake", "--help"},
                                                         {"lake", "put", "--help"},
                                                         {"params", "--help"},
                                                         {"items", "query", "--help"},
                                                         {"query", "--help"}}) {
    auto r = run(args);
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << args[0];
  }
}

// The real binary: exit codes and one clear line on stderr.
TEST_F(CliTest, BinaryReportsFailuresOnStderr) {
  EXPECT_EQ(runBinary("lake mb raw"), 0);
  EXPECT_EQ(runBinary("lake get raw/missing"), 1);
  EXPECT_EQ(testing::readFile(dir_ / "err"),
            "sluice: NoSuchKey: object 'missing' does not exist in bucket 'raw'\n");
  EXPECT_EQ(testing::readFile(dir_ / "out"), "");
  EXPECT_EQ(runBinary("lake frobnicate"), 2);
  EXPECT_EQ(runBinary("--help"), 0);
}

// Query results in CSV stream out as DuckDB produces them: three million rows leave the
// command's memory where a small query does (613 MiB when they were collected first).
TEST_F(CliTest, LargeQueryResultsStreamOut) {
  ASSERT_EQ(runBinary("query --format csv \"SELECT i AS n, 'row ' || i AS label FROM "
                      "range(3000000) t(i)\""),
            0);
  const std::string out = testing::readFile(dir_ / "out");
  EXPECT_EQ(out.substr(0, 23), "n,label\n0,row 0\n1,row 1");
  EXPECT_EQ(out.substr(out.size() - 21), "\n2999999,row 2999999\n");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3000001);
  struct rusage children {};
  ::getrusage(RUSAGE_CHILDREN, &children);
  EXPECT_LT(children.ru_maxrss, 128 * 1024) << "KiB at the peak of the command";
}

// Objects go through put, get and cp in pieces: a 96 MiB file leaves the command's memory
// where a small one does (about 25 MiB; 547 MiB for 256 MiB when they were read whole).
// The test itself holds none of it: its own size is in the children's peak (fork).
TEST_F(CliTest, LargeFilesStreamThroughPutGetAndCp) {
  const std::string big = dir_ / "big";
  {
    std::ofstream out(big, std::ios::binary);
    std::string block(1 << 20, 'x');
    for (int i = 0; i < 96; i++) {
      for (size_t j = 0; j < block.size(); j += 4096)
        block[j] = static_cast<char>('a' + (i + j / 4096) % 26);
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
  }
  const auto same = [&](const std::string& copy) {
    return std::system(("cmp -s " + big + " " + copy).c_str()) == 0;
  };
  ASSERT_EQ(runBinary("lake mb raw"), 0);
  ASSERT_EQ(runBinary("lake put " + big + " raw/big"), 0);
  ASSERT_EQ(runBinary("lake cp " + big + " lake://raw/big2"), 0);
  ASSERT_EQ(runBinary("lake get raw/big " + (dir_ / "back")), 0);
  EXPECT_TRUE(same(dir_ / "back"));
  ASSERT_EQ(runBinary("lake cp lake://raw/big2 " + (dir_ / "back2")), 0);
  EXPECT_TRUE(same(dir_ / "back2"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "back.sluice-part"));
  ASSERT_EQ(runBinary("lake get raw/big2"), 0);  // to standard output
  EXPECT_TRUE(same(dir_ / "out"));
  ASSERT_EQ(runBinary("lake get raw/big --range 5242880-5242884"), 0);
  EXPECT_EQ(testing::readFile(dir_ / "out"), "fxxxx");  // block 5 starts with 'a' + 5
  struct rusage children {};
  ::getrusage(RUSAGE_CHILDREN, &children);
  EXPECT_LT(children.ru_maxrss, 64 * 1024) << "KiB at the peak of one command";
}

}  // namespace
}  // namespace sluice::cli
