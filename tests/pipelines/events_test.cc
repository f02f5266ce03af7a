// The events pipeline (seed 004) on the spec's sample and on bad input: the KPI values
// the spec quotes, the outbound bytes, and where every bad file and row ends up.
#include <gtest/gtest.h>

#include <filesystem>

#include "app/environment.h"
#include "core/error.h"
#include "core/text.h"
#include "data/duckdb_engine.h"
#include "flow/task_runner.h"
#include "functions/invoker.h"
#include "functions/registry.h"
#include "lake/object_store.h"
#include "pipelines/events/steps/generator.h"
#include "project/loader.h"
#include "runtime/project_runtime.h"
#include "state/execution_store.h"
#include "state/state_store.h"
#include "testing/sluice_up.h"
#include "testing/smtp_sink.h"
#include "testing/temp_dir.h"
#include "workflows/workflow_service.h"

namespace sluice::pipelines::events {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class EventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GeneratorOptions sample;
    sample.sample = true;
    writeFeeds(dir_ / "feeds", sample);
    env_.lake().createBucket("lmhc");
  }
  // The generated files, with `edit` applied to each file's text first.
  void upload(const std::function<void(const std::string& key, std::string& text)>& edit = {}) {
    for (const auto& e : fs::recursive_directory_iterator(dir_ / "feeds")) {
      if (!e.is_regular_file()) continue;
      const std::string key = fs::relative(e.path(), dir_ / "feeds").string();
      std::string text = core::readFile(e.path().string());
      if (edit) edit(key, text);
      env_.lake().put("lmhc", key, text);
    }
  }
  json stage(const std::string& function, json event = json::object()) {
    event["run_date"] = "2025-08-16";
    functions::Invoker invoker(env_.functions(), env_.services());
    return invoker.invoke(function, event).result;
  }
  json layer(const std::string& name) { return stage("events_layer", {{"stage", name}}); }
  void runAll() {
    stage("events_preprocess");
    stage("events_landing");
    for (const char* s : {"events", "participants", "expenses", "kpis", "outbound"}) layer(s);
  }
  std::vector<json> rows(const std::string& key, const std::string& order_by) {
    data::Connection conn(env_.duckdb());
    auto r = conn.query("SELECT * FROM read_parquet('" + *env_.lake().localPath("lmhc", key) +
                        "') ORDER BY " + order_by);
    std::vector<json> out;
    for (size_t i = 0; i < r.rowCount(); i++) out.push_back(r.rowJson(i));
    return out;
  }
  std::string text(const std::string& key) { return env_.lake().get("lmhc", key); }
  std::vector<lake::ObjectInfo> objects(const std::string& prefix) {
    lake::ListRequest request;
    request.prefix = prefix;
    return env_.lake().list("lmhc", request).objects;
  }

  testing::TempDir dir_;
  app::Environment env_{dir_ / "data"};
};

// Replaces the first occurrence of `from` in a file's text.
void replaceIn(std::string& text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

TEST_F(EventsTest, TheSpecsSampleGivesTheSpecsKpis) {
  upload();
  runAll();
  auto kpi = rows("summarized/event_performance_kpi/data.parquet", "event_date");
  ASSERT_EQ(kpi.size(), 3u);
  EXPECT_EQ(kpi[0], json::parse(R"({"event_date": "2025-08-15", "total_events": 1,
      "total_registrations": 3, "total_attendees": 3, "avg_attendance_per_event": 1.0,
      "attendance_rate": 1.0, "processing_date": "2025-08-16"})"));
  EXPECT_EQ(kpi[1]["total_registrations"], 2);
  EXPECT_EQ(kpi[1]["total_attendees"], 2);
  EXPECT_EQ(kpi[2]["event_date"], "2025-08-25");
  EXPECT_EQ(kpi[2]["total_attendees"], 1);

  auto products = rows("summarized/product_performance_kpi/data.parquet", "brand_id");
  EXPECT_EQ(products[0], json::parse(R"({"brand_id": "BRD001", "brand_name": "KEYTRUDA",
      "event_count": 1, "total_registrations": 3, "total_attendees": 3,
      "avg_attendance_per_event": 3.0, "processing_date": "2025-08-16"})"));
  auto types = rows("summarized/event_type_participants_kpi/data.parquet", "event_type");
  EXPECT_EQ(types[0]["event_type"], "Program");
  EXPECT_EQ(types[0]["event_count"], 2);
  EXPECT_EQ(types[0]["avg_registrations_per_event"], 2.5);
  auto engagement = rows("summarized/participant_engagement_kpi/data.parquet", "participant_type");
  EXPECT_EQ(engagement[0]["participant_type"], "Attendee");
  EXPECT_EQ(engagement[0]["total_participants"], 3);
  EXPECT_EQ(engagement[0]["no_show_rate"], 0.0);

  auto participants = rows("common/normalized/lm_participants/data.parquet", "participant_id");
  EXPECT_EQ(participants[0]["mdm_id"], "MDM1001");
  EXPECT_EQ(participants[0]["final_mdm_id"], "MDM1001");
  EXPECT_EQ(participants[0]["attended"], "Y");
  auto expenses = rows("common/normalized/lm_events_expenses/data.parquet", "event_id");
  EXPECT_EQ(expenses[0]["event_expense_actual"], 2450.0);
  // The deleted events EVT1004/5 were never in the event feed; nothing else went astray.
  EXPECT_TRUE(objects("error/").empty());
  EXPECT_TRUE(objects("inbound/").empty());
}

TEST_F(EventsTest, OutboundFilesAreOnePipeDelimitedFileWithQuotedFields) {
  upload([](const std::string& key, std::string& text) {
    if (key.find("LMHC_EVENT_2") != std::string::npos)
      replaceIn(text, "Advances in NSCLC", R"("Lung ""NSCLC"" | update")");
  });
  runAll();
  const std::string out = text("common/outbound/OUT_LM_EVENTS_20250816.csv");
  const std::string header =
      "event_id|event_name|event_date|event_brand|brand_id|brand_name|indication_name|"
      "indication_id|event_location|event_type|event_vendor_id|oasis_create_date|"
      "oasis_modified_date|oasis_load_time\n";
  ASSERT_EQ(out.substr(0, header.size()), header);
  const std::string first =
      out.substr(header.size(), out.find('\n', header.size()) - header.size());
  EXPECT_EQ(first.substr(0, first.find("|EVT1001|") + 9),
            "EVT1001|\"Lung \"\"NSCLC\"\" | update\"|2025-08-15|Keytruda|BRD001|KEYTRUDA|"
            "Non-Small Cell Lung Cancer|IND001||Program|EVT1001|");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 4);  // header and three events
  EXPECT_TRUE(env_.lake().head("lmhc", "common/outbound/OUT_LM_PARTICIPANTS_20250816.csv").size >
              0);
}

TEST_F(EventsTest, BadFilesAndRowsEndInTheErrorAreaWithTheirReasons) {
  upload([](const std::string& key, std::string& text) {
    if (key.find("LMHC_EVENT_DEL_") != std::string::npos)  // a header and no rows
      text = text.substr(0, text.find('\n') + 1);
    else if (key.find("LMHC_EVENT_2") != std::string::npos)  // a brand the master lacks
      replaceIn(text, ",Ocrevus,,2025", ",Ocrevus|Mystery Brand,,2025");
    else if (key.find("LMHC_PARTICIPANT_") != std::string::npos)  // duplicate and null keys
      text +=
          "EVT1001,PART1001,Speaker,HCP1001,Ada,Marsh,,,,,,,,,,,,,,,Yes,,,2025-08-10 01:00:00,\n"
          "EVT1002,,Attendee,HCP1003,Dario,Quint,,,,,,,,,,,,,,,Yes,,,2025-08-16 01:00:00,\n";
    else if (key.find("master_mdm_merge") != std::string::npos)  // a cycle
      text += "MDM1003,MDM1004\nMDM1004,MDM1003\nMDM1005,MDM1099\n";
  });
  // A file whose columns come in another order, and one that is not CSV at all.
  std::string swapped = core::readFile(dir_ / "feeds/inbound/LMHC_PARTICIPANT_20250816010000.csv");
  replaceIn(swapped, "event_vendor_id,participant_vendor_id",
            "participant_vendor_id,event_vendor_id");
  env_.lake().put("lmhc", "inbound/LMHC_PARTICIPANT_20250817010000.csv", swapped);
  env_.lake().put("lmhc", "inbound/LMHC_hcp_master_file_20250817.csv",
                  std::string("\x1f\x8b\x08\0binary", 10));

  const json pre = stage("events_preprocess");
  std::map<std::string, std::string> reasons;
  for (const auto& f : pre["files"])
    if (f["status"] == "error") reasons[f["file"]] = f["reason"];
  ASSERT_EQ(reasons.size(), 3u) << pre.dump(2);
  EXPECT_EQ(reasons["LMHC_EVENT_DEL_20250816010000.csv"], "file has a header but no rows");
  EXPECT_EQ(reasons["LMHC_PARTICIPANT_20250817010000.csv"].substr(0, 47),
            "header does not match the expected columns: exp");
  EXPECT_EQ(reasons["LMHC_hcp_master_file_20250817.csv"],
            "file is not readable as text (its first line is not UTF-8)");
  // Each bad file is kept, whole, in the error area, with its reason as metadata.
  auto kept = env_.lake().head("lmhc", "error/LMHC_PARTICIPANT_20250817010000.csv");
  EXPECT_EQ(kept.size, swapped.size());
  EXPECT_EQ(kept.user_metadata.at("reason"), reasons["LMHC_PARTICIPANT_20250817010000.csv"]);

  const json landed = stage("events_landing");
  EXPECT_EQ(landed["tables"]["lnd_participant"]["errors"], 2);
  EXPECT_EQ(landed["tables"]["lnd_participant"]["rows"], 6);
  auto errors = objects("error/participant_error/");
  ASSERT_EQ(errors.size(), 1u);
  auto bad = rows(errors[0].key, "error_reason");
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0]["error_reason"], "Duplicate key violation");
  EXPECT_EQ(bad[0]["source_updated_date"], "2025-08-10 01:00:00");  // the older copy
  EXPECT_EQ(bad[1]["error_reason"], "Null value in key column: participant_id");

  for (const char* s : {"events", "participants"}) layer(s);
  auto events = rows("common/normalized/lm_events/data.parquet", "event_id");
  EXPECT_EQ(events[1]["event_brand"], "Ocrevus|Mystery Brand");
  EXPECT_EQ(events[1]["brand_id"], "BRD002|412");
  EXPECT_EQ(events[1]["brand_name"], "OCREVUS|UNKNOWN");
  auto participants = rows("common/normalized/lm_participants/data.parquet", "participant_id");
  EXPECT_EQ(participants[2]["mdm_id"], "MDM1003");
  EXPECT_EQ(participants[2]["final_mdm_id"], "MDM1003");  // in a cycle: not merged
  EXPECT_EQ(participants[4]["final_mdm_id"], "MDM1099");  // MDM1005 merged into MDM1099
  auto cycle = objects("error/master_mdm_merge_error/");
  ASSERT_EQ(cycle.size(), 1u);
  EXPECT_EQ(rows(cycle[0].key, "loser_mdm_id").size(), 2u);
}

TEST_F(EventsTest, ASecondDayAddsNewKeysOnlyAndLosesNothing) {
  upload();
  stage("events_preprocess");
  stage("events_landing");
  // Day two: EVT1001 again (changed) and a new EVT1009.
  std::string events = core::readFile(dir_ / "feeds/inbound/LMHC_EVENT_20250816010000.csv");
  const std::string header = events.substr(0, events.find('\n') + 1);
  std::string evt1001 =
      events.substr(header.size(), events.find('\n', header.size()) + 1 - header.size());
  std::string evt1009 = evt1001;
  replaceIn(evt1009, "EVT1001", "EVT1009");
  replaceIn(evt1001, "Advances in NSCLC", "Changed title");
  env_.lake().put("lmhc", "inbound/LMHC_EVENT_20250817010000.csv", header + evt1001 + evt1009);
  stage("events_preprocess");
  const json landed = stage("events_landing");
  EXPECT_EQ(landed["tables"]["lnd_event"], json::parse(R"({"new": 1, "rows": 4, "errors": 0})"));
  auto landing = rows("landing/lnd_event/data.parquet", "event_id");
  EXPECT_EQ(landing[0]["curriculum_title"], "Advances in NSCLC");  // snapshot keys are kept
  EXPECT_EQ(landing[3]["event_id"], "EVT1009");
}

// The bundled project through its schedule: every stage in the DAG's order, the success
// e-mail sent, the cleanup done, the Athena-named tables queryable.
TEST(EventsProject, TheDailyRunSucceedsAndSaysSoByEmail) {
  testing::TempDir dir;
  testing::SmtpSink smtp;
  ::setenv("SLUICE_SMTP_URL", smtp.url().c_str(), 1);
  GeneratorOptions sample;
  sample.sample = true;
  writeFeeds(dir / "feeds", sample);
  app::Environment env(dir / "data");
  std::set<std::string> builtins;
  for (const auto* f : env.functions().all()) builtins.insert(f->name);
  runtime::ProjectRuntime runtime(
      env, project::loadProject(std::string(SLUICE_SOURCE_DIR) + "/pipelines/events", builtins));
  runtime.apply();
  for (const auto& e : fs::recursive_directory_iterator(dir / "feeds"))
    if (e.is_regular_file())
      env.lake().put("lmhc", fs::relative(e.path(), dir / "feeds").string(),
                     core::readFile(e.path().string()));

  const std::string arn = runtime.scheduler().runNow("daily");
  ::unsetenv("SLUICE_SMTP_URL");
  auto record = env.state().executions().getExecution(arn);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, "SUCCEEDED") << record->error << ": " << record->cause;
  EXPECT_FALSE(record->output.contains("notify_error")) << record->output.dump();
  const std::string mail = smtp.waitFor("succeeded");
  EXPECT_NE(mail.find("Subject: events daily run succeeded"), std::string::npos) << mail;
  EXPECT_NE(mail.find("To: events-team@example.com"), std::string::npos) << mail;
  lake::ListRequest scratch;
  scratch.prefix = "preprocess/";
  EXPECT_TRUE(env.lake().list("lmhc", scratch).objects.empty());  // cleaned up

  // The seed's Athena names, through `sluice query`.
  auto q = testing::shell(std::string(SLUICE_BINARY) + " --data-dir " + (dir / "data") +
                          " --project " + SLUICE_SOURCE_DIR +
                          "/pipelines/events query --format csv "
                          "\"SELECT event_date, total_attendees FROM "
                          "lmhc.summarized_event_performance_kpi ORDER BY 1\"");
  EXPECT_EQ(q.out, "event_date,total_attendees\n2025-08-15,3\n2025-08-20,2\n2025-08-25,1\n");
}

// A generated day of 20,000 participants through every layer: what goes in comes out.
TEST(EventsGenerated, EveryParticipantAndEventIsAccountedFor) {
  testing::TempDir dir;
  GeneratorOptions options;
  options.events = 2000;
  options.seed = 5;
  writeFeeds(dir / "feeds", options);
  app::Environment env(dir / "data");
  env.lake().createBucket("lmhc");
  for (const auto& e : fs::recursive_directory_iterator(dir / "feeds"))
    if (e.is_regular_file())
      env.lake().put("lmhc", fs::relative(e.path(), dir / "feeds").string(),
                     core::readFile(e.path().string()));
  functions::Invoker invoker(env.functions(), env.services());
  invoker.invoke("events_preprocess", json::object());
  invoker.invoke("events_landing", json::object());
  for (const char* s : {"events", "participants", "expenses", "kpis", "outbound"})
    invoker.invoke("events_layer", {{"stage", s}, {"run_date", "2025-08-16"}});

  data::Connection conn(env.duckdb());
  const std::string lake = *env.lake().localPath("lmhc", "");
  auto scalar = [&](const std::string& sql) {
    return std::stoll(conn.query(sql).cell(0, 0).value_or("-1"));
  };
  const std::string events =
      "read_parquet('" + lake + "/common/normalized/lm_events/data.parquet')";
  const std::string people =
      "read_parquet('" + lake + "/common/normalized/lm_participants/data.parquet')";
  // Every 97th event was deleted by the EVENT_DEL feed (EVT100001, EVT100098, …).
  EXPECT_EQ(scalar("SELECT count(*) FROM " + events), 2000 - 21);
  EXPECT_EQ(scalar("SELECT count(*) FROM " + people), 20000);
  // Merges resolved transitively: p%100 == 0 went p → p-1 → p-2.
  EXPECT_EQ(scalar("SELECT count(*) FROM " + people +
                   " WHERE mdm_id = 'MDM1000100' AND "
                   "final_mdm_id = 'MDM1000098'"),
            1);
  EXPECT_EQ(scalar("SELECT count(*) FROM " + people + " WHERE final_mdm_id IS NULL"), 0);
  // Unknown brands are 412 / UNKNOWN, known ones never.
  EXPECT_EQ(scalar("SELECT count(*) FROM " + events +
                   " WHERE (event_brand LIKE 'Experimental%') "
                   "<> (brand_id = '412')"),
            0);
  // The KPIs add up to the participants of the events that were not deleted.
  EXPECT_EQ(scalar("SELECT sum(total_registrations) FROM read_parquet('" + lake +
                   "/summarized/event_performance_kpi/data.parquet')"),
            scalar("SELECT count(*) FROM " + people + " WHERE event_id IN (SELECT event_id FROM " +
                   events + ")"));
  EXPECT_EQ(scalar("SELECT sum(total_participants) FROM read_parquet('" + lake +
                   "/summarized/participant_engagement_kpi/data.parquet')"),
            scalar("SELECT count(*) FROM " + people + " WHERE event_id IN (SELECT event_id FROM " +
                   events + ")"));
  // One outbound line per participant, plus the header.
  const std::string out =
      env.lake().get("lmhc", "common/outbound/OUT_LM_PARTICIPANTS_20250816.csv");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 20001);
}

// A stage that keeps failing: retried once after 5 minutes (not waited for here), then
// the cleanup runs and the failure is e-mailed.
TEST(EventsProject, AFailingStageIsRetriedCleanedUpAndEmailed) {
  flow::RecordingSleeper sleeper;
  testing::TempDir dir;
  testing::SmtpSink smtp;
  ::setenv("SLUICE_SMTP_URL", smtp.url().c_str(), 1);
  app::Environment env(dir / "data");
  std::set<std::string> builtins;
  for (const auto* f : env.functions().all()) builtins.insert(f->name);
  const std::string project_dir = std::string(SLUICE_SOURCE_DIR) + "/pipelines/events";
  runtime::ProjectRuntime runtime(env, project::loadProject(project_dir, builtins));
  runtime.apply();  // the bucket and the functions; no metadata CSV in it
  env.lake().put("lmhc", "preprocess/lnd_event/data.parquet", "left by an earlier run");

  workflows::WorkflowServiceOptions options;
  options.sleeper = &sleeper;
  workflows::WorkflowService service(env.functions(), env.services(), options);
  service.putWorkflow(
      "events_daily",
      json::parse(core::readFile(project_dir + "/workflows/events_daily.asl.json")));
  auto record = service.start("events_daily", {{"run_date", "2025-08-16"}}, "failing-run");
  record = service.run(record.id);
  ::unsetenv("SLUICE_SMTP_URL");

  EXPECT_EQ(record.status, "FAILED");
  EXPECT_EQ(record.error, "EventsRunFailed");
  EXPECT_EQ(sleeper.slept, std::vector<double>{300});  // one retry, 5 minutes later
  lake::ListRequest scratch;
  scratch.prefix = "preprocess/";
  EXPECT_TRUE(env.lake().list("lmhc", scratch).objects.empty());  // cleaned up anyway
  const std::string mail = smtp.waitFor("failed in");
  EXPECT_NE(mail.find("Subject: events daily run failed"), std::string::npos) << mail;
  EXPECT_NE(mail.find("failing-run for 2025-08-16 failed in InvalidArgument: no metadata CSV"),
            std::string::npos)
      << mail;
}

}  // namespace
}  // namespace sluice::pipelines::events
