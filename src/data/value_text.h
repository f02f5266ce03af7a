#pragma once
// DuckDB's text for values of common types, written without asking DuckDB: the same
// bytes its cast to VARCHAR (and so its CSV writer) produces, at a fraction of the cost.
// Each function writes at its `out` and returns the end; kMaxValueText bytes suffice.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/streamed_chunk.h"

namespace sluice::data {

inline constexpr int kMaxValueText = 40;

// Shortest text that reads back as the same number, laid out as DuckDB (and Python's
// repr) do: 1.0, 0.0001, 1e-05, 1234567890123456.0, 1.2345678901234568e+16, nan, -inf.
// (FLOAT is left to DuckDB, which writes some floats with the digits of their double.)
char* formatDouble(char* out, double value);
// The same digits as DuckDB writes them in JSON: fixed notation from 1e-6 to below 1e21
// (100000000000000000000.0), else 1e-7, 1.5e21; NaN, Infinity, -Infinity.
char* formatJsonDouble(char* out, double value);

// A DATE from its days since 1970-01-01: 2025-11-23, 0044-03-15 (BC), 10000-01-01,
// infinity, -infinity.
char* formatDate(char* out, int32_t days);

// `text` as a JSON string: quote, backslash and the short escapes (\b \f \n \r \t), other
// control characters as \u00XX — upper-case hex as DuckDB writes them, lower-case as
// nlohmann's dump() does — and everything else as it is (DuckDB's text is valid UTF-8).
// `out` has room for 6 * size + 2 bytes.
enum class HexCase { kLower, kUpper };
char* formatJsonString(char* out, std::string_view text, HexCase hex);

// The text of a streamed value that arrives as DuckDB holds it (any type but kText).
char* formatStreamed(char* out, StreamedType type, const StreamedChunk& chunk, size_t col,
                     size_t row);

}  // namespace sluice::data
