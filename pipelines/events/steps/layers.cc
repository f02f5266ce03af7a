// The layers after landing (SPEC 004 §2): normalized events and participants, expenses,
// the five KPI tables, the outbound files, and the cleanup that always runs.
#include <fstream>
#include <map>

#include "core/clock.h"
#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/table_io.h"
#include "lake/object_store.h"
#include "pipelines/events/steps/bucket.h"
#include "pipelines/events/steps/steps.h"

namespace sluice::pipelines::events {

namespace {

using data::sqlLiteral;
using nlohmann::json;

// Merge chains longer than this are cut (SPEC 004 [proposed]: cap the chain length).
constexpr int kMaxMergeChain = 10;

// The KPI tables over "joined" (lm_events LEFT JOIN lm_participants) and "brand_totals"
// (its counts per single brand, [proposed] instead of the joined string; the product and
// brand tables share them, so the participants are unnested and counted once).
const std::map<std::string, std::string>& kpiQueries() {
  static const std::map<std::string, std::string> q = {
      {"event_performance_kpi",
       "SELECT strftime(event_date, '%Y-%m-%d') AS event_date, count(DISTINCT event_id) AS "
       "total_events, count(participant_id) AS total_registrations, "
       "count(*) FILTER (WHERE attended = 'Y') AS total_attendees, "
       "avg(CASE WHEN attended = 'Y' THEN 1 ELSE 0 END) AS avg_attendance_per_event, "
       "count(*) FILTER (WHERE attended = 'Y') / nullif(count(participant_id), 0) AS "
       "attendance_rate FROM joined GROUP BY 1 ORDER BY 1"},
      {"product_performance_kpi",
       "SELECT brand_id, brand_name, event_count, total_registrations, total_attendees, "
       "total_attendees / event_count AS avg_attendance_per_event FROM brand_totals ORDER BY 1"},
      {"participant_engagement_kpi",
       "SELECT participant_type, count(participant_id) AS total_participants, "
       "count(*) FILTER (WHERE attended = 'Y') AS attended_count, "
       "count(*) FILTER (WHERE attended = 'Y') / nullif(count(participant_id), 0) AS "
       "attendance_rate, count(*) FILTER (WHERE registered = 'Y' AND attended = 'N') / "
       "nullif(count(*) FILTER (WHERE registered = 'Y'), 0) AS no_show_rate FROM joined "
       "WHERE participant_id IS NOT NULL GROUP BY 1 ORDER BY 1"},
      {"event_type_participants_kpi",
       "SELECT event_type, count(DISTINCT event_id) AS event_count, count(participant_id) AS "
       "total_registrations, count(*) FILTER (WHERE attended = 'Y') AS total_attendees, "
       "count(*) FILTER (WHERE attended = 'Y') / nullif(count(participant_id), 0) AS "
       "attendance_rate, count(participant_id) / count(DISTINCT event_id) AS "
       "avg_registrations_per_event FROM joined GROUP BY 1 ORDER BY 1"},
      {"brand_performance_kpi",
       "SELECT brand_id, brand_name, event_count, total_registrations, total_attendees, "
       "total_attendees / nullif(total_registrations, 0) AS attendance_rate, total_attendees / "
       "event_count AS avg_attendance_per_event FROM brand_totals ORDER BY 1"},
  };
  return q;
}

class Layers {
 public:
  Layers(const json& event, const data::StepEnv& env)
      : bucket_(event, env),
        env_(env),
        conn_(env.duckdb),
        run_date_(event.value("run_date", core::formatUtc(env.now, "%Y-%m-%d"))) {}

  json run(const std::string& stage) {
    if (stage == "events") return normalizeEvents();
    if (stage == "participants") return normalizeParticipants();
    if (stage == "expenses") return expenses();
    if (stage == "kpis") return kpis();
    if (stage == "outbound") return outbound();
    if (stage == "cleanup") return cleanup();
    throw Error(errc::kInvalidArgument,
                "unknown stage '" + stage +
                    "' (events, participants, expenses, kpis, outbound or cleanup)");
  }

 private:
  std::string table(const std::string& key) {
    auto t = bucket_.parquet(key);
    if (!t) throw Error("MissingInput", bucket_.url(key) + " does not exist; run the stage before");
    return *t;
  }
  // A master file, after checking its header is the one the layers read.
  std::string master(const std::string& name) {
    static const std::map<std::string, std::vector<std::string>> columns = {
        {"product_master.csv", {"source_product_name", "Brand_name", "Brand_id"}},
        {"indication_master.csv", {"source_indication_name", "indication_name", "indication_id"}},
        {"master_xref_participant.csv", {"source_id", "mdm_id"}},
        {"master_mdm_merge.csv", {"loser_mdm_id", "winner_mdm_id"}}};
    const std::string key = "common/master/" + name;
    if (!bucket_.exists(key)) throw Error("MissingInput", bucket_.url(key) + " does not exist");
    const auto& expected = columns.at(name);
    std::ifstream in(bucket_.path(key), std::ios::binary);
    std::string header, want;
    std::getline(in, header);
    if (!header.empty() && header.back() == '\r') header.pop_back();
    for (const auto& c : expected) want += (want.empty() ? "" : ",") + c;
    if (header != want)
      throw Error(errc::kInvalidArgument,
                  bucket_.url(key) + " has the header '" + header + "', not '" + want + "'");
    return textCsv(sqlLiteral(bucket_.path(key)), ",", expected);
  }
  json written(const std::string& name, const std::string& key, int64_t rows) {
    env_.log(name + ": " + std::to_string(rows) + " rows → " + bucket_.url(key));
    return {{name, {{"rows", rows}, {"object", bucket_.url(key)}}}};
  }

  json normalizeEvents() {
    const std::string events = table("landing/lnd_event/data.parquet");
    std::string deleted = "SELECT NULL AS event_id WHERE false";
    if (auto del = bucket_.parquet("landing/lnd_event_del/data.parquet"))
      deleted = "SELECT event_id FROM " + *del;
    // Brands split on '|', each looked up in the product master (412 / UNKNOWN when it
    // lacks the brand) and joined back in their order: one lookup map, no regrouping.
    const auto brands = [](const char* map, const char* missing) {
      return std::string(
                 "array_to_string(list_transform(string_split(e.event_brand, '|'), b -> "
                 "coalesce(p.") +
             map + "[trim(b)], '" + missing + "')), '|')";
    };
    const std::string sql =
        "WITH p AS (SELECT map(list(source_product_name), list(Brand_id)) AS ids, "
        "map(list(source_product_name), list(Brand_name)) AS names FROM " +
        master("product_master.csv") +
        ") SELECT e.event_id, e.event_name, CAST(e.event_date AS DATE) AS event_date, "
        "array_to_string(list_transform(string_split(e.event_brand, '|'), b -> trim(b)), '|') AS "
        "event_brand, " +
        brands("ids", "412") + " AS brand_id, " + brands("names", "UNKNOWN") +
        " AS brand_name, e.indication_name, i.indication_id, e.site_city AS event_location, "
        "e.event_type, e.event_vendor_id, e.oasis_create_date, e.oasis_modified_date, "
        "e.oasis_load_time FROM " +
        events + " e CROSS JOIN p LEFT JOIN " + master("indication_master.csv") +
        " i ON i.source_indication_name = e.indication_name WHERE e.event_id NOT IN (" + deleted +
        ") ORDER BY e.event_id";
    const std::string key = "common/normalized/lm_events/data.parquet";
    return written("lm_events", key, bucket_.write(conn_, sql, key));
  }

  json normalizeParticipants() {
    const std::string participants = table("landing/lnd_participant/data.parquet");
    // Merge chains followed to their end (A→B→C gives C), at most kMaxMergeChain steps;
    // an id whose chain comes back to itself is a cycle: not merged, and reported.
    conn_.query(
        "CREATE OR REPLACE TEMP TABLE merges AS WITH RECURSIVE chain(start, winner, "
        "depth, cycle) AS (SELECT loser_mdm_id, winner_mdm_id, 1, loser_mdm_id = "
        "winner_mdm_id FROM " +
        master("master_mdm_merge.csv") +
        " UNION ALL SELECT c.start, m.winner_mdm_id, c.depth + 1, m.winner_mdm_id = "
        "c.start FROM chain c JOIN " +
        master("master_mdm_merge.csv") + " m ON m.loser_mdm_id = c.winner WHERE c.depth < " +
        std::to_string(kMaxMergeChain) +
        " AND NOT c.cycle) SELECT start AS loser_mdm_id, arg_max(winner, depth) AS "
        "winner_mdm_id, bool_or(cycle) AS cycle, max(depth) AS depth FROM chain GROUP BY "
        "start");
    const int64_t cycles = data::countRows(conn_, "merges WHERE cycle");
    if (cycles > 0) {
      const std::string key = "error/master_mdm_merge_error/" +
                              core::formatUtc(env_.now, "%Y%m%dT%H%M%SZ") + ".parquet";
      bucket_.write(conn_,
                    "SELECT loser_mdm_id, 'Merge cycle: the chain from this id comes back to "
                    "it' AS error_reason, now()::TIMESTAMP AS error_timestamp FROM merges WHERE "
                    "cycle",
                    key);
      env_.log("WARNING: " + std::to_string(cycles) + " MDM ids in merge cycles, not merged; see " +
               bucket_.url(key));
    }
    auto columns = conn_.query("SELECT * FROM " + participants + " LIMIT 0").columns();
    bool has_attendance = false;
    for (const auto& c : columns) has_attendance |= c.name == "attendance";
    // [proposed] attended: the feed's attendance column when it has one, else the RSVP.
    const std::string attended =
        has_attendance ? "CASE WHEN p.attendance IN ('Attended', 'Yes', 'Y') THEN 'Y' ELSE 'N' END"
                       : "CASE WHEN p.rsvp = 'Yes' THEN 'Y' ELSE 'N' END";
    const std::string sql =
        "SELECT p.participant_id, p.event_id, p.hcp_id, p.participant_type, p.rsvp AS "
        "participation_status, CASE WHEN p.rsvp = 'Yes' THEN 'Y' ELSE 'N' END AS registered, " +
        attended +
        " AS attended, x.mdm_id, CASE WHEN m.cycle THEN x.mdm_id ELSE coalesce(m.winner_mdm_id, "
        "x.mdm_id) END AS final_mdm_id, p.oasis_create_date, p.oasis_modified_date, "
        "p.oasis_load_time FROM " +
        participants + " p LEFT JOIN " + master("master_xref_participant.csv") +
        " x ON x.source_id = p.participant_id LEFT JOIN merges m ON m.loser_mdm_id = x.mdm_id";
    const std::string key = "common/normalized/lm_participants/data.parquet";
    return written("lm_participants", key, bucket_.write(conn_, sql, key));
  }

  json expenses() {
    const std::string sql =
        "SELECT e.event_id, e.event_vendor_id, TRY_CAST(l.expense AS DECIMAL(12,2)) AS "
        "event_expense, TRY_CAST(l.estimate AS DECIMAL(12,2)) AS event_expense_estimate, "
        "TRY_CAST(l.actual AS DECIMAL(12,2)) AS event_expense_actual FROM " +
        table("common/normalized/lm_events/data.parquet") + " e JOIN " +
        table("landing/lnd_event/data.parquet") + " l USING (event_id) ORDER BY e.event_id";
    const std::string key = "common/normalized/lm_events_expenses/data.parquet";
    return written("lm_events_expenses", key, bucket_.write(conn_, sql, key));
  }

  json kpis() {
    conn_.query(
        "CREATE OR REPLACE TEMP VIEW joined AS SELECT e.*, p.participant_id, "
        "p.participant_type, p.registered, p.attended FROM " +
        table("common/normalized/lm_events/data.parquet") + " e LEFT JOIN " +
        table("common/normalized/lm_participants/data.parquet") + " p USING (event_id)");
    conn_.query(
        "CREATE OR REPLACE TEMP TABLE brand_totals AS SELECT brand_id, brand_name, "
        "count(DISTINCT event_id) AS event_count, count(participant_id) AS total_registrations, "
        "count(*) FILTER (WHERE attended = 'Y') AS total_attendees FROM (SELECT event_id, "
        "participant_id, attended, unnest(string_split(brand_id, '|')) AS brand_id, "
        "unnest(string_split(brand_name, '|')) AS brand_name FROM joined) GROUP BY ALL");
    json out = json::object();
    for (const auto& [name, query] : kpiQueries()) {
      const std::string key = "summarized/" + name + "/data.parquet";
      out.update(written(name, key,
                         bucket_.write(conn_,
                                       "SELECT *, " + sqlLiteral(run_date_) +
                                           " AS processing_date FROM (" + query + ")",
                                       key)));
    }
    return out;
  }

  // The latest batch (rows with the greatest oasis_modified_date) of each table as one
  // pipe-delimited file with a header; fields holding '|', '"' or a line break quoted.
  json outbound() {
    json out = json::object();
    const std::string day =
        run_date_.substr(0, 4) + run_date_.substr(5, 2) + run_date_.substr(8, 2);
    for (const std::string t : {"lm_events", "lm_participants"}) {
      const std::string source = table("common/normalized/" + t + "/data.parquet");
      std::string upper = t;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string key = "common/outbound/OUT_" + upper + "_" + day + ".csv";
      out.update(written(
          t, key,
          bucket_.write(conn_,
                        "SELECT * FROM " + source +
                            " WHERE oasis_modified_date = (SELECT "
                            "max(oasis_modified_date) FROM " +
                            source + ")",
                        key,
                        {{"format", "csv"}, {"csv", {{"delimiter", "|"}, {"header", true}}}})));
    }
    return out;
  }

  // The analogue of terminating the cluster: the run's scratch area goes.
  json cleanup() {
    int64_t removed = 0;
    std::vector<std::string> keys;  // listed first: nothing removed under a listing
    env_.lake.forEachObject(bucket_.name(), "preprocess/",
                            [&](const lake::ObjectInfo& o) { keys.push_back(o.key); });
    for (const auto& key : keys) removed += env_.lake.remove(bucket_.name(), key) ? 1 : 0;
    env_.log("cleanup: " + std::to_string(removed) + " preprocess objects removed");
    return {{"removed", removed}};
  }

  Bucket bucket_;
  const data::StepEnv& env_;
  data::Connection conn_;
  std::string run_date_;
};

}  // namespace

json layerStep(const json& event, const data::StepEnv& env) {
  if (!event.contains("stage") || !event["stage"].is_string())
    throw Error(errc::kInvalidArgument, "the event needs \"stage\"");
  json result = Layers(event, env).run(event["stage"].get<std::string>());
  return {{"stage", event["stage"]}, {"tables", result}};
}

}  // namespace sluice::pipelines::events
