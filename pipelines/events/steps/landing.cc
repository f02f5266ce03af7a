// Landing (SPEC 004 §2): preprocessed feeds into the landing layer with snapshot
// semantics, bad rows into the error area with their reasons.
#include <set>

#include "core/clock.h"
#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/table_io.h"
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
    conn_.query("CREATE OR REPLACE TEMP TABLE incoming AS " + source);
    auto snapshot = bucket_.parquet("landing_snapshot/" + f.object + ".parquet");
    conn_.query("CREATE OR REPLACE TEMP TABLE snapshot AS SELECT * FROM " +
                (snapshot ? *snapshot : "incoming LIMIT 0"));
    const std::string on = joined(f.key, " AND ", "i.{} = s.{}");
    conn_.query("CREATE OR REPLACE TEMP TABLE " + cand(f) +
                " AS SELECT i.*, true AS __new, NULL::VARCHAR AS __reason FROM incoming i ANTI "
                "JOIN snapshot s ON " +
                on +
                " UNION ALL BY NAME SELECT *, false AS __new, NULL::VARCHAR AS __reason FROM "
                "snapshot");
    conn_.query("UPDATE " + cand(f) +
                " SET __reason = 'Null value in key column: ' || concat_ws(', ', " +
                nullNames(f.required) + ") WHERE " + joined(f.required, " OR ", "{} IS NULL"));
    // [proposed] of duplicated keys the latest by source_updated_date stays.
    conn_.query("UPDATE " + cand(f) +
                " SET __reason = 'Duplicate key violation' WHERE rowid IN "
                "(SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY " +
                joined(f.key, ", ") +
                " ORDER BY NOT __new, source_updated_date DESC NULLS LAST) "
                "AS n FROM " +
                cand(f) + " WHERE __reason IS NULL) WHERE n > 1)");
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
    const int64_t errors = count("SELECT count(*) FROM " + c + " WHERE __reason IS NOT NULL");
    if (errors > 0) {
      // Appended: one object per run under error/{object}_error/.
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
    const std::string good =
        "SELECT * EXCLUDE (__new, __reason) FROM " + c + " WHERE __reason IS NULL";
    bucket_.write(conn_, good, "landing_snapshot/" + f.object + ".parquet");
    const int64_t rows =
        bucket_.write(conn_, "SELECT *, current_date AS oasis_load_time FROM (" + good + ")",
                      "landing/" + f.target_table + "/data.parquet");
    const int64_t fresh = count("SELECT count(*) FROM " + c + " WHERE __new AND __reason IS NULL");
    env_.log("landing " + f.object + ": " + std::to_string(fresh) + " new, " +
             std::to_string(rows) + " in landing/" + f.target_table);
    return {{"new", fresh}, {"rows", rows}, {"errors", errors}};
  }

  int64_t count(const std::string& sql) {
    auto r = conn_.query(sql);
    return std::stoll(r.cell(0, 0).value_or("0"));
  }

  Bucket bucket_;
  const data::StepEnv& env_;
  data::Connection conn_;
  std::set<std::string> present_;
};

}  // namespace

json landingStep(const json& event, const data::StepEnv& env) { return Landing(event, env).run(); }

}  // namespace sluice::pipelines::events
