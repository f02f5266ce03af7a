#pragma once
// A new file written through a buffer of about a megabyte, and a query's rows streamed
// into one, for writers that format rows themselves (data/csv_writer,
// data/json_lines_writer).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/duckdb_engine.h"

namespace sluice::data {

class BufferedFile {
 public:
  // Creates (or truncates) the file; throws Error(Io) naming it when it cannot.
  explicit BufferedFile(const std::string& path);
  ~BufferedFile();
  BufferedFile(const BufferedFile&) = delete;
  BufferedFile& operator=(const BufferedFile&) = delete;

  // Room for `n` more bytes; advance() then says where the written bytes end.
  char* room(size_t n) {
    if (used_ + n > buffer_.size()) buffer_.resize(used_ + n);
    return buffer_.data() + used_;
  }
  void advance(const char* end) {
    used_ = static_cast<size_t>(end - buffer_.data());
    if (used_ >= kFlushAt) flush();
  }
  // Writes what the buffer holds; throws Error(Io) naming the file when it cannot.
  void flush();

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  std::string path_;
  int fd_;
  std::vector<char> buffer_;
  size_t used_ = 0;
};

// Streams the rows of the query `sql` (Connection::streamChunks with `others`) into a new
// file at `path`: `begin` sees the columns first and returns what writes each chunk.
// Returns the rows written; `rows_done`, if given, hears the running count after each
// chunk.
using ChunkSink = std::function<void(const StreamedChunk&)>;
int64_t streamToFile(
    Connection& conn, const std::string& sql, Connection::OtherTypesAs others,
    const std::string& path,
    const std::function<ChunkSink(const std::vector<StreamedColumn>&, BufferedFile&)>& begin,
    const std::function<void(int64_t rows)>& rows_done);

}  // namespace sluice::data
