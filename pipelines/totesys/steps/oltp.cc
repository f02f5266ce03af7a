#include "pipelines/totesys/steps/oltp.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.h"
#include "data/sql_source.h"

namespace sluice::pipelines::totesys {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::unique_ptr<data::SqlSource> open(const OltpTarget& target) {
  if (!target.sqlite_path.empty())
    return data::openSqlSource({{"sqlite", target.sqlite_path}}, /*writable=*/true);
  return data::openSqlSource({{"postgres", target.postgres_conninfo}}, true);
}

// "YYYY-MM-DD HH:MM:SS.mmm" → the packet's folder and the time part of its name.
std::string packetFolder(const std::string& stamp) { return stamp.substr(0, 10); }
std::string packetTime(const std::string& stamp) {
  return stamp.substr(11, 2) + stamp.substr(14, 2) + stamp.substr(17, 2) + stamp.substr(20, 3) +
         "000";
}

bool fullEachRun(const std::string& table) { return table == "address" || table == "department"; }

}  // namespace

const std::vector<std::string>& sourceTableOrder() {
  static const std::vector<std::string> order = {
      "address", "department", "currency", "design", "counterparty", "staff", "sales_order"};
  return order;
}

void applyRound(const OltpTarget& target, const GeneratorOptions& options, int round) {
  auto db = open(target);
  db->execute("BEGIN");
  try {
    generateRound(options, round, [&](const std::string& sql) { db->execute(sql); });
    db->execute("COMMIT");
  } catch (...) {
    db->execute("ROLLBACK");
    throw;
  }
}

int writePackets(const std::string& dir, const GeneratorOptions& options, int rounds,
                 const std::string& format) {
  fs::create_directories(dir);
  const fs::path db_path = fs::path(dir) / ".totesys-oltp.db";
  fs::remove(db_path);
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove(p, ec);
    }
  } cleanup{db_path};

  const bool as_array = format == "json";
  std::map<std::string, int64_t> packet_ids;
  int written = 0;
  for (int round = 0; round < rounds; round++) {
    applyRound({db_path.string(), ""}, options, round);
    const std::string stamp = roundStart(round);
    const std::string since = round == 0 ? "" : stamp;  // round 0: everything
    auto db = data::openSqlSource({{"sqlite", db_path.string()}});
    for (const auto& table : sourceTableOrder()) {
      std::string sql = "SELECT * FROM " + table;
      std::vector<std::string> params;
      if (!fullEachRun(table)) {
        sql += " WHERE last_updated >= ?1 ORDER BY last_updated";
        params.push_back(since);
      }
      // Rows stream into the file, opened at the first row: a table without changes
      // gets no packet.
      std::ofstream out;
      fs::path file;
      int64_t rows = 0;
      db->query(sql, params, [&](json&& row) {
        if (rows++ == 0) {
          char name[256];
          std::snprintf(name, sizeof name, "%s_%08lld_%s.jsonl", table.c_str(),
                        static_cast<long long>(++packet_ids[table]), packetTime(stamp).c_str());
          file = fs::path(dir) / packetFolder(stamp) / name;
          fs::create_directories(file.parent_path());
          out.open(file, std::ios::binary);
          if (as_array) out << "[\n";
        } else if (as_array) {
          out << ",\n";
        }
        out << (as_array ? row.dump(4) : row.dump());
        if (!as_array) out << '\n';
      });
      if (rows == 0) continue;
      if (as_array) out << "\n]";
      out.close();
      if (!out) throw Error(errc::kIo, "cannot write " + file.string());
      written++;
    }
  }
  return written;
}

}  // namespace sluice::pipelines::totesys
