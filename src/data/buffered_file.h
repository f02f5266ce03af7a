#pragma once
// A new file written through a buffer of about a megabyte, for writers that format rows
// into memory themselves (data/csv_writer, data/json_lines_writer).
#include <cstddef>
#include <string>
#include <vector>

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

}  // namespace sluice::data
