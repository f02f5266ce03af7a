#include "core/growing_file_md5.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "core/hash.h"

namespace sluice::core {

namespace {
// Large enough that the writeback requests stay few, small enough to overlap the write.
constexpr uint64_t kWritebackStep = 8 << 20;
}  // namespace

GrowingFileMd5::GrowingFileMd5(std::string path)
    : path_(std::move(path)), thread_([this] { follow(); }) {}

GrowingFileMd5::~GrowingFileMd5() { writerDone(); }

std::optional<std::string> GrowingFileMd5::finish() {
  writerDone();
  return result_;
}

void GrowingFileMd5::writerDone() {
  {
    std::lock_guard lock(mu_);
    writer_done_ = true;
  }
  done_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GrowingFileMd5::follow() {
  Md5 md5;
  int fd = -1;
  struct stat st {};
  uint64_t hashed = 0, written_back = 0;
  bool appended_only = true;
  std::string buf(1 << 20, '\0');
  while (appended_only) {
    // Read before the size: whatever the writer wrote before it was done is then seen.
    bool last_pass;
    {
      std::lock_guard lock(mu_);
      last_pass = writer_done_;
    }
    if (fd < 0) fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT) appended_only = false;
    if (fd >= 0) {
      if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < hashed) {
        appended_only = false;
        break;
      }
      while (hashed < static_cast<uint64_t>(st.st_size)) {
        const ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(hashed));
        if (n <= 0) {
          appended_only = false;
          break;
        }
        md5.update(std::string_view(buf.data(), static_cast<size_t>(n)));
        hashed += static_cast<uint64_t>(n);
      }
      if (hashed - written_back >= kWritebackStep) {
        ::sync_file_range(fd, static_cast<off_t>(written_back),
                          static_cast<off_t>(hashed - written_back), SYNC_FILE_RANGE_WRITE);
        written_back = hashed;
      }
    }
    if (last_pass) break;
    std::unique_lock lock(mu_);
    done_cv_.wait_for(lock, std::chrono::milliseconds(2), [this] { return writer_done_; });
  }
  // The file at the path must still be the one followed, and no longer than what was read.
  struct stat now {};
  if (appended_only && fd >= 0 && ::stat(path_.c_str(), &now) == 0 && now.st_ino == st.st_ino &&
      now.st_dev == st.st_dev && static_cast<uint64_t>(now.st_size) == hashed)
    result_ = md5.finishHex();
  if (fd >= 0) ::close(fd);
}

}  // namespace sluice::core
