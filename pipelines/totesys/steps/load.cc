#include "pipelines/totesys/steps/load.h"

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <regex>

#include "core/error.h"
#include "core/ids.h"
#include "data/duckdb_engine.h"
#include "data/sql_source.h"
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
  lake.forEachObject(bucket, "", [&](const lake::ObjectInfo& o) {
    std::smatch m;
    if (!std::regex_match(o.key, m, pattern)) return;
    auto& key = newest[{m[1], std::stoll(m[2])}];
    auto stamp = [](const std::string& k) { return k.substr(k.rfind("_processed_")); };
    if (key.empty() || std::make_pair(o.key.substr(0, 10), stamp(o.key)) >
                           std::make_pair(key.substr(0, 10), stamp(key)))
      key = o.key;
  });
  std::vector<ProcessedFile> out;
  for (const auto& [id, key] : newest) out.push_back({id.first, id.second, key});
  return out;
}

// Where the star schema is loaded. Each packet's rows and its row in
// sluice_loaded_packets are committed together.
class Warehouse {
 public:
  virtual ~Warehouse() = default;
  virtual bool loaded(const std::string& table, int64_t packet_id) = 0;
  // Returns the rows inserted (dimension rows already there are left as they are).
  virtual int64_t load(const ProcessedFile& f, const std::string& parquet_path) = 0;

 protected:
  // The schema's DDL with the fact's generated key spelled `record_id`.
  static std::string schemaDdl(const std::string& record_id) {
    std::string ddl =
        "CREATE TABLE IF NOT EXISTS sluice_loaded_packets (star_table VARCHAR, "
        "packet_id BIGINT, key VARCHAR, rows BIGINT, loaded_at TIMESTAMP, "
        "PRIMARY KEY (star_table, packet_id));\n";
    for (const auto& [table, columns] : warehouseTables()) {
      std::string c = columns;
      const std::string placeholder = "{record_id}";
      if (auto at = c.find(placeholder); at != std::string::npos)
        c.replace(at, placeholder.size(), record_id);
      ddl += "CREATE TABLE IF NOT EXISTS " + table + " (" + c + ");\n";
    }
    return ddl;
  }
  static std::string loadedCheck(const std::string& table, int64_t packet_id) {
    return "SELECT 1 AS loaded FROM sluice_loaded_packets WHERE star_table = " + sqlLiteral(table) +
           " AND packet_id = " + std::to_string(packet_id);
  }
  static std::string record(const ProcessedFile& f, int64_t rows) {
    return "INSERT INTO sluice_loaded_packets VALUES (" + sqlLiteral(f.table) + ", " +
           std::to_string(f.packet_id) + ", " + sqlLiteral(f.key) + ", " + std::to_string(rows) +
           ", now())";
  }
};

// The columns of a processed file, as a list for INSERT and SELECT.
std::string columnList(data::Connection& conn, const std::string& parquet_path) {
  auto columns =
      conn.query("SELECT * FROM read_parquet(" + sqlLiteral(parquet_path) + ") LIMIT 0").columns();
  std::string list;
  for (const auto& c : columns) list += (list.empty() ? "" : ", ") + data::sqlIdentifier(c.name);
  return list;
}

// The DuckDB warehouse (the default): a database file of its own, opened for the load.
// One load at a time in a process (DuckDB lets one handle write a file).
class DuckdbWarehouse : public Warehouse {
 public:
  explicit DuckdbWarehouse(const std::string& path)
      : lock_(mutex()), db_(data::EngineOptions{path, "", "", 0}), conn_(db_) {
    conn_.query("CREATE SEQUENCE IF NOT EXISTS sales_record_id_seq;\n" +
                schemaDdl("INTEGER PRIMARY KEY DEFAULT nextval('sales_record_id_seq')"));
  }

  bool loaded(const std::string& table, int64_t packet_id) override {
    return conn_.query(loadedCheck(table, packet_id)).rowCount() > 0;
  }

  int64_t load(const ProcessedFile& f, const std::string& parquet_path) override {
    const std::string list = columnList(conn_, parquet_path);
    conn_.query("BEGIN TRANSACTION");
    try {
      auto inserted = conn_.query("INSERT INTO " + f.table + " (" + list + ") SELECT " + list +
                                  " FROM read_parquet(" + sqlLiteral(parquet_path) +
                                  ") ON CONFLICT DO NOTHING");
      const int64_t rows = std::stoll(inserted.cell(0, 0).value_or("0"));
      conn_.query(record(f, rows));
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

// A PostgreSQL warehouse: DuckDB turns each Parquet file into CSV, COPY sends it to a
// staging table, and one INSERT … ON CONFLICT DO NOTHING moves it into place.
class PostgresWarehouse : public Warehouse {
 public:
  PostgresWarehouse(const std::string& conninfo, data::Database& duckdb, std::string scratch_dir)
      : pg_(data::openSqlSource({{"postgres", conninfo}})),
        duckdb_(duckdb),
        scratch_dir_(std::move(scratch_dir)) {
    pg_->execute(schemaDdl("SERIAL PRIMARY KEY"));
  }

  bool loaded(const std::string& table, int64_t packet_id) override {
    bool found = false;
    pg_->query(loadedCheck(table, packet_id), {}, [&](json&&) { found = true; });
    return found;
  }

  int64_t load(const ProcessedFile& f, const std::string& parquet_path) override {
    data::Connection conn(duckdb_);
    const std::string list = columnList(conn, parquet_path);
    const std::string csv = scratch_dir_ + "/load-" + core::randomHex(8) + ".csv";
    struct Cleanup {
      std::string p;
      ~Cleanup() { std::remove(p.c_str()); }
    } cleanup{csv};
    conn.query("COPY (SELECT " + list + " FROM read_parquet(" + sqlLiteral(parquet_path) +
               ")) TO " + sqlLiteral(csv) + " (FORMAT CSV, HEADER false)");
    pg_->execute("BEGIN");
    try {
      pg_->execute("CREATE TEMP TABLE staging ON COMMIT DROP AS SELECT " + list + " FROM " +
                   f.table + " WITH NO DATA");
      pg_->copyCsv("staging", list, csv);
      int64_t rows = 0;
      pg_->query("WITH inserted AS (INSERT INTO " + f.table + " (" + list + ") SELECT " + list +
                     " FROM staging ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) AS n "
                     "FROM inserted",
                 {}, [&](json&& row) { rows = row["n"]; });
      pg_->execute(record(f, rows));
      pg_->execute("COMMIT");
      return rows;
    } catch (...) {
      pg_->execute("ROLLBACK");
      throw;
    }
  }

 private:
  std::unique_ptr<data::SqlSource> pg_;
  data::Database& duckdb_;
  std::string scratch_dir_;
};

std::unique_ptr<Warehouse> openWarehouse(const json& target, const data::StepEnv& env) {
  if (target.contains("duckdb"))
    return std::make_unique<DuckdbWarehouse>(target["duckdb"].get<std::string>());
  if (target.contains("postgres"))
    return std::make_unique<PostgresWarehouse>(target["postgres"].get<std::string>(), env.duckdb,
                                               env.scratch_dir);
  throw Error(errc::kInvalidArgument,
              "\"warehouse\" must be {\"duckdb\": PATH} or {\"postgres\": CONNINFO}");
}

}  // namespace

const std::vector<std::string>& starTablesInLoadOrder() {
  static const std::vector<std::string> order = {
      "dim_currency", "dim_design",       "dim_location",    "dim_date",
      "dim_staff",    "dim_counterparty", "fact_sales_order"};
  return order;
}

json loadStep(const json& event, const data::StepEnv& env) {
  const std::string bucket = event.value("processed_bucket", "processed");
  auto warehouse = openWarehouse(event.value("warehouse", json::object()), env);

  const auto files = processedFiles(env.lake, bucket);
  json loaded = json::object();
  int64_t total = 0;
  for (const auto& table : starTablesInLoadOrder()) {
    int64_t packets = 0, rows = 0;
    for (const auto& f : files) {
      if (f.table != table || warehouse->loaded(f.table, f.packet_id)) continue;
      rows += warehouse->load(f, env.lake.requireLocalPath(bucket, f.key));
      packets++;
    }
    if (packets > 0) loaded[table] = {{"packets", packets}, {"rows", rows}};
    total += rows;
  }
  env.log(std::to_string(total) + " rows loaded this run");
  return {{"statusCode", 200}, {"loaded", loaded}, {"rows", total}};
}

}  // namespace sluice::pipelines::totesys
