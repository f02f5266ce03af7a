// `sluice up PROJECT_DIR` end to end: an upload with the AWS CLI fires a rule whose
// `command` function uses the AWS CLI against the same sluice (the endpoint and
// credentials come in its environment), and the CLI shows the delivery and the logs.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "testing/sluice_up.h"
#include "testing/temp_dir.h"

namespace sluice {
namespace {

using testing::shell;

TEST(UpProject, AnUploadFiresACommandFunctionThatUsesTheAwsCli) {
  if (shell("command -v aws").code != 0) GTEST_SKIP() << "the AWS CLI is not installed";
  testing::TempDir dir;
  const std::string project = dir / "project";
  testing::writeFile(project + "/sluice.yaml", R"(name: mirror
buckets: [raw, processed]
functions:
  mirror:
    runtime: command
    command: [/bin/sh, handlers/mirror.sh]
    timeout: 60
events:
  incoming: {bucket: raw, prefix: in/, suffix: .csv, function: mirror}
)");
  testing::writeFile(project + "/handlers/mirror.sh", R"(event=$(cat)
key=$(printf '%s' "$event" | python3 -c 'import json,sys,urllib.parse; print(urllib.parse.unquote_plus(json.load(sys.stdin)["Records"][0]["s3"]["object"]["key"]))')
echo "mirroring $key" >&2
aws --endpoint-url "$AWS_ENDPOINT_URL" s3 cp "s3://raw/$key" "s3://processed/$key" >&2 || exit 1
printf '{"mirrored": "%s"}' "$key"
)");
  const std::string sluice = std::string(SLUICE_BINARY) + " --data-dir " + (dir / "data");
  auto valid = shell(sluice + " validate " + project);
  EXPECT_EQ(valid.code, 0) << valid.out;
  EXPECT_EQ(valid.out,
            "project mirror is valid: 2 buckets, 1 functions, 0 workflows, 1 event rules, 0 "
            "schedules, 0 topics\n");

  testing::SluiceUp up(dir / "data", project);
  ASSERT_TRUE(up.ok()) << up.readyLine();
  EXPECT_NE(up.readyLine().find("project mirror: 1 functions, 1 event rules, 0 schedules"),
            std::string::npos)
      << up.readyLine();
  testing::writeFile(dir / "sales 1.csv", "region,amount\nnorth,10\n");
  ASSERT_EQ(up.aws("s3 cp '" + (dir / "sales 1.csv") + "' 's3://raw/in/sales 1.csv'").code, 0);

  std::string mirrored;
  for (int i = 0; i < 100 && mirrored.empty(); ++i) {
    auto get = up.aws("s3 cp 's3://processed/in/sales 1.csv' -");
    if (get.code == 0)
      mirrored = get.out;
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(mirrored, "region,amount\nnorth,10\n");

  auto events = shell(sluice + " events");
  EXPECT_NE(events.out.find("\tincoming\traw/in/sales 1.csv\tdone\t1"), std::string::npos)
      << events.out;
  auto logs = shell(sluice + " logs mirror");
  EXPECT_NE(logs.out.find("mirroring in/sales 1.csv"), std::string::npos) << logs.out;
  EXPECT_EQ(logs.out.find(testing::SluiceUp::kSecret), std::string::npos);

  // --async: queued durably, run by the server.
  auto queued = shell(
      sluice + " --project " + project +
      R"( invoke mirror --async --payload '{"Records":[{"s3":{"object":{"key":"in/sales+1.csv"}}}]}')");
  EXPECT_NE(queued.out.find("\"StatusCode\": 202"), std::string::npos) << queued.out;
  std::string async_log;
  for (int i = 0; i < 100; ++i) {
    async_log = shell(sluice + " events --status done").out;
    if (async_log.find("invoke:mirror") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(async_log.find("invoke:mirror"), std::string::npos) << async_log;
}

TEST(UpProject, AnInvalidProjectIsRefusedWithItsFaults) {
  testing::TempDir dir;
  testing::writeFile(dir / "p/sluice.yaml", "functions:\n  f: {runtime: sql}\n");
  auto r = shell(std::string(SLUICE_BINARY) + " --data-dir " + (dir / "data") + " validate " +
                 (dir / "p"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("InvalidProject: sluice.yaml:2: functions.f: missing 'sql'"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace sluice
