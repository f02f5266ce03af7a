#include "data/json_lines_writer.h"

#include <algorithm>
#include <memory>
#include <string_view>
#include <vector>

#include "data/buffered_file.h"
#include "data/duckdb_engine.h"
#include "data/value_text.h"

namespace sluice::data {

namespace {

// Writes the rows of chunks, each into buffer room sized for its longest possible text.
class ObjectWriter {
 public:
  explicit ObjectWriter(const std::vector<StreamedColumn>& columns) : columns_(columns) {
    for (size_t c = 0; c < columns.size(); c++) {
      std::string key(6 * columns[c].name.size() + 3, '\0');
      char* end = formatJsonString(key.data(), columns[c].name, HexCase::kUpper);
      *end++ = ':';
      key.resize(static_cast<size_t>(end - key.data()));
      keys_.push_back((c ? "," : "{") + key);
    }
  }

  void rows(BufferedFile& out, const StreamedChunk& chunk) const {
    char* at = out.room(longest(chunk));
    for (size_t r = 0; r < chunk.rows(); r++) {
      for (size_t c = 0; c < columns_.size(); c++) {
        at = std::copy(keys_[c].begin(), keys_[c].end(), at);
        at = value(at, chunk, c, r);
      }
      at = std::copy_n("}\n", 2, at);  // a query has at least one column
    }
    out.advance(at);
  }

 private:
  char* value(char* at, const StreamedChunk& chunk, size_t c, size_t r) const {
    if (chunk.isNull(c, r)) return std::copy_n("null", 4, at);
    switch (columns_[c].as) {
      case StreamedType::kText:
        return formatJsonString(at, chunk.text(c, r), HexCase::kUpper);
      case StreamedType::kJson: {
        const std::string_view json = chunk.text(c, r);
        return std::copy(json.begin(), json.end(), at);
      }
      case StreamedType::kDouble:
        return formatJsonDouble(at, chunk.value<double>(c, r));
      case StreamedType::kDate:  // a date's text needs no escaping
        *at++ = '"';
        at = formatStreamed(at, StreamedType::kDate, chunk, c, r);
        *at++ = '"';
        return at;
      default:
        return formatStreamed(at, columns_[c].as, chunk, c, r);
    }
  }

  size_t longest(const StreamedChunk& chunk) const {
    size_t per_row = 3;
    for (const auto& key : keys_) per_row += key.size() + kMaxValueText + 2;
    size_t bytes = chunk.rows() * per_row;
    for (size_t c = 0; c < columns_.size(); c++) {
      const bool text = columns_[c].as == StreamedType::kText;
      if (!text && columns_[c].as != StreamedType::kJson) continue;
      for (size_t r = 0; r < chunk.rows(); r++)
        if (!chunk.isNull(c, r)) bytes += (text ? 6 : 1) * chunk.text(c, r).size();
    }
    return bytes;
  }

  const std::vector<StreamedColumn> columns_;
  std::vector<std::string> keys_;  // `{"name":` for the first column, `,"name":` after
};

}  // namespace

int64_t writeJsonLines(Connection& conn, const std::string& sql, const std::string& path,
                       const std::function<void(int64_t rows)>& rows_done) {
  return streamToFile(
      conn, sql, Connection::OtherTypesAs::kJson, path,
      [](const std::vector<StreamedColumn>& columns, BufferedFile& out) -> ChunkSink {
        auto writer = std::make_shared<ObjectWriter>(columns);
        return [writer, &out](const StreamedChunk& chunk) { writer->rows(out, chunk); };
      },
      rows_done);
}

}  // namespace sluice::data
