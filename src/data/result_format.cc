#include "data/result_format.h"

#include <algorithm>

#include "core/error.h"
#include "data/duckdb_engine.h"

namespace sluice::data {

ResultFormat parseResultFormat(const std::string& name) {
  if (name == "table") return ResultFormat::kTable;
  if (name == "csv") return ResultFormat::kCsv;
  if (name == "json") return ResultFormat::kJson;
  if (name == "jsonl") return ResultFormat::kJsonLines;
  throw Error(errc::kInvalidArgument,
              "unknown format '" + name + "' (expected table, csv, json or jsonl)");
}

namespace {

// Display width in terminal columns: counts UTF-8 code points, not bytes.
size_t displayWidth(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool isNumericType(const std::string& t) {
  return t.find("INT") != std::string::npos || t == "FLOAT" || t == "DOUBLE" ||
         t.rfind("DECIMAL", 0) == 0;
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void writeTable(const QueryResult& r, std::ostream& out) {
  const auto& cols = r.columns();
  std::vector<size_t> width(cols.size());
  for (size_t c = 0; c < cols.size(); c++) width[c] = displayWidth(cols[c].name);
  const std::string null_text = "NULL";
  for (size_t row = 0; row < r.rowCount(); row++)
    for (size_t c = 0; c < cols.size(); c++) {
      const auto& v = r.cell(row, c);
      width[c] = std::max(width[c], displayWidth(v ? *v : null_text));
    }
  auto pad = [&](const std::string& s, size_t w, bool right) {
    std::string fill(w - std::min(w, displayWidth(s)), ' ');
    out << (right ? fill + s : s + fill);
  };
  auto rule = [&] {
    for (size_t c = 0; c < cols.size(); c++) out << (c ? "-+-" : "") << std::string(width[c], '-');
    out << '\n';
  };
  for (size_t c = 0; c < cols.size(); c++) {
    out << (c ? " | " : "");
    pad(cols[c].name, width[c], isNumericType(cols[c].type));
  }
  out << '\n';
  rule();
  for (size_t row = 0; row < r.rowCount(); row++) {
    for (size_t c = 0; c < cols.size(); c++) {
      out << (c ? " | " : "");
      const auto& v = r.cell(row, c);
      pad(v ? *v : null_text, width[c], isNumericType(cols[c].type));
    }
    out << '\n';
  }
  out << "(" << r.rowCount() << (r.rowCount() == 1 ? " row)" : " rows)") << '\n';
}

}  // namespace

void writeResult(const QueryResult& r, ResultFormat format, std::ostream& out) {
  switch (format) {
    case ResultFormat::kTable:
      writeTable(r, out);
      break;
    case ResultFormat::kCsv:
      for (size_t c = 0; c < r.columns().size(); c++)
        out << (c ? "," : "") << csvField(r.columns()[c].name);
      out << '\n';
      for (size_t row = 0; row < r.rowCount(); row++) {
        for (size_t c = 0; c < r.columns().size(); c++) {
          const auto& v = r.cell(row, c);
          out << (c ? "," : "") << (v ? csvField(*v) : "");
        }
        out << '\n';
      }
      break;
    case ResultFormat::kJson: {
      nlohmann::json arr = nlohmann::json::array();
      for (size_t row = 0; row < r.rowCount(); row++) arr.push_back(r.rowJson(row));
      out << arr.dump(2) << '\n';
      break;
    }
    case ResultFormat::kJsonLines:
      for (size_t row = 0; row < r.rowCount(); row++) out << r.rowJson(row).dump() << '\n';
      break;
  }
}

}  // namespace sluice::data
