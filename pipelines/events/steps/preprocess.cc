// Preprocess (SPEC 004 §2): inbound files checked against the metadata CSV.
#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "core/error.h"
#include "core/text.h"
#include "data/duckdb_engine.h"
#include "data/table_io.h"
#include "lake/object_store.h"
#include "pipelines/events/steps/bucket.h"
#include "pipelines/events/steps/steps.h"

namespace sluice::pipelines::events {

namespace {

using data::sqlLiteral;
using nlohmann::json;

struct MetadataRow {
  std::string inbound, preprocess, prefix, delimiter, target;
  std::vector<std::string> columns;
};

std::vector<std::string> split(const std::string& text, const std::string& delimiter) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(delimiter, start);
    out.push_back(text.substr(start, at - start));
    if (at == std::string::npos) return out;
    start = at + delimiter.size();
  }
}

std::vector<MetadataRow> readMetadata(data::Connection& conn, const Bucket& bucket,
                                      const std::string& key) {
  if (!bucket.exists(key))
    throw Error(errc::kInvalidArgument, "no metadata CSV at " + bucket.url(key));
  auto r = conn.query("SELECT * FROM read_csv(" + sqlLiteral(bucket.path(key)) +
                      ", all_varchar = true, header = true)");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < r.columns().size(); i++) col[r.columns()[i].name] = i;
  for (const char* c : {"inbound_location", "preprocess_location", "file_prefix", "delimiter",
                        "expected_column_list", "target_table_name"})
    if (!col.count(c))
      throw Error(errc::kInvalidArgument, bucket.url(key) + " has no column '" + c + "'");
  std::vector<MetadataRow> rows;
  for (size_t i = 0; i < r.rowCount(); i++) {
    auto cell = [&](const char* c) { return r.cell(i, col[c]).value_or(""); };
    MetadataRow m{cell("inbound_location"),  cell("preprocess_location"),
                  cell("file_prefix"),       cell("delimiter"),
                  cell("target_table_name"), split(cell("expected_column_list"), ",")};
    for (auto* loc : {&m.inbound, &m.preprocess})
      if (!loc->empty() && loc->back() != '/') *loc += '/';
    if (m.delimiter.empty()) m.delimiter = ",";
    rows.push_back(std::move(m));
  }
  // The longest prefix first, so LMHC_EVENT_DEL_ files are not taken for LMHC_EVENT_.
  std::stable_sort(rows.begin(), rows.end(), [](const MetadataRow& a, const MetadataRow& b) {
    return a.prefix.size() > b.prefix.size();
  });
  return rows;
}

bool validUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int extra = c < 0x80           ? 0
                      : (c >> 5) == 0x6  ? 1
                      : (c >> 4) == 0xE  ? 2
                      : (c >> 3) == 0x1E ? 3
                                         : -1;
    if (extra < 0 || (c < 0x20 && c != '\t')) return false;
    for (int k = 1; k <= extra; k++)
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += 1 + extra;
  }
  return true;
}

// "" when the file passes, else why not.
std::string check(const std::string& name, const std::string& path, const MetadataRow& m) {
  const std::regex pattern("^" + m.prefix + R"((\d{14}|\d{8})\.csv$)", std::regex::icase);
  if (!std::regex_match(name, pattern))
    return "file name does not match " + m.prefix + "YYYYMMDD[hhmmss].csv";
  std::ifstream in(path, std::ios::binary);
  std::string header;
  if (!in || !std::getline(in, header)) return "file is empty or unreadable";
  if (!header.empty() && header.back() == '\r') header.pop_back();
  if (header.rfind("\xEF\xBB\xBF", 0) == 0) header.erase(0, 3);
  if (!validUtf8(header)) return "file is not readable as text (its first line is not UTF-8)";
  const auto got = split(header, m.delimiter);
  if (got != m.columns) {
    std::string expected;
    for (const auto& c : m.columns) expected += (expected.empty() ? "" : m.delimiter) + c;
    // Quoted in the reason, which is also the error copy's metadata: kept short.
    auto shortened = [](const std::string& t) {
      return t.size() > 300 ? t.substr(0, 300) + "..." : t;
    };
    return "header does not match the expected columns: expected '" + shortened(expected) +
           "', got '" + shortened(header) + "'";
  }
  std::string line;
  bool rows = false;
  while (!rows && std::getline(in, line)) rows = !line.empty() && line != "\r";
  if (!rows) return "file has a header but no rows";
  return "";
}

}  // namespace

json preprocessStep(const json& event, const data::StepEnv& env) {
  Bucket bucket(event, env);
  data::Connection conn(env.duckdb);
  const auto metadata =
      readMetadata(conn, bucket, event.value("metadata", "common/metadata/lm_metadata.csv"));

  json files = json::object();  // file name → its outcome
  // A failed file is kept whole as error/{name}, its reason as object metadata.
  auto reject = [&](const std::string& key, const std::string& name, const std::string& reason) {
    lake::PutOptions keep;
    keep.content_type = "text/csv";
    std::string header_safe = reason;  // metadata travels as an HTTP header: one line
    for (auto& c : header_safe)
      if (c == '\n' || c == '\r') c = ' ';
    keep.user_metadata["reason"] = header_safe;
    env.lake.copy(bucket.name(), key, bucket.name(), "error/" + name, keep);
    env.lake.remove(bucket.name(), key);
    env.log("WARNING: " + bucket.url(key) + " moved to error/" + name + ": " + reason);
    files[name]["status"] = "error";
    files[name]["reason"] = reason;
  };
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> good;  // target → files
  std::map<std::string, const MetadataRow*> row_of;
  std::set<std::string> consumed;  // files a longer prefix already took
  for (const auto& m : metadata) {
    // Listed first: rejected files are moved while nothing is being listed.
    std::vector<std::string> keys;
    env.lake.forEachObject(bucket.name(), m.inbound,
                           [&](const lake::ObjectInfo& o) { keys.push_back(o.key); });
    for (const auto& key : keys) {
      const std::string name = key.substr(m.inbound.size());
      if (name.find('/') != std::string::npos) continue;
      if (core::toLower(name).rfind(core::toLower(m.prefix), 0) != 0) continue;
      if (!consumed.insert(key).second) continue;
      files[name] = {{"file", name}, {"table", m.target}, {"status", "ok"}};
      const std::string reason = check(name, bucket.path(key), m);
      if (!reason.empty()) {
        reject(key, name, reason);
        continue;
      }
      good[m.target].emplace_back(key, name);
      row_of[m.target] = &m;
    }
  }
  for (const auto& [target, inputs] : good) {
    const MetadataRow& m = *row_of[target];
    std::string list;
    for (const auto& [key, name] : inputs)
      list += (list.empty() ? "" : ", ") + sqlLiteral(bucket.path(key));
    const std::string out = m.preprocess + target + "/data.parquet";
    try {
      const int64_t rows = bucket.write(conn,
                                        "SELECT *, now()::TIMESTAMP AS processing_timestamp FROM " +
                                            textCsv("[" + list + "]", m.delimiter, m.columns),
                                        // A scratch layer, read once by landing and removed by the
                                        // cleanup: compressing it would cost more than it saves.
                                        out, {{"compression", "uncompressed"}});
      for (const auto& [key, name] : inputs) env.lake.remove(bucket.name(), key);
      env.log("preprocess: " + std::to_string(inputs.size()) + " file(s), " + std::to_string(rows) +
              " rows → " + bucket.url(out));
    } catch (const Error& e) {
      // Not readable with the delimiter after all: the table's files go to the error area.
      for (const auto& [key, name] : inputs)
        reject(key, name, std::string("file is not readable as CSV: ") + e.what());
    }
  }
  json list = json::array();
  for (auto& [name, outcome] : files.items()) list.push_back(outcome);
  return {{"files", list}};
}

}  // namespace sluice::pipelines::events
