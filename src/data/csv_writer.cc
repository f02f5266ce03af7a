#include "data/csv_writer.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "data/buffered_file.h"
#include "data/duckdb_engine.h"
#include "data/value_text.h"

namespace sluice::data {

namespace {

// Fields as DuckDB writes them: quoted when they need it.
class FieldWriter {
 public:
  explicit FieldWriter(const CsvDialect& dialect) : dialect_(dialect) {
    for (char c : {'\n', '\r', dialect.quote, dialect.delimiter})
      special_[static_cast<unsigned char>(c)] = true;
  }

  // Whether text made only of `alphabet`'s bytes can ever need quotes.
  bool mayNeedQuotes(std::string_view alphabet) const {
    return std::any_of(alphabet.begin(), alphabet.end(), [&](char c) { return isSpecial(c); });
  }

  // Writes `text` at `at`, which has room for 2 * size + 2 bytes, and returns the end.
  char* write(char* at, std::string_view text) const {
    const bool quoted = text.empty() ||  // else it would read back as NULL
                        std::any_of(text.begin(), text.end(), [&](char c) { return isSpecial(c); });
    if (!quoted) return std::copy(text.begin(), text.end(), at);
    *at++ = dialect_.quote;
    for (char c : text) {
      if (c == dialect_.quote || c == dialect_.escape) *at++ = dialect_.escape;
      *at++ = c;
    }
    *at++ = dialect_.quote;
    return at;
  }

 private:
  bool isSpecial(char c) const { return special_[static_cast<unsigned char>(c)]; }
  const CsvDialect dialect_;
  std::array<bool, 256> special_{};
};

// The text of recent dates, by day number modulo the table's size: the dates of a column
// mostly fall within a few years of each other.
class DateTexts {
 public:
  // Only a DATE column's table holds entries.
  explicit DateTexts(bool used) : entries_(used ? 1024 : 0) {}
  char* write(char* at, int32_t days) {
    Entry& e = entries_[static_cast<uint32_t>(days) % entries_.size()];
    if (e.length == 0 || e.days != days) {
      e.days = days;
      e.length = static_cast<uint8_t>(formatDate(e.text, days) - e.text);
    }
    return std::copy(e.text, e.text + e.length, at);
  }

 private:
  struct Entry {
    int32_t days = 0;
    uint8_t length = 0;
    char text[kMaxValueText];
  };
  std::vector<Entry> entries_;
};

// The bytes each natively formatted type's text can hold.
std::string_view alphabet(StreamedType type) {
  switch (type) {
    case StreamedType::kBoolean:
      return "truefals";
    case StreamedType::kDouble:
      return "-+.0123456789enaif";
    case StreamedType::kDate:
      return "-0123456789 (BC)infty";
    case StreamedType::kText:
    case StreamedType::kJson:  // not asked for here
      return {};
    default:
      return "-0123456789";
  }
}

// The text of a value of a type other than kText, at `at`; dates through the cache.
char* formatValue(char* at, StreamedType type, const StreamedChunk& chunk, size_t col, size_t row,
                  DateTexts& dates) {
  if (type == StreamedType::kDate) return dates.write(at, chunk.value<int32_t>(col, row));
  return formatStreamed(at, type, chunk, col, row);
}

// Writes the rows of chunks, each into buffer room sized for its longest possible text.
class RowWriter {
 public:
  RowWriter(const CsvDialect& dialect, const std::vector<StreamedColumn>& columns)
      : dialect_(dialect), fields_(dialect), columns_(columns) {
    for (const auto& c : columns) {
      checked_.push_back(fields_.mayNeedQuotes(alphabet(c.as)));
      dates_.emplace_back(c.as == StreamedType::kDate);
    }
  }

  void start(BufferedFile& out) const {
    if (dialect_.bom) {
      const std::string_view bom = "\xEF\xBB\xBF";
      out.advance(std::copy(bom.begin(), bom.end(), out.room(bom.size())));
    }
    if (dialect_.header) header(out);
  }

  void rows(BufferedFile& out, const StreamedChunk& chunk) {
    char* at = out.room(longest(chunk));
    for (size_t r = 0; r < chunk.rows(); r++) {
      for (size_t c = 0; c < columns_.size(); c++) {
        if (c) *at++ = dialect_.delimiter;
        if (chunk.isNull(c, r)) continue;
        const StreamedType type = columns_[c].as;
        if (type == StreamedType::kText) {
          at = fields_.write(at, chunk.text(c, r));
        } else if (!checked_[c]) {
          at = formatValue(at, type, chunk, c, r, dates_[c]);
        } else {  // rare: the delimiter or quote can occur in this type's text
          char text[kMaxValueText];
          const char* end = formatValue(text, type, chunk, c, r, dates_[c]);
          at = fields_.write(at, std::string_view(text, static_cast<size_t>(end - text)));
        }
      }
      at = endLine(at);
    }
    out.advance(at);
  }

 private:
  char* endLine(char* at) const {
    if (dialect_.crlf) *at++ = '\r';
    *at++ = '\n';
    return at;
  }

  void header(BufferedFile& out) const {
    size_t longest = 2;
    for (const auto& c : columns_) longest += 2 * c.name.size() + 3;
    char* at = out.room(longest);
    for (size_t c = 0; c < columns_.size(); c++) {
      if (c) *at++ = dialect_.delimiter;
      at = fields_.write(at, columns_[c].name);
    }
    at = endLine(at);
    out.advance(at);
  }

  size_t longest(const StreamedChunk& chunk) const {
    size_t bytes = chunk.rows() * (columns_.size() * (2 * kMaxValueText + 3) + 1);
    for (size_t c = 0; c < columns_.size(); c++)
      if (columns_[c].as == StreamedType::kText)
        for (size_t r = 0; r < chunk.rows(); r++)
          if (!chunk.isNull(c, r)) bytes += 2 * chunk.text(c, r).size();
    return bytes;
  }

  const CsvDialect dialect_;
  const FieldWriter fields_;
  const std::vector<StreamedColumn> columns_;
  std::vector<bool> checked_;  // per column: whether its formatted text may need quotes
  std::vector<DateTexts> dates_;
};

}  // namespace

std::optional<CsvDialect> csvDialect(const nlohmann::json& csv) {
  CsvDialect dialect;
  const std::string delimiter = csv.value("delimiter", ",");
  const std::string quote = csv.value("quote", "\"");
  if (delimiter.size() != 1 || quote.size() != 1) return std::nullopt;
  dialect.delimiter = delimiter[0];
  dialect.quote = quote[0];
  dialect.header = csv.value("header", true);
  dialect.bom = csv.value("bom", false);
  dialect.crlf = csv.value("line_ending", "\n") == "\r\n";
  return dialect;
}

int64_t writeCsv(Connection& conn, const std::string& sql, const CsvDialect& dialect,
                 const std::string& path, const std::function<void(int64_t rows)>& rows_done) {
  return streamToFile(
      conn, sql, Connection::OtherTypesAs::kText, path,
      [&](const std::vector<StreamedColumn>& columns, BufferedFile& out) -> ChunkSink {
        auto writer = std::make_shared<RowWriter>(dialect, columns);
        writer->start(out);
        return [writer, &out](const StreamedChunk& chunk) { writer->rows(out, chunk); };
      },
      rows_done);
}

}  // namespace sluice::data
