#pragma once
// A query's rows as DuckDB streams them, a vector of up to 2,048 rows at a time
// (Connection::streamChunks), for writers that format values themselves.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::data {

// How a streamed column's values arrive: the types listed here as DuckDB holds them in
// memory (C types; kDate as int32_t days since 1970-01-01), every other type as text:
// DuckDB's text for it (kText) or its JSON (kJson; Connection::streamChunks says which).
enum class StreamedType : uint8_t {
  kText,
  kJson,
  kBoolean,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kDouble,
  kDate,
};

struct StreamedColumn {
  std::string name;
  std::string type;  // DuckDB's type name, e.g. "DECIMAL(10,2)"
  StreamedType as;
};

class StreamedChunk {
 public:
  size_t rows() const { return rows_; }
  bool isNull(size_t col, size_t row) const {
    const uint64_t* valid = columns_[col].validity;
    return valid && !((valid[row / 64] >> (row % 64)) & 1);
  }
  // The value of a column that arrives as the C type T.
  template <class T>
  T value(size_t col, size_t row) const {
    return static_cast<const T*>(columns_[col].data)[row];
  }
  // The value of a kText or kJson column: DuckDB keeps up to 12 bytes in the cell, longer text
  // behind a pointer after a 4-byte prefix (duckdb_string_t, checked in the .cc).
  std::string_view text(size_t col, size_t row) const {
    const char* cell = static_cast<const char*>(columns_[col].data) + row * kTextCellSize;
    uint32_t length;
    std::memcpy(&length, cell, sizeof length);
    if (length <= kInlinedText) return {cell + 4, length};
    const char* pointer;
    std::memcpy(&pointer, cell + 8, sizeof pointer);
    return {pointer, length};
  }

 private:
  friend class Connection;
  static constexpr size_t kTextCellSize = 16;
  static constexpr uint32_t kInlinedText = 12;
  struct Column {
    const void* data = nullptr;
    const uint64_t* validity = nullptr;  // null: no NULLs in this vector
  };
  size_t rows_ = 0;
  std::vector<Column> columns_;
};

}  // namespace sluice::data
