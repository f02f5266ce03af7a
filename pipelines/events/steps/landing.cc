// Landing (SPEC 004 §2): preprocessed feeds into the landing layer with snapshot
// semantics, bad rows into the error area with their reasons.
#include <map>
#include <set>

#include "core/clock.h"
#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/table_io.h"
#include "lake/object_store.h"
#include "pipelines/events/steps/bucket.h"
#include "pipelines/events/steps/feeds.h"
#include "pipelines/events/steps/steps.h"

namespace sluice::pipelines::events {

namespace {

using data::sqlIdentifier;
using data::sqlLiteral;
using nlohmann::json;

std::string joined(const std::vector<std::string>& items, const std::string& sep,
                   const std::string& format = "{}") {
  std::string out;
  for (const auto& i : items) {
    std::string one = format;
    for (size_t at = one.find("{}"); at != std::string::npos; at = one.find("{}"))
      one.replace(at, 2, sqlIdentifier(i));
    out += (out.empty() ? "" : sep) + one;
  }
  return out;
}

// "CASE WHEN "a" IS NULL THEN 'a' END, …": the names of a row's NULL columns.
std::string nullNames(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns)
    out += (out.empty() ? "" : ", ") + std::string("CASE WHEN ") + sqlIdentifier(c) +
           " IS NULL THEN " + sqlLiteral(c) + " END";
  return out;
}

class Landing {
 public:
  Landing(const json& event, const data::StepEnv& env)
      : bucket_(event, env), env_(env), conn_(env.duckdb) {}

  json run() {
    // The HCP tables check each other, so all three are candidates before any is judged.
    for (const char* o :
         {"hcp_master", "address", "child_attributes", "event_del", "event", "participant"})
      candidates(*findFeed(o));
    integrity();
    json tables = json::object();
    for (const auto& f : feeds())
      if (present_.count(f.object)) tables[f.target_table] = write(f);
    return {{"tables", tables}};
  }

 private:
  std::string cand(const Feed& f) const { return sqlIdentifier("cand_" + f.object); }
  static std::string snapshotKey(const Feed& f) {
    return "landing_snapshot/" + f.object + ".parquet";
  }

  // cand_OBJECT: the snapshot's rows and the new keys of this run, each with __new and
  // __reason (NULL for a good row).
  void candidates(const Feed& f) {
    auto incoming = bucket_.parquet("preprocess/" + f.target_table + "/data.parquet");
    if (!incoming) return;
    present_.insert(f.object);
    std::string derived;
    for (const auto& [name, expr] : f.derived)
      derived += ", " + expr + " AS " + sqlIdentifier(name);
    std::string source = "SELECT *" + derived +
                         ", now()::TIMESTAMP AS oasis_create_date, now()::TIMESTAMP AS "
                         "oasis_modified_date FROM " +
                         *incoming;
    if (f.object == "address")  // hcp_id: the HCP whose primary address it is
      source = "SELECT a.*, h.hcp_id FROM (" + source +
               ") a LEFT JOIN (SELECT hcp_primary_address_id, min(hcp_id) AS hcp_id FROM "
               "cand_hcp_master WHERE __reason IS NULL GROUP BY 1) h ON "
               "h.hcp_primary_address_id = a.address_id";
    // The snapshot is the last landing table without its load date.
    auto snapshot = bucket_.parquet(snapshotKey(f));
    const std::string snap = snapshot
                                 ? "(SELECT * EXCLUDE (oasis_load_time) FROM " + *snapshot + ")"
                                 : "(SELECT * FROM (" + source + ") LIMIT 0)";
    const std::string on = joined(f.key, " AND ", "i.{} = s.{}");
    const std::string has_null = joined(f.required, " OR ", "{} IS NULL");
    // One pass: new keys only, then each row's fault. Of duplicated keys the latest by
    // source_updated_date stays ([proposed]); rows with a NULL are ranked last so they
    // never push out a good row.
    // Ranking rows is a sort; most days have no duplicate key, and counting says so. The
    // same counts tell, with the snapshot's, how many rows each outcome got (write()).
    const std::string keys = joined(f.key, ", ");
    auto stats =
        conn_.query("SELECT count(*), count(DISTINCT (" + keys + ")) FROM (" + source + ")");
    const int64_t incoming_rows = std::stoll(stats.cell(0, 0).value_or("0"));
    const bool duplicates = std::stoll(stats.cell(0, 1).value_or("0")) < incoming_rows;
    Counts& counts = counts_[f.object];
    counts.snapshot = snapshot ? data::countRows(conn_, *snapshot) : 0;
    counts.candidates =
        counts.snapshot +
        (snapshot ? data::countRows(conn_, "(" + source + ") i ANTI JOIN " + snap + " s ON " + on)
                  : incoming_rows);
    const std::string rank = duplicates ? "row_number() OVER (PARTITION BY " + keys + " ORDER BY " +
                                              has_null +
                                              ", NOT __new, source_updated_date DESC NULLS LAST)"
                                        : "1";
    // Materialized only when it must be: the HCP tables are changed by the integrity
    // checks below, and a ranking of duplicates must be the same for every reader. A
    // view otherwise, so a million rows never sit in memory.
    const bool materialize = duplicates || f.object == "hcp_master" || f.object == "address" ||
                             f.object == "child_attributes";
    conn_.query(
        "CREATE OR REPLACE TEMP " + std::string(materialize ? "TABLE " : "VIEW ") + cand(f) +
        " AS SELECT * EXCLUDE (__null, __rank), CASE "
        "WHEN __null THEN 'Null value in key column: ' || concat_ws(', ', " +
        nullNames(f.required) +
        ") WHEN __rank > 1 THEN 'Duplicate key violation' END AS __reason FROM (SELECT *, " +
        has_null + " AS __null, " + rank +
        " AS __rank FROM (SELECT i.*, true AS "
        "__new FROM (" +
        source + ") i ANTI JOIN " + snap + " s ON " + on +
        " UNION ALL BY NAME SELECT *, false AS __new FROM " + snap + "))");
  }

  void fail(const std::string& object, const std::string& reason, const std::string& where) {
    if (!present_.count(object)) return;
    conn_.query("UPDATE " + sqlIdentifier("cand_" + object) + " SET __reason = " +
                sqlLiteral(reason) + " WHERE __new AND __reason IS NULL AND " + where);
  }

  // Between the HCP master, its addresses and its child attributes.
  void integrity() {
    const bool hcp = present_.count("hcp_master") > 0;
    const std::string valid_hcp =
        hcp ? "(SELECT hcp_id FROM cand_hcp_master WHERE __reason IS NULL)" : "(SELECT NULL)";
    fail("address", "Integrity: no HCP in hcp_master has this address", "hcp_id IS NULL");
    fail("child_attributes", "Integrity: hcp_id is not in hcp_master",
         "hcp_id NOT IN " + valid_hcp);
    if (present_.count("address"))
      fail("hcp_master", "Integrity: the HCP's primary address is not in the address file",
           "hcp_primary_address_id NOT IN (SELECT address_id FROM cand_address WHERE __reason "
           "IS NULL)");
    if (present_.count("child_attributes"))
      fail("hcp_master", "Integrity: the HCP has no child attributes",
           "hcp_id NOT IN (SELECT hcp_id FROM cand_child_attributes WHERE __reason IS NULL)");
  }

  json write(const Feed& f) {
    const std::string c = cand(f);
    const std::string landing = "landing/" + f.target_table + "/data.parquet";
    const int64_t rows = bucket_.write(conn_,
                                       "SELECT * EXCLUDE (__new, __reason), current_date AS "
                                       "oasis_load_time FROM " +
                                           c + " WHERE __reason IS NULL",
                                       landing);
    // Snapshot rows are always good, so the rest follows from the counts taken before.
    const Counts& counts = counts_.at(f.object);
    const int64_t fresh = rows - counts.snapshot;
    const int64_t errors = counts.candidates - rows;
    if (errors > 0) {
      // Appended: one object per run under error/{object}_error/. Written before the
      // snapshot moves on: the candidates may be a view over it.
      const std::string key = "error/" + f.object + "_error/" +
                              core::formatUtc(env_.now, "%Y%m%dT%H%M%SZ") + ".parquet";
      bucket_.write(conn_,
                    "SELECT * EXCLUDE (__new, __reason), __reason AS error_reason, "
                    "now()::TIMESTAMP AS error_timestamp FROM " +
                        c + " WHERE __reason IS NOT NULL",
                    key);
      env_.log("WARNING: landing " + f.object + ": " + std::to_string(errors) + " rows moved to " +
               bucket_.url(key));
    }
    env_.lake.copy(bucket_.name(), landing, bucket_.name(), snapshotKey(f), std::nullopt);
    env_.log("landing " + f.object + ": " + std::to_string(fresh) + " new, " +
             std::to_string(rows) + " in landing/" + f.target_table);
    return {{"new", fresh}, {"rows", rows}, {"errors", errors}};
  }

  struct Counts {
    int64_t snapshot = 0;    // rows of the snapshot before this run
    int64_t candidates = 0;  // those plus this run's rows with new keys
  };

  Bucket bucket_;
  const data::StepEnv& env_;
  data::Connection conn_;
  std::set<std::string> present_;
  std::map<std::string, Counts> counts_;
};

}  // namespace

json landingStep(const json& event, const data::StepEnv& env) { return Landing(event, env).run(); }

}  // namespace sluice::pipelines::events
