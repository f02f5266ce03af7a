// A project running on an Environment: uploads fire functions and workflows through the
// durable queue, schedules fire on an injected clock, topics deliver. No test waits for
// a real schedule.
#include "runtime/project_runtime.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "app/environment.h"
#include "core/error.h"
#include "functions/invoker.h"
#include "functions/registry.h"
#include "lake/fault_injecting_fs.h"
#include "lake/local_store.h"
#include "lake/object_store.h"
#include "project/loader.h"
#include "runtime/runtime_log.h"
#include "runtime/trigger_recorder.h"
#include "state/state_store.h"
#include "testing/error_code.h"
#include "testing/smtp_sink.h"
#include "testing/temp_dir.h"

namespace sluice::runtime {
namespace {

using nlohmann::json;

std::vector<json> jsonLines(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

std::set<std::string> builtinNames() {
  functions::Registry r;
  functions::registerBuiltins(r);
  std::set<std::string> names;
  for (const auto* f : r.all()) names.insert(f->name);
  return names;
}

class ProjectRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = dir_ / "project";
    testing::writeFile(project_ + "/handlers/record.sh",
                       // One append per event (deliveries run in parallel).
                       "event=$(cat)\nprintf '%s\\n' \"$event\" >> \"$OUT\"\n"
                       "echo '{\"ok\":true}'\n");
    testing::writeFile(project_ + "/handlers/fail.sh", "echo 'cannot parse it' >&2\nexit 1\n");
    testing::writeFile(project_ + "/handlers/slow.sh", "sleep 3\necho '{}'\n");
    testing::writeFile(project_ + "/flows/notify.asl.json", R"({
      "StartAt": "Publish",
      "States": {"Publish": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
        "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:000000000000:alerts",
                       "Subject": "daily run", "Message.$": "$"}, "End": true}}})");
  }
  void writeProject(const std::string& extra = "") {
    testing::writeFile(project_ + "/sluice.yaml", R"(name: test
buckets: [raw, dlq]
functions:
  record:
    runtime: command
    command: [/bin/sh, handlers/record.sh]
    environment: {OUT: )" + (dir_ / "events.jsonl") + R"(}
  fail:
    runtime: command
    command: [/bin/sh, handlers/fail.sh]
    retries: 1
    dead_letter: lake://dlq/failed/
  slow: {runtime: command, command: [/bin/sh, handlers/slow.sh]}
workflows:
  notify: flows/notify.asl.json
events:
  csv-uploads: {bucket: raw, prefix: in/, suffix: .csv, function: record}
  bad-uploads: {bucket: raw, prefix: bad/, function: fail}
  slow-uploads: {bucket: raw, prefix: slow/, function: slow}
  removals: {bucket: raw, prefix: in/, on: removed, function: record, shape: eventbridge}
topics:
  alerts:
    subscriptions:
      - {protocol: file, endpoint: outbox/alerts.jsonl}
)" + extra);
  }
  // A fresh process's view: a new Environment and runtime over the same data folder.
  std::unique_ptr<ProjectRuntime> open() {
    runtime_.reset();
    env_ = std::make_unique<app::Environment>(dir_ / "data");
    auto rt = std::make_unique<ProjectRuntime>(
        *env_, project::loadProject(project_, builtinNames()), clock_);
    rt->apply();
    return rt;
  }

  testing::TempDir dir_;
  std::string project_;
  core::ManualClock clock_{core::parseIso8601("2026-03-27T12:00:00Z")};
  std::unique_ptr<app::Environment> env_;
  std::unique_ptr<ProjectRuntime> runtime_;
};

TEST_F(ProjectRuntimeTest, UploadsFireTheirRuleOncePerObjectVersion) {
  writeProject();
  runtime_ = open();
  auto& lake = env_->lake();
  lake.put("raw", "in/a b.csv", "x,y\n");
  lake.put("raw", "in/skip.json", "{}");  // wrong suffix
  lake.put("raw", "other/c.csv", "x\n");  // wrong prefix
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 1);
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 0);
  auto events = jsonLines(dir_ / "events.jsonl");
  ASSERT_EQ(events.size(), 1u);
  const json& record = events[0]["Records"][0];
  EXPECT_EQ(record["eventName"], "ObjectCreated:Put");
  EXPECT_EQ(record["s3"]["bucket"]["name"], "raw");
  EXPECT_EQ(record["s3"]["object"]["key"], "in/a+b.csv");
  EXPECT_EQ(record["s3"]["object"]["size"], 4);
  EXPECT_EQ(record["s3"]["configurationId"], "csv-uploads");

  // A new version is a new delivery; removal arrives in the EventBridge shape.
  lake.put("raw", "in/a b.csv", "x,y\n1,2\n");
  lake.remove("raw", "in/a b.csv");
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 2);
  events = jsonLines(dir_ / "events.jsonl");
  ASSERT_EQ(events.size(), 3u);
  json removed = events[1].contains("detail") ? events[1] : events[2];
  EXPECT_EQ(removed["detail-type"], "Object Deleted");
  EXPECT_EQ(removed["detail"]["bucket"]["name"], "raw");
  EXPECT_EQ(removed["detail"]["object"]["key"], "in/a b.csv");
}

// An input template turns the event into a built-in step's own event: no glue code.
TEST_F(ProjectRuntimeTest, ARuleWithAnInputTemplateDrivesABuiltInStep) {
  testing::writeFile(project_ + "/sluice.yaml", R"(buckets: [raw]
events:
  to-parquet:
    bucket: raw
    prefix: csv/
    function: convert
    input: {input: "lake://<bucket>/<key>", output: "lake://raw/parquet/<key>.parquet", note: "<size> bytes"}
catalog:
  raw.sales: {location: "lake://raw/parquet/csv/", format: parquet}
)");
  runtime_ = open();
  env_->lake().put("raw", "csv/sales.csv", "region,amount\nnorth,10\nsouth,5\n");
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 1);
  const std::string parquet = env_->lake().get("raw", "parquet/csv/sales.csv.parquet");
  EXPECT_EQ(parquet.substr(0, 4), "PAR1");
  auto delivered = env_->state().triggers().deliveries("done", 1);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(json::parse(delivered[0].payload), json::parse(R"({"input": "lake://raw/csv/sales.csv",
                            "output": "lake://raw/parquet/csv/sales.csv.parquet",
                            "note": "31 bytes"})"));
  // The project's catalog table reads what the rule wrote, by name.
  auto table = env_->state().catalog().getTable("raw", "sales");
  ASSERT_TRUE(table);
  EXPECT_EQ(table->location, "lake://raw/parquet/csv/");
  EXPECT_EQ(table->origin, "declared");
}

// A built-in step configured once in the project file: the event carries only what
// changes, and may still override a configured setting.
TEST_F(ProjectRuntimeTest, ABuiltInFunctionTakesItsConfigBeneathEachEvent) {
  testing::writeFile(project_ + "/sluice.yaml", R"(buckets: [raw]
functions:
  total:
    handler: sql
    config:
      inputs: {sales: "lake://raw/sales.csv"}
      sql: SELECT sum(amount) AS total FROM sales
)");
  runtime_ = open();
  env_->lake().put("raw", "sales.csv", "region,amount\nnorth,10\nsouth,5\n");
  functions::Invoker invoker(env_->functions(), env_->services());
  EXPECT_EQ(invoker.invoke("total", json::object()).result["rows"],
            json::parse(R"([{"total": 15}])"));
  EXPECT_EQ(invoker.invoke("total", {{"sql", "SELECT count(*) AS n FROM sales"}}).result["rows"],
            json::parse(R"([{"n": 2}])"));
}

TEST_F(ProjectRuntimeTest, FailingDeliveriesRetryThenGoToTheDeadLetterPrefix) {
  writeProject();
  runtime_ = open();
  env_->lake().put("raw", "bad/x.csv", "oops");
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 1);  // first attempt fails
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 0);  // the retry waits for its backoff
  clock_.advance(2'000'000'000);
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 1);  // second and last attempt
  auto failed = env_->state().triggers().deliveries("failed", 10);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].attempts, 2);
  auto dead = env_->lake().list("dlq", {});
  ASSERT_EQ(dead.objects.size(), 1u);
  EXPECT_EQ(dead.objects[0].key.rfind("failed/bad-uploads/", 0), 0u);
  json letter = json::parse(env_->lake().get("dlq", dead.objects[0].key));
  EXPECT_EQ(letter["key"], "bad/x.csv");
  EXPECT_EQ(letter["error"], "Runtime.ExitError: 'fail' exited with status 1: cannot parse it");
  EXPECT_EQ(letter["event"]["Records"][0]["s3"]["object"]["key"], "bad/x.csv");
}

TEST_F(ProjectRuntimeTest, AnAlarmNotifiesWhenItFiresAndWhenItClears) {
  writeProject(R"(alarms:
  bad-uploads:
    function: fail
    metric: errors
    threshold: 2
    window: 60
    topic: alerts
)");
  clock_.set(core::SystemClock::instance().now());  // the invocations' own clock
  runtime_ = open();
  EXPECT_EQ(runtime_->alarms().tick(), 0);
  env_->lake().put("raw", "bad/1.csv", "x");
  env_->lake().put("raw", "bad/2.csv", "x");
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 2);  // two failed invocations
  EXPECT_EQ(runtime_->alarms().tick(), 1);
  EXPECT_EQ(runtime_->alarms().stateOf("bad-uploads"), "ALARM");
  EXPECT_EQ(runtime_->alarms().tick(), 0) << "no second notification while it stays in ALARM";
  runtime_ = open();  // a restart while it still fires: a new environment, the same state
  EXPECT_EQ(runtime_->alarms().stateOf("bad-uploads"), "ALARM");
  EXPECT_EQ(runtime_->alarms().tick(), 0) << "a restart announces nothing already announced";
  clock_.advance(120'000'000'000LL);  // the failures leave the window
  EXPECT_EQ(runtime_->alarms().tick(), 1);
  EXPECT_EQ(runtime_->alarms().stateOf("bad-uploads"), "OK");
  auto outbox = jsonLines(dir_ / "data/outbox/alerts.jsonl");
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[0]["Subject"], "ALARM: \"bad-uploads\"");
  EXPECT_EQ(outbox[1]["Subject"], "OK: \"bad-uploads\"");
  const json alarm = json::parse(outbox[0]["Message"].get<std::string>());
  EXPECT_EQ(alarm["NewStateValue"], "ALARM");
  EXPECT_EQ(alarm["OldStateValue"], "OK");
  EXPECT_EQ(alarm["Trigger"]["Threshold"], 2);
  EXPECT_NE(alarm["NewStateReason"].get<std::string>().find("errors sum of fail over 60 s was 2"),
            std::string::npos)
      << alarm["NewStateReason"];
}

TEST_F(ProjectRuntimeTest, ABurstSurvivesARestartWithNothingLostOrRunTwice) {
  writeProject();
  runtime_ = open();
  for (int i = 0; i < 300; ++i)
    env_->lake().put("raw", "in/f" + std::to_string(i) + ".csv", std::to_string(i));
  // A process takes a batch and stops before finishing it (its lease is never released).
  auto taken = env_->state().triggers().claimDue(clock_.now(), 50, clock_.now() + 60'000'000'000LL);
  ASSERT_EQ(taken.size(), 50u);
  runtime_ = open();  // restart
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 250);
  clock_.advance(61'000'000'000LL);  // the abandoned lease expires
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 50);
  std::set<std::string> keys;
  auto events = jsonLines(dir_ / "events.jsonl");
  for (const auto& e : events) keys.insert(e["Records"][0]["s3"]["object"]["key"]);
  EXPECT_EQ(events.size(), 300u);
  EXPECT_EQ(keys.size(), 300u);
}

// A process that dies in the middle of a write, after recording its deliveries but before
// confirming them, loses no event and invents none: once the writer's grace period is
// over, a dispatcher looks at the lake and runs only the delivery whose object is there.
TEST_F(ProjectRuntimeTest, AWriterThatDiesMidWriteLosesNoEventAndInventsNone) {
  writeProject();
  runtime_ = open();
  using Crash = lake::FaultInjectingFileSystem::CrashPoint;
  auto crashingWrite = [&](Crash point, const std::string& key) {
    // The dying process: the same lake folder and state store, a file system that stops
    // at `point`; after that instant it records nothing more.
    lake::FaultInjectingFileSystem faulty(lake::FileSystem::posix());
    lake::LocalObjectStore lake(dir_ / "data/lake", faulty, clock_);
    TriggerRecorder recorder(env_->state().triggers());
    lake.addListener(
        [&](const lake::ObjectEvent& e) {
          if (!faulty.crashed()) recorder.record(e);
        },
        /*every_phase=*/true);
    faulty.crashAt(point);
    EXPECT_THROW(lake.put("raw", key, "a,b\n"), lake::SimulatedCrash);
  };
  crashingWrite(Crash::kAfterRename, "in/made-it.csv");
  crashingWrite(Crash::kBeforeRename, "in/never-made.csv");
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 0) << "the writers' grace period is not over";

  clock_.advance(kUnconfirmedGraceNs + 1'000'000'000LL);
  runtime_ = open();  // a restart
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 2);
  EXPECT_EQ(runtime_->dispatcher().drainOnce(), 0);
  const auto events = jsonLines(dir_ / "events.jsonl");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["Records"][0]["s3"]["object"]["key"], "in/made-it.csv");
  EXPECT_EQ(events[0]["Records"][0]["s3"]["object"]["size"], 4);
  auto counts = env_->state().triggers().countByStatus();
  EXPECT_EQ(counts["done"], 1);
  EXPECT_EQ(counts["abandoned"], 1);
  const auto abandoned = env_->state().triggers().deliveries("abandoned", 10);
  ASSERT_EQ(abandoned.size(), 1u);
  EXPECT_EQ(abandoned[0].key, "in/never-made.csv");
  EXPECT_NE(abandoned[0].last_error.find("never completed"), std::string::npos);
}

// Under `sluice up` a long target keeps its slot while later uploads run in the others.
TEST_F(ProjectRuntimeTest, ALongDeliveryDoesNotHoldBackLaterUploads) {
  writeProject();
  runtime_ = open();
  runtime_->dispatcher().start();
  env_->lake().put("raw", "slow/big.csv", "x\n");               // its function takes 3 s
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // it is running
  const auto put_at = std::chrono::steady_clock::now();
  env_->lake().put("raw", "in/next.csv", "y\n");
  // Done means its function ran and its delivery was marked (the mark follows the run).
  auto& triggers = env_->state().triggers();
  while (triggers.countByStatus()["done"] < 1 &&
         std::chrono::steady_clock::now() - put_at < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const auto waited = std::chrono::steady_clock::now() - put_at;
  EXPECT_LT(waited, std::chrono::milliseconds(2000)) << "the next upload waited for the slow one";
  EXPECT_EQ(jsonLines(dir_ / "events.jsonl").size(), 1u);
  EXPECT_EQ(triggers.countByStatus()["running"], 1) << "the slow one still runs";
  runtime_->dispatcher().stop();  // lets it finish
  EXPECT_EQ(env_->state().triggers().countByStatus()["done"], 2);
}

TEST_F(ProjectRuntimeTest, SchedulesFireOnceAcrossRestartsAndDst) {
  writeProject(R"(schedules:
  nightly:
    expression: cron(30 1 * * ? *)
    timezone: Europe/London
    function: record
    input: {day: <sluice.scheduled-date>, yesterday: <sluice.previous-date>, at: <aws.scheduler.scheduled-time>}
    catch_up: all
  hourly:
    expression: rate(1 hour)
    function: record
    catch_up: none
)");
  runtime_ = open();  // registered at 2026-03-27T12:00Z
  EXPECT_EQ(runtime_->scheduler().tick(), 0);
  // Four days pass while sluice is stopped; London springs forward on 29 March, when
  // 01:30 does not exist.
  clock_.set(core::parseIso8601("2026-03-31T12:00:30Z"));
  runtime_ = open();
  EXPECT_EQ(runtime_->scheduler().tick(), 4);  // nightly ×3 (all) + hourly ×1 (on time)
  runtime_ = open();
  EXPECT_EQ(runtime_->scheduler().tick(), 0) << "no firing twice after a restart";
  std::vector<std::string> days;
  for (const auto& e : jsonLines(dir_ / "events.jsonl"))
    if (e.contains("day"))
      days.push_back(e["day"].get<std::string>() + " " + e["yesterday"].get<std::string>() + " " +
                     e["at"].get<std::string>());
  EXPECT_EQ(days, (std::vector<std::string>{"2026-03-28 2026-03-27 2026-03-28T01:30:00Z",
                                            "2026-03-30 2026-03-29 2026-03-30T00:30:00Z",
                                            "2026-03-31 2026-03-30 2026-03-31T00:30:00Z"}));
  auto hourly = env_->state().schedules().firings("hourly", 10);
  ASSERT_EQ(hourly.size(), 2u);  // the one that ran, and the missed ones recorded as skipped
  EXPECT_EQ(hourly[0].status, "started");
  EXPECT_EQ(hourly[1].status, "skipped");
  // Backfill reruns a past interval, once.
  auto backfilled =
      runtime_->scheduler().backfill("nightly", core::parseIso8601("2026-03-20T00:00:00Z"),
                                     core::parseIso8601("2026-03-22T00:00:00Z"));
  ASSERT_EQ(backfilled.size(), 2u);
  EXPECT_EQ(core::formatIso8601Ms(backfilled[0].scheduled_time), "2026-03-20T01:30:00.000Z");
  EXPECT_EQ(backfilled[1].status, "started");
  EXPECT_TRUE(runtime_->scheduler()
                  .backfill("nightly", core::parseIso8601("2026-03-20T00:00:00Z"),
                            core::parseIso8601("2026-03-22T00:00:00Z"))
                  .empty());
}

// Under `sluice up` each firing runs on its own thread: a slow target does not hold back
// another schedule's firing, and stopping waits for both.
TEST_F(ProjectRuntimeTest, ASlowFiringDoesNotHoldBackTheNextSchedule) {
  writeProject(R"(schedules:
  a-slow: {expression: rate(1 minute), function: slow}
  b-quick: {expression: rate(1 minute), function: record, input: {quick: true}}
)");
  runtime_ = open();
  clock_.advance(61'000'000'000LL);
  const auto start = std::chrono::steady_clock::now();
  runtime_->scheduler().start();
  while (jsonLines(dir_ / "events.jsonl").empty() &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500))
      << "the quick firing waited for the slow one";
  EXPECT_EQ(env_->state().schedules().firings("a-slow", 1)[0].status, "pending");
  runtime_->scheduler().stop();
  EXPECT_EQ(env_->state().schedules().firings("a-slow", 1)[0].status, "started");
}

TEST_F(ProjectRuntimeTest, AWorkflowPublishesToATopic) {
  writeProject(R"(schedules:
  report: {expression: rate(1 day), workflow: notify, input: {run: <sluice.scheduled-date>}}
)");
  runtime_ = open();
  clock_.advance(86'400'000'000'000LL);
  EXPECT_EQ(runtime_->scheduler().tick(), 1);
  auto outbox = jsonLines(dir_ / "data/outbox/alerts.jsonl");
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0]["Type"], "Notification");
  EXPECT_EQ(outbox[0]["TopicArn"], "arn:aws:sns:us-east-1:000000000000:alerts");
  EXPECT_EQ(outbox[0]["Subject"], "daily run");
  EXPECT_EQ(json::parse(outbox[0]["Message"].get<std::string>()), json({{"run", "2026-03-28"}}));
  auto firing = env_->state().schedules().firings("report", 1);
  EXPECT_EQ(firing[0].status, "started");
  EXPECT_NE(firing[0].detail.find(":execution:notify:report-20260328T120000Z"), std::string::npos)
      << firing[0].detail;
}

// E-mail goes through a real SMTP conversation with Python's smtpd from Debian.
TEST(Topics, EmailReachesAnSmtpServer) {
  testing::TempDir dir;
  testing::SmtpSink smtp;
  Topics topics({{"alerts", {{"email", "ops@example.com"}}}}, dir.path(),
                {smtp.url(), "sluice@example.com"});
  std::string error;
  for (int i = 0; i < 50; ++i) {  // until the server listens
    try {
      topics.publish("alerts", "ingestion failed", "packet 7 failed three times");
      error.clear();
      break;
    } catch (const Error& e) {
      error = e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_EQ(error, "");
  const std::string received = smtp.waitFor("packet 7 failed three times");
  EXPECT_NE(received.find("Subject: ingestion failed"), std::string::npos) << received;
  EXPECT_NE(received.find("To: ops@example.com"), std::string::npos) << received;
  EXPECT_NE(received.find("packet 7 failed three times"), std::string::npos) << received;
}

}  // namespace
}  // namespace sluice::runtime

namespace sluice::runtime {
namespace {

TEST(RuntimeLog, TextOrJsonLinesWithSecretsMasked) {
  core::Redactor redactor;
  redactor.add("hunter22");
  redactor.add("ab");  // too short to mask
  core::ManualClock clock(core::parseIso8601("2026-11-22T10:00:00Z"));
  std::ostringstream text, json_lines;
  RuntimeLog(text, false, redactor, clock)
      .write("log", {{"function", "f"}, {"line", "password=hunter22 ab"}, {"n", 3}});
  RuntimeLog(json_lines, true, redactor, clock)
      .write("firing", {{"schedule", "nightly"}, {"error", "bad hunter22"}});
  EXPECT_EQ(text.str(), "2026-11-22T10:00:00.000Z log function=f line=password=**** ab n=3\n");
  EXPECT_EQ(json_lines.str(),
            "{\"time\":\"2026-11-22T10:00:00.000Z\",\"event\":\"firing\",\"schedule\":\"nightly\","
            "\"error\":\"bad ****\"}\n");
}

}  // namespace
}  // namespace sluice::runtime

namespace sluice::runtime {
namespace {

// A webhook subscription gets the SNS notification as JSON, and a failing endpoint is
// retried before the publish reports it.
TEST(Topics, WebhooksReceiveTheNotificationAndFailuresAreRetried) {
  httplib::Server hook;
  std::vector<std::string> bodies;
  std::mutex mu;
  int failures_left = 1;
  hook.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    if (failures_left-- > 0) {
      res.status = 503;
      return;
    }
    bodies.push_back(req.get_header_value("x-amz-sns-message-type") + " " + req.body);
  });
  const int port = hook.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { hook.listen_after_bind(); });
  testing::TempDir dir;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  Topics topics({{"events", {{"webhook", url}}}, {"dead", {{"webhook", "http://127.0.0.1:1/x"}}}},
                dir.path(), {});
  const std::string id = topics.publish("arn:aws:sns:us-east-1:000000000000:events", "s", "m");
  hook.stop();
  serving.join();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].substr(0, 13), "Notification ");
  const json n = json::parse(bodies[0].substr(13));
  EXPECT_EQ(n["MessageId"], id);
  EXPECT_EQ(n["Subject"], "s");
  EXPECT_EQ(n["Message"], "m");
  EXPECT_EQ(n["TopicArn"], "arn:aws:sns:us-east-1:000000000000:events");
  try {
    topics.publish("dead", "s", "m");
    FAIL() << "an unreachable endpoint was reported as delivered";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), errc::kIo);
    EXPECT_NE(std::string(e.what()).find("webhook http://127.0.0.1:1/x"), std::string::npos);
  }
  EXPECT_EQ(testing::errorCodeOf([&] { topics.publish("nope", "s", "m"); }), errc::kNotFound);
}

}  // namespace
}  // namespace sluice::runtime
