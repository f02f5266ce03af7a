#include "data/result_format.h"

#include <algorithm>
#include <string_view>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/value_text.h"

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

void appendCsvField(std::string& out, const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// `s` as a JSON string, escaped as nlohmann's dump() escapes it.
void appendJsonString(std::string& out, std::string_view s) {
  const size_t at = out.size();
  out.resize(at + 6 * s.size() + 2);
  out.resize(
      static_cast<size_t>(formatJsonString(out.data() + at, s, HexCase::kLower) - out.data()));
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
    for (const auto& c : columns_) kinds_.push_back(jsonKind(c.type));
    // JSON lines keep the key order of a JSON object, sorted, a repeated name's last value.
    for (size_t c = 0; c < columns_.size(); c++) {
      auto same = std::find_if(keys_.begin(), keys_.end(), [&](const Key& k) {
        return columns_[k.column].name == columns_[c].name;
      });
      if (same != keys_.end()) keys_.erase(same);
      keys_.push_back({c, nlohmann::json(columns_[c].name).dump() + ":"});
    }
    std::sort(keys_.begin(), keys_.end(), [&](const Key& a, const Key& b) {
      return columns_[a.column].name < columns_[b.column].name;
    });
    if (format_ == ResultFormat::kCsv) {
      for (size_t c = 0; c < columns_.size(); c++) {
        if (c) buffer_ += ',';
        appendCsvField(buffer_, columns_[c].name);
      }
      buffer_ += '\n';
    } else if (format_ == ResultFormat::kJson) {
      buffer_ += '[';
    }
  }

  void row(const std::vector<std::optional<std::string>>& values) {
    if (format_ == ResultFormat::kCsv) {
      for (size_t c = 0; c < values.size(); c++) {
        if (c) buffer_ += ',';
        if (values[c]) appendCsvField(buffer_, *values[c]);
      }
      buffer_ += '\n';
    } else if (format_ == ResultFormat::kJsonLines) {
      // Written directly: the same bytes as the object's dump(), without building it.
      buffer_ += '{';
      for (size_t k = 0; k < keys_.size(); k++) {
        if (k) buffer_ += ',';
        buffer_ += keys_[k].dumped;
        const size_t c = keys_[k].column;
        if (!values[c])
          buffer_ += "null";
        else if (kinds_[c] == JsonKind::kBoolean)
          buffer_ += *values[c] == "true" ? "true" : "false";
        else if (kinds_[c] == JsonKind::kInteger)
          buffer_ += *values[c];
        else if (kinds_[c] == JsonKind::kText)
          appendJsonString(buffer_, *values[c]);
        else
          buffer_ += cellJson(kinds_[c], values[c]).dump();
      }
      buffer_ += "}\n";
    } else {  // an array, indented as nlohmann's dump(2) would
      nlohmann::json obj = nlohmann::json::object();
      for (size_t c = 0; c < values.size(); c++)
        obj[columns_[c].name] = cellJson(kinds_[c], values[c]);
      std::string item = obj.dump(2);
      for (size_t at = item.find('\n'); at != std::string::npos; at = item.find('\n', at + 3))
        item.replace(at, 1, "\n  ");
      buffer_ += rows_ ? ",\n  " : "\n  ";
      buffer_ += item;
    }
    rows_++;
    if (buffer_.size() >= kFlushAt) flush();
  }

  void end() {
    if (format_ == ResultFormat::kJson) buffer_ += rows_ ? "\n]\n" : "]\n";
    flush();
  }

 private:
  // Rows go out in pieces of about this size: a stream's per-call cost (locking, stdio
  // synchronisation) once per row was half the time of a large result.
  static constexpr size_t kFlushAt = 1 << 18;
  void flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }

  struct Key {
    size_t column;
    std::string dumped;  // the name as JSON, and a colon
  };
  ResultFormat format_;
  std::ostream& out_;
  std::vector<QueryResult::Column> columns_;
  std::vector<JsonKind> kinds_;
  std::vector<Key> keys_;
  size_t rows_ = 0;
  std::string buffer_;
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
