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

using Rows = std::vector<std::vector<std::optional<std::string>>>;

void writeTable(const std::vector<QueryResult::Column>& cols, const Rows& rows, std::ostream& out) {
  std::vector<size_t> width(cols.size());
  for (size_t c = 0; c < cols.size(); c++) width[c] = displayWidth(cols[c].name);
  const std::string null_text = "NULL";
  for (const auto& row : rows)
    for (size_t c = 0; c < cols.size(); c++)
      width[c] = std::max(width[c], displayWidth(row[c] ? *row[c] : null_text));
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
  for (const auto& row : rows) {
    for (size_t c = 0; c < cols.size(); c++) {
      out << (c ? " | " : "");
      pad(row[c] ? *row[c] : null_text, width[c], isNumericType(cols[c].type));
    }
    out << '\n';
  }
  out << "(" << rows.size() << (rows.size() == 1 ? " row)" : " rows)") << '\n';
}

// CSV, JSON and JSON lines, written a row at a time, so a streamed query needs no more
// than one row in memory.
class RowWriter {
 public:
  RowWriter(ResultFormat format, std::ostream& out) : format_(format), out_(out) {}

  void columns(const std::vector<QueryResult::Column>& columns) {
    columns_ = columns;
    if (format_ == ResultFormat::kCsv) {
      for (size_t c = 0; c < columns_.size(); c++)
        out_ << (c ? "," : "") << csvField(columns_[c].name);
      out_ << '\n';
    } else if (format_ == ResultFormat::kJson) {
      out_ << '[';
    }
  }

  void row(const std::vector<std::optional<std::string>>& values) {
    if (format_ == ResultFormat::kCsv) {
      for (size_t c = 0; c < values.size(); c++)
        out_ << (c ? "," : "") << (values[c] ? csvField(*values[c]) : "");
      out_ << '\n';
      return;
    }
    nlohmann::json obj = nlohmann::json::object();
    for (size_t c = 0; c < values.size(); c++)
      obj[columns_[c].name] = cellJson(columns_[c].type, values[c]);
    if (format_ == ResultFormat::kJsonLines) {
      out_ << obj.dump() << '\n';
    } else {  // an array, indented as nlohmann's dump(2) would
      std::string item = obj.dump(2);
      for (size_t at = item.find('\n'); at != std::string::npos; at = item.find('\n', at + 3))
        item.replace(at, 1, "\n  ");
      out_ << (rows_ ? ",\n  " : "\n  ") << item;
    }
    rows_++;
  }

  void end() {
    if (format_ == ResultFormat::kJson) out_ << (rows_ ? "\n]\n" : "]\n");
  }

 private:
  ResultFormat format_;
  std::ostream& out_;
  std::vector<QueryResult::Column> columns_;
  size_t rows_ = 0;
};

}  // namespace

void writeResult(const QueryResult& r, ResultFormat format, std::ostream& out) {
  Rows rows(r.rowCount(), std::vector<std::optional<std::string>>(r.columns().size()));
  for (size_t row = 0; row < rows.size(); row++)
    for (size_t c = 0; c < r.columns().size(); c++) rows[row][c] = r.cell(row, c);
  if (format == ResultFormat::kTable) {
    writeTable(r.columns(), rows, out);
    return;
  }
  RowWriter writer(format, out);
  writer.columns(r.columns());
  for (const auto& row : rows) writer.row(row);
  writer.end();
}

void streamResult(Connection& conn, const std::string& sql, ResultFormat format,
                  std::ostream& out) {
  if (format == ResultFormat::kTable) {  // its column widths need every row first
    std::vector<QueryResult::Column> columns;
    Rows rows;
    conn.streamQuery(
        sql, [&](const std::vector<QueryResult::Column>& c) { columns = c; },
        [&](const std::vector<std::optional<std::string>>& values) { rows.push_back(values); });
    writeTable(columns, rows, out);
    return;
  }
  RowWriter writer(format, out);
  conn.streamQuery(
      sql, [&](const std::vector<QueryResult::Column>& columns) { writer.columns(columns); },
      [&](const std::vector<std::optional<std::string>>& values) { writer.row(values); });
  writer.end();
}

}  // namespace sluice::data
