#include "pipelines/totesys/steps/process.h"

#include <cctype>
#include <fstream>
#include <optional>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/table_io.h"
#include "lake/object_store.h"
#include "pipelines/totesys/steps/packets.h"
#include "pipelines/totesys/steps/star_schema.h"
#include "state/parameter_lock.h"
#include "state/parameter_store.h"

namespace sluice::pipelines::totesys {

namespace {

using data::sqlIdentifier;
using data::sqlLiteral;
using nlohmann::json;

struct Settings {
  std::string ingestion_bucket;
  std::string processed_bucket;
  data::LakeUrl working;  // key ends in '/'
  std::string env;
  bool force = false;

  explicit Settings(const json& event)
      : ingestion_bucket(event.value("ingestion_bucket", "ingestion")),
        processed_bucket(event.value("processed_bucket", "processed")),
        env(event.value("env", "dev")),
        force(event.value("force", false)) {
    std::string w = event.value("working", "lake://working/totesys/");
    if (w.back() != '/') w += '/';
    working = data::parseLakeUrl(w + "x");
    working.key.pop_back();
  }
  std::string stateKey(const std::string& table) const {
    return working.key + "state/" + table + ".parquet";
  }
  std::string lastProcessedParameter(const std::string& table) const {
    return env + "_" + table + "_latest_processed_packet_id";
  }
};

std::string describe(const PacketRef& p) { return p.table + " packet " + std::to_string(p.id); }

// Reads and checks one packet into the temporary table "checked": the table's columns
// cast to their types, __line (JSON lines only), __faults ('' for a good row) and
// __record (the row as it came, for faulty rows).
class PacketReader {
 public:
  PacketReader(data::Connection& conn, const SourceTable& table) : conn_(conn), table_(table) {}

  void read(const std::string& path) {
    std::string columns;
    for (const auto& c : table_.columns)
      columns += (columns.empty() ? "" : ", ") + sqlLiteral(c.name) + ": 'VARCHAR'";
    try {
      // The fast path: DuckDB reads a JSON array or JSON lines in parallel.
      check(
          "SELECT NULL::BIGINT AS __line, NULL::VARCHAR AS __error, NULL::VARCHAR AS __text, "
          "* FROM read_json(" +
          sqlLiteral(path) + ", format='auto', columns={" + columns + "})");
    } catch (const Error& e) {
      // A JSON array is one document: if it does not parse there are no lines to save.
      if (startsWithBracket(path)) throw Error(errc::kInvalidArgument, std::string(e.what()));
      // JSON lines with a malformed line: read them one by one so that every good line is
      // kept and each bad one is reported with its number.
      check(lineByLine(path));
    }
  }

 private:
  void check(const std::string& raw_select) {
    std::string faults, typed, record;
    for (const auto& c : table_.columns) {
      const std::string id = sqlIdentifier(c.name);
      std::string fault = "CASE WHEN " + id + " IS NULL THEN " +
                          (c.nullable ? "NULL" : sqlLiteral(c.name + ": missing value")) +
                          " WHEN TRY_CAST(" + id + " AS " + c.type + ") IS NULL THEN " +
                          sqlLiteral(c.name + ": not a valid " + c.type + " ") + " || " +
                          "to_json(" + id + ") END";
      faults += (faults.empty() ? "" : ", ") + fault;
      typed += ", TRY_CAST(" + id + " AS " + c.type + ") AS " + id;
      record += (record.empty() ? "" : ", ") + id + " := " + id;
    }
    const std::string fault_expr = "concat_ws('; ', " + faults + ")";
    conn_.query("CREATE OR REPLACE TEMP TABLE checked AS SELECT __line" + typed + ", " +
                "coalesce(__error, " + fault_expr +
                ") AS __faults, CASE WHEN __error IS NOT NULL "
                "OR " +
                fault_expr + " <> '' THEN coalesce(__text, to_json(struct_pack(" + record +
                "))::VARCHAR) END AS __record FROM (" + raw_select + ")");
  }

  static bool startsWithBracket(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    for (char c; in.get(c);)
      if (!std::isspace(static_cast<unsigned char>(c)) && c != '\xEF' && c != '\xBB' && c != '\xBF')
        return c == '[';
    return false;
  }

  // JSON lines one by one: a line that is not a JSON object becomes a row whose only
  // content is its fault.
  std::string lineByLine(const std::string& path) {
    conn_.query(
        // "ok" first, on its own: JSON functions fail on text that is not JSON, and a
        // filter beside them would not keep them from seeing it.
        "CREATE OR REPLACE TEMP TABLE lines AS SELECT __line, line, CASE WHEN json_valid(line) "
        "THEN json_type(line) = 'OBJECT' ELSE false END AS ok FROM (SELECT "
        "unnest(range(1, len(l) + 1)) AS __line, unnest(l) AS line FROM (SELECT "
        "string_split(replace(content, chr(13), ''), chr(10)) AS l FROM read_text(" +
        sqlLiteral(path) + "))) WHERE trim(line) <> ''");
    std::string nulls;
    for (const auto& c : table_.columns) nulls += ", NULL::VARCHAR AS " + sqlIdentifier(c.name);
    // The outer check() wraps this; faulty lines carry their own __error and __text.
    std::string structure;
    for (const auto& c : table_.columns)
      structure += std::string(structure.empty() ? "" : ",") + "\"" + c.name + "\":\"VARCHAR\"";
    return "SELECT __line, NULL::VARCHAR AS __error, NULL::VARCHAR AS __text, j.* FROM (SELECT "
           "__line, CASE WHEN ok THEN from_json(line, " +
           sqlLiteral("{" + structure + "}") +
           ") END AS j FROM lines WHERE ok) UNION ALL BY NAME SELECT __line, 'line ' || __line || "
           "': not a JSON object' AS __error, line AS __text" +
           nulls + " FROM lines WHERE NOT ok";
  }

  data::Connection& conn_;
  const SourceTable& table_;
};

class Processor {
 public:
  Processor(const json& event, const data::StepEnv& env)
      : settings_(event), env_(env), conn_(env.duckdb) {}

  json run(const json& event) {
    json result = {{"statusCode", 200}, {"data", json::object()}, {"packets", json::array()}};
    for (const auto& packet : packetsOf(event, settings_.ingestion_bucket, env_.lake))
      processPacket(packet, settings_.force);
    int64_t rows_in = 0, rows_out = 0, rejected = 0, discrepancies = 0;
    for (auto& outcome : outcomes_) {
      rows_in += outcome.value("rows_in", 0);
      rows_out += outcome.value("rows_out", 0);
      rejected += outcome.value("rejected", 0);
      discrepancies += outcome.value("discrepancies", 0);
      const json outputs = outcome.value("outputs", json::object());
      for (const auto& [star, url] : outputs.items()) result["data"][star] = url;
      result["packets"].push_back(std::move(outcome));
    }
    result["rows_in"] = rows_in;
    result["rows_out"] = rows_out;
    result["rejected"] = rejected;
    result["discrepancies"] = discrepancies;
    env_.log(std::to_string(rows_out) + " total rows processed");
    return result;
  }

 private:
  // Processes `packet` after whatever must come first: the packets of its table it
  // follows (when they are in the bucket) and unprocessed packets of the tables whose
  // state it needs. Events arrive in any order; this puts them back in sequence.
  void processPacket(const PacketRef& packet, bool force) {
    const SourceTable* table = findSourceTable(packet.table);
    if (!table)
      throw Error(errc::kInvalidArgument, "lake://" + settings_.ingestion_bucket + "/" +
                                              packet.key + ": unknown table '" + packet.table +
                                              "'");
    // One packet of a table at a time, in every process sharing the state store: the
    // sequence check, the state merge and the id update must not interleave with
    // another delivery of the same table. A holder that died frees it after 15 minutes.
    constexpr core::TimeNs kMinutes15 = 900'000'000'000;
    state::ParameterLock lock(*env_.parameters,
                              settings_.env + "_" + packet.table + "_processing_lock", kMinutes15,
                              kMinutes15);
    // Ingestion numbers each table's packets from 1; a table never processed expects 1.
    const int64_t last = lastProcessed(packet.table).value_or(0);
    if (!force && packet.id <= last) {
      env_.log(describe(packet) +
               " was already processed (last processed: " + std::to_string(last) + "); skipped");
      outcomes_.push_back({{"table", packet.table},
                           {"id", packet.id},
                           {"key", url(packet)},
                           {"status", "skipped"}});
      return;
    }
    for (const auto& needed : table->needs) {
      if (env_.lake.find(settings_.working.bucket, settings_.stateKey(needed))) continue;
      for (const auto& earlier : listPackets(env_.lake, settings_.ingestion_bucket, needed))
        processPacket(earlier, false);
      if (!env_.lake.find(settings_.working.bucket, settings_.stateKey(needed)))
        throw Error("DependencyNotReady", describe(packet) + " needs the state of '" + needed +
                                              "', and the ingestion bucket has no " + needed +
                                              " packet yet");
    }
    if (!force && packet.id != last + 1) fillGap(packet, last, *table);
    outcomes_.push_back(transform(packet, *table));
  }

  // Packets last+1 .. packet.id-1, processed first when they are all in the bucket;
  // refused with a WARNING when any is missing.
  void fillGap(const PacketRef& packet, int64_t last, const SourceTable& table) {
    std::vector<PacketRef> between;
    for (const auto& p : listPackets(env_.lake, settings_.ingestion_bucket, packet.table))
      if (p.id > last && p.id < packet.id && (between.empty() || between.back().id != p.id))
        between.push_back(p);
    if (static_cast<int64_t>(between.size()) == packet.id - last - 1) {
      env_.log("WARNING: " + describe(packet) + " arrived before packets " +
               std::to_string(last + 1) + ".." + std::to_string(packet.id - 1) +
               "; processing those first");
      for (const auto& p : between) outcomes_.push_back(transform(p, table));
      return;
    }
    const std::string message = describe(packet) + " does not follow the last processed packet " +
                                std::to_string(last) + ": packets " + std::to_string(last + 1) +
                                ".." + std::to_string(packet.id - 1) +
                                " are not all in the bucket (add them, or force this one)";
    env_.log("WARNING: " + message);
    throw Error("PacketOutOfSequence", message);
  }

  std::optional<int64_t> lastProcessed(const std::string& table) {
    auto v = state::findParameterValue(*env_.parameters, settings_.lastProcessedParameter(table));
    if (!v) return std::nullopt;
    return std::stoll(*v);
  }

  std::string url(const PacketRef& p) const {
    return "lake://" + settings_.ingestion_bucket + "/" + p.key;
  }

  // Reads, checks, transforms and writes one packet, then records it as processed.
  json transform(const PacketRef& packet, const SourceTable& table) {
    json outcome = {{"table", packet.table}, {"id", packet.id}, {"key", url(packet)}};
    PacketReader(conn_, table)
        .read(env_.lake.requireLocalPath(settings_.ingestion_bucket, packet.key));
    conn_.query(
        "CREATE OR REPLACE TEMP VIEW packet AS SELECT * EXCLUDE (__faults, __record) "
        "FROM checked WHERE __faults = ''");
    for (const auto& needed : table.needs) openState(needed);

    const int64_t rows_in = data::countRows(conn_, "checked");
    const int64_t rejected = data::countRows(conn_, "checked WHERE __faults <> ''");
    outcome["rows_in"] = rows_in;
    outcome["rejected"] = rejected;
    const int64_t discrepancies = findDiscrepancies(table);
    outcome["discrepancies"] = discrepancies;

    if (rejected + discrepancies > 0) {
      const std::string report = writeReport(packet, table);
      outcome["report"] = report;
      env_.log("WARNING: " + describe(packet) + ": " + std::to_string(rejected) +
               " rows rejected, " + std::to_string(discrepancies) +
               " kept with a missing reference; see " + report);
    }
    if (!table.star_table.empty()) {
      auto written = write(starSelect(table), table.star_table, packet.id);
      outcome["rows_out"] = written.rows;
      outcome["outputs"] = {{table.star_table, written.url}};
      if (table.name == "sales_order") growDimDate(outcome);
    } else {
      outcome["rows_out"] = 0;
    }
    if (isReferenced(table.name)) saveState(table);

    state::setStringParameter(*env_.parameters, settings_.lastProcessedParameter(packet.table),
                              std::to_string(packet.id),
                              "last processed packet of " + packet.table);
    outcome["status"] = "processed";
    env_.log(describe(packet) + ": " + std::to_string(rows_in) + " rows in, " +
             outcome["rows_out"].dump() + " out" +
             (table.star_table.empty() ? "" : " to " + table.star_table) + ", " +
             std::to_string(rejected) + " rejected");
    return outcome;
  }

  static bool isReferenced(const std::string& table) {
    for (const auto& t : sourceTables())
      for (const auto& n : t.needs)
        if (n == table) return true;
    return false;
  }

  void openState(const std::string& table) {
    conn_.query("CREATE OR REPLACE TEMP VIEW " + sqlIdentifier("state_" + table) +
                " AS SELECT * FROM read_parquet(" +
                sqlLiteral(env_.lake.requireLocalPath(settings_.working.bucket,
                                                      settings_.stateKey(table))) +
                ")");
  }

  // Rows whose foreign keys name no row of the referenced table: kept, and reported.
  int64_t findDiscrepancies(const SourceTable& table) {
    std::string sql;
    for (const auto& fk : foreignKeys(table)) {
      if (!sql.empty()) sql += " UNION ALL ";
      sql += "SELECT p.__line, CAST(p." + sqlIdentifier(table.key) + " AS VARCHAR) AS id, " +
             sqlLiteral(fk.column + ": no " + fk.table + " with " + fk.key + " ") + " || p." +
             sqlIdentifier(fk.column) + " AS reason FROM packet p ANTI JOIN " +
             sqlIdentifier("state_" + fk.table) + " s ON p." + sqlIdentifier(fk.column) + " = s." +
             sqlIdentifier(fk.key);
    }
    if (sql.empty()) sql = "SELECT NULL::BIGINT AS __line, NULL AS id, NULL AS reason LIMIT 0";
    conn_.query("CREATE OR REPLACE TEMP TABLE discrepancies AS " + sql);
    return data::countRows(conn_, "discrepancies");
  }

  std::string writeReport(const PacketRef& packet, const SourceTable& table) {
    const std::string select =
        "SELECT " + sqlLiteral(packet.key) + " AS packet, __line AS line, CAST(" +
        sqlIdentifier(table.key) +
        " AS VARCHAR) AS id, 'rejected' AS action, __faults AS "
        "reason, __record AS record FROM checked WHERE __faults <> '' UNION ALL SELECT " +
        sqlLiteral(packet.key) +
        ", __line, id, 'kept', reason, NULL FROM discrepancies "
        "ORDER BY line NULLS LAST, id";
    json out = {{"path", "lake://" + settings_.working.bucket + "/" + settings_.working.key +
                             "reports/{time:%Y-%m-%d}/{table}_{packet_id:08d}_report_"
                             "{time:%H%M%S%f}.jsonl"},
                {"overwrite", false}};
    auto result = data::writeQuery(conn_, select, out, env_.lake, env_.scratch_dir,
                                   {{"table", packet.table}, {"packet_id", packet.id}}, env_.now);
    const auto& o = result.objects.at(0);
    return "lake://" + o.bucket + "/" + o.key;
  }

  struct Written {
    int64_t rows = 0;
    std::string url;
  };

  Written write(const std::string& select, const std::string& star_table, int64_t packet_id) {
    json out = {{"path", "lake://" + settings_.processed_bucket +
                             "/{time:%Y-%m-%d}/{table}_{packet_id:08d}_processed_"
                             "{time:%H%M%S%f}.parquet"},
                {"overwrite", false}};
    auto result = data::writeQuery(conn_, select, out, env_.lake, env_.scratch_dir,
                                   {{"table", star_table}, {"packet_id", packet_id}}, env_.now);
    const auto& o = result.objects.at(0);
    return {result.rows, "lake://" + o.bucket + "/" + o.key};
  }

  // dim_date covers first..last of every fact date seen so far; when a packet's dates
  // fall outside, the whole grown calendar is written as the next dim_date packet.
  void growDimDate(json& outcome) {
    std::string lows, highs;
    for (const auto& c : factDateColumns()) {
      lows += (lows.empty() ? "" : ", ") + std::string("min(") + c + ")";
      highs += (highs.empty() ? "" : ", ") + std::string("max(") + c + ")";
    }
    auto r =
        conn_.query("SELECT CAST(least(" + lows + ") AS VARCHAR), CAST(greatest(" + highs +
                    ") AS VARCHAR) FROM (" + starSelect(*findSourceTable("sales_order")) + ")");
    if (!r.cell(0, 0)) return;  // no valid rows
    std::string first = *r.cell(0, 0), last = *r.cell(0, 1);
    const std::string range_param = settings_.env + "_dim_date_range";
    if (auto known = state::findParameterValue(*env_.parameters, range_param)) {
      const std::string known_first = known->substr(0, 10), known_last = known->substr(12);
      if (first >= known_first && last <= known_last) return;
      first = std::min(first, known_first);
      last = std::max(last, known_last);
    }
    const std::string id_param = settings_.env + "_dim_date_latest_packet_id";
    const int64_t id =
        std::stoll(state::findParameterValue(*env_.parameters, id_param).value_or("0")) + 1;
    auto written = write(dimDateSelect(first, last), "dim_date", id);
    outcome["outputs"]["dim_date"] = written.url;
    state::setStringParameter(*env_.parameters, id_param, std::to_string(id),
                              "last dim_date packet written");
    state::setStringParameter(*env_.parameters, range_param, first + ".." + last,
                              "the days dim_date covers");
    env_.log("dim_date now covers " + first + ".." + last + " (" + written.url + ")");
  }

  // The latest row per key of everything processed so far.
  void saveState(const SourceTable& table) {
    const std::string key = settings_.stateKey(table.name);
    std::string sources = "SELECT * EXCLUDE (__line) FROM packet";
    if (env_.lake.find(settings_.working.bucket, key))
      sources = "SELECT * FROM read_parquet(" +
                sqlLiteral(env_.lake.requireLocalPath(settings_.working.bucket, key)) +
                ") UNION ALL BY NAME " + sources;
    const std::string select = "SELECT * FROM (" + sources + ") QUALIFY row_number() OVER " +
                               "(PARTITION BY " + sqlIdentifier(table.key) +
                               " ORDER BY last_updated DESC) = 1 ORDER BY " +
                               sqlIdentifier(table.key);
    data::writeQuery(conn_, select,
                     json{{"path", "lake://" + settings_.working.bucket + "/" + key}}, env_.lake,
                     env_.scratch_dir, json::object(), env_.now);
  }

  Settings settings_;
  const data::StepEnv& env_;
  data::Connection conn_;
  std::vector<json> outcomes_;  // one per packet handled, in the order handled
};

}  // namespace

json processStep(const json& event, const data::StepEnv& env) {
  if (!env.parameters) throw Error(errc::kInternal, "processing needs the parameter store");
  return Processor(event, env).run(event);
}

}  // namespace sluice::pipelines::totesys
