#include "data/buffered_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace sluice::data {

namespace {

[[noreturn]] void fail(const char* what, const std::string& path) {
  throw Error(errc::kIo, std::string(what) + " '" + path + "': " + std::strerror(errno));
}

}  // namespace

BufferedFile::BufferedFile(const std::string& path)
    : path_(path), fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) {
  if (fd_ < 0) fail("cannot create", path_);
}

BufferedFile::~BufferedFile() { ::close(fd_); }

void BufferedFile::flush() {
  for (size_t done = 0; done < used_;) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, used_ - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write", path_);
    done += static_cast<size_t>(n);
  }
  used_ = 0;
}

int64_t streamToFile(
    Connection& conn, const std::string& sql, Connection::OtherTypesAs others,
    const std::string& path,
    const std::function<ChunkSink(const std::vector<StreamedColumn>&, BufferedFile&)>& begin,
    const std::function<void(int64_t rows)>& rows_done) {
  BufferedFile out(path);
  ChunkSink sink;
  int64_t rows = 0;
  conn.streamChunks(
      sql, others, [&](const std::vector<StreamedColumn>& columns) { sink = begin(columns, out); },
      [&](const StreamedChunk& chunk) {
        sink(chunk);
        rows += static_cast<int64_t>(chunk.rows());
        if (rows_done) rows_done(rows);
      });
  out.flush();
  return rows;
}

}  // namespace sluice::data
