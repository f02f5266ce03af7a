#include "pipelines/totesys/steps/load.h"

#include <map>
#include <mutex>
#include <regex>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/table_io.h"
#include "lake/object_store.h"

namespace sluice::pipelines::totesys {

namespace {

using data::sqlLiteral;
using nlohmann::json;

// The warehouse's star schema (SPEC 001 §2): keys as the loader's conflict targets.
// "{record_id}" is the fact's generated key, spelled per database.
const std::map<std::string, std::string>& warehouseTables() {
  static const std::map<std::string, std::string> ddl = {
      {"dim_currency",
       "currency_id INTEGER PRIMARY KEY, currency_code VARCHAR NOT NULL, "
       "currency_name VARCHAR NOT NULL"},
      {"dim_design",
       "design_id INTEGER PRIMARY KEY, design_name VARCHAR NOT NULL, "
       "file_location VARCHAR NOT NULL, file_name VARCHAR NOT NULL"},
      {"dim_location",
       "location_id INTEGER PRIMARY KEY, address_line_1 VARCHAR NOT NULL, address_line_2 VARCHAR, "
       "district VARCHAR, city VARCHAR NOT NULL, postal_code VARCHAR NOT NULL, "
       "country VARCHAR NOT NULL, phone VARCHAR NOT NULL"},
      {"dim_date",
       "date_id DATE PRIMARY KEY, year INTEGER NOT NULL, month INTEGER NOT NULL, "
       "day INTEGER NOT NULL, day_of_week INTEGER NOT NULL, day_name VARCHAR NOT NULL, "
       "month_name VARCHAR NOT NULL, quarter INTEGER NOT NULL"},
      {"dim_staff",
       "staff_id INTEGER PRIMARY KEY, first_name VARCHAR NOT NULL, last_name VARCHAR NOT NULL, "
       "department_name VARCHAR, location VARCHAR, email_address VARCHAR NOT NULL"},
      {"dim_counterparty",
       "counterparty_id INTEGER PRIMARY KEY, counterparty_legal_name VARCHAR NOT NULL, "
       "counterparty_legal_address_line_1 VARCHAR, counterparty_legal_address_line_2 VARCHAR, "
       "counterparty_legal_district VARCHAR, counterparty_legal_city VARCHAR, "
       "counterparty_legal_postal_code VARCHAR, counterparty_legal_country VARCHAR, "
       "counterparty_legal_phone_number VARCHAR"},
      {"fact_sales_order",
       "sales_record_id {record_id}, sales_order_id INTEGER NOT NULL, created_date DATE NOT NULL, "
       "created_time TIME NOT NULL, last_updated_date DATE NOT NULL, "
       "last_updated_time TIME NOT NULL, sales_staff_id INTEGER NOT NULL, "
       "counterparty_id INTEGER NOT NULL, units_sold INTEGER NOT NULL, "
       "unit_price DECIMAL(10,2) NOT NULL, currency_id INTEGER NOT NULL, "
       "design_id INTEGER NOT NULL, agreed_payment_date DATE NOT NULL, "
       "agreed_delivery_date DATE NOT NULL, agreed_delivery_location_id INTEGER NOT NULL"},
  };
  return ddl;
}

// A processed object: {YYYY-MM-DD}/{table}_{packet_id:08d}_processed_{HHMMSSffffff}.parquet
struct ProcessedFile {
  std::string table;
  int64_t packet_id = 0;
  std::string key;
};

std::vector<ProcessedFile> processedFiles(lake::ObjectStore& lake, const std::string& bucket) {
  static const std::regex pattern(R"((?:.*/)?([a-z_]+)_(\d{8,})_processed_(\d+)\.parquet)");
  // Per table and packet, the newest processing of it (a later key sorts later).
  std::map<std::pair<std::string, int64_t>, std::string> newest;
  lake::ListRequest request;
  while (true) {
    auto page = lake.list(bucket, request);
    for (const auto& o : page.objects) {
      std::smatch m;
      if (!std::regex_match(o.key, m, pattern)) continue;
      auto& key = newest[{m[1], std::stoll(m[2])}];
      auto stamp = [](const std::string& k) { return k.substr(k.rfind("_processed_")); };
      if (key.empty() || std::make_pair(o.key.substr(0, 10), stamp(o.key)) >
                             std::make_pair(key.substr(0, 10), stamp(key)))
        key = o.key;
    }
    if (!page.truncated) break;
    request.continuation_token = page.next_continuation_token;
  }
  std::vector<ProcessedFile> out;
  for (const auto& [id, key] : newest) out.push_back({id.first, id.second, key});
  return out;
}

// The DuckDB warehouse: a database file of its own, opened for the load. One load at a
// time in a process (DuckDB lets one handle write a file).
class DuckdbWarehouse {
 public:
  explicit DuckdbWarehouse(const std::string& path)
      : lock_(mutex()), db_(data::EngineOptions{path, "", "", 0}), conn_(db_) {
    std::string ddl =
        "CREATE SEQUENCE IF NOT EXISTS sales_record_id_seq;\n"
        "CREATE TABLE IF NOT EXISTS sluice_loaded_packets (star_table VARCHAR, "
        "packet_id BIGINT, key VARCHAR, rows BIGINT, loaded_at TIMESTAMP, "
        "PRIMARY KEY (star_table, packet_id));\n";
    for (const auto& [table, columns] : warehouseTables()) {
      std::string c = columns;
      const std::string placeholder = "{record_id}";
      if (auto at = c.find(placeholder); at != std::string::npos)
        c.replace(at, placeholder.size(),
                  "INTEGER PRIMARY KEY DEFAULT nextval('sales_record_id_seq')");
      ddl += "CREATE TABLE IF NOT EXISTS " + table + " (" + c + ");\n";
    }
    conn_.query(ddl);
  }

  bool loaded(const std::string& table, int64_t packet_id) {
    return conn_
               .query("SELECT 1 FROM sluice_loaded_packets WHERE star_table = " +
                      sqlLiteral(table) + " AND packet_id = " + std::to_string(packet_id))
               .rowCount() > 0;
  }

  // The file's rows and its record in sluice_loaded_packets, in one transaction.
  int64_t load(const ProcessedFile& f, const std::string& parquet_path) {
    const std::string source = "read_parquet(" + sqlLiteral(parquet_path) + ")";
    auto columns = conn_.query("SELECT * FROM " + source + " LIMIT 0").columns();
    std::string list;
    for (const auto& c : columns) list += (list.empty() ? "" : ", ") + data::sqlIdentifier(c.name);
    conn_.query("BEGIN TRANSACTION");
    try {
      auto inserted = conn_.query("INSERT INTO " + f.table + " (" + list + ") SELECT " + list +
                                  " FROM " + source + " ON CONFLICT DO NOTHING");
      const int64_t rows =
          inserted.rowCount() && inserted.cell(0, 0) ? std::stoll(*inserted.cell(0, 0)) : 0;
      conn_.query("INSERT INTO sluice_loaded_packets VALUES (" + sqlLiteral(f.table) + ", " +
                  std::to_string(f.packet_id) + ", " + sqlLiteral(f.key) + ", " +
                  std::to_string(rows) + ", now())");
      conn_.query("COMMIT");
      return rows;
    } catch (...) {
      conn_.query("ROLLBACK");
      throw;
    }
  }

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  std::unique_lock<std::mutex> lock_;
  data::Database db_;
  data::Connection conn_;
};

}  // namespace

const std::vector<std::string>& starTablesInLoadOrder() {
  static const std::vector<std::string> order = {
      "dim_currency", "dim_design",       "dim_location",    "dim_date",
      "dim_staff",    "dim_counterparty", "fact_sales_order"};
  return order;
}

json loadStep(const json& event, const data::StepEnv& env) {
  const std::string bucket = event.value("processed_bucket", "processed");
  const json target = event.value("warehouse", json::object());
  if (!target.contains("duckdb"))
    throw Error(errc::kInvalidArgument,
                "\"warehouse\" must be {\"duckdb\": PATH}; a PostgreSQL warehouse is not "
                "supported yet");
  DuckdbWarehouse warehouse(target["duckdb"].get<std::string>());

  const auto files = processedFiles(env.lake, bucket);
  json loaded = json::object();
  int64_t total = 0;
  for (const auto& table : starTablesInLoadOrder()) {
    int64_t packets = 0, rows = 0;
    for (const auto& f : files) {
      if (f.table != table || warehouse.loaded(f.table, f.packet_id)) continue;
      auto path = env.lake.localPath(bucket, f.key);
      if (!path) throw Error(errc::kInternal, "lake://" + bucket + "/" + f.key + " is not local");
      rows += warehouse.load(f, *path);
      packets++;
    }
    if (packets > 0) loaded[table] = {{"packets", packets}, {"rows", rows}};
    total += rows;
  }
  env.log(std::to_string(total) + " rows loaded this run");
  return {{"statusCode", 200}, {"loaded", loaded}, {"rows", total}};
}

}  // namespace sluice::pipelines::totesys
