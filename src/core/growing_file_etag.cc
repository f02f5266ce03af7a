#include "core/growing_file_etag.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/hash.h"
#include "core/md5_lanes.h"

namespace sluice::core {

namespace {

// Large enough that the writeback requests stay few, small enough to overlap the write.
constexpr uint64_t kWritebackStep = 8 << 20;
// How much of each part is read per round of the lanes: 16 lanes read 1 MiB at a time.
constexpr size_t kWindow = 64 << 10;
static_assert(GrowingFileEtag::kPartSize % kWindow == 0);

bool readFully(int fd, unsigned char* into, size_t size, uint64_t offset) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, into, size, static_cast<off_t>(offset));
    if (n <= 0) return false;
    into += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

// The ETag of a file read part by part: whole parts through the lanes, the rest at the end.
class PartwiseEtag {
 public:
  uint64_t hashed() const { return hashed_; }

  // Hashes the whole parts of the first `size` bytes not hashed yet, in sets of
  // `min_set` (at least 1) to 16 parts. False when the file could not be read.
  bool hashWholeParts(int fd, uint64_t size, uint64_t min_set) {
    uint64_t whole = size / GrowingFileEtag::kPartSize, done = hashed_ / GrowingFileEtag::kPartSize;
    while (whole > done && whole - done >= min_set) {
      const size_t count =
          static_cast<size_t>(std::min<uint64_t>(Md5Lanes::kMaxLanes, whole - done));
      if (!hashParts(fd, done, count)) return false;
      done += count;
      hashed_ = done * GrowingFileEtag::kPartSize;
    }
    return true;
  }

  // The ETag of the first `size` bytes, hashing what is left of them.
  std::optional<std::string> finish(int fd, uint64_t size) {
    if (!hashWholeParts(fd, size, 1)) return std::nullopt;
    Md5 tail;
    std::vector<unsigned char> buf(kWindow);
    for (uint64_t at = hashed_; at < size; at += kWindow) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kWindow, size - at));
      if (!readFully(fd, buf.data(), n, at)) return std::nullopt;
      tail.update(std::string_view(reinterpret_cast<const char*>(buf.data()), n));
    }
    if (size > hashed_ || digests_.empty()) digests_.push_back(tail.finish());
    return digests_.size() == 1 ? toHex(digests_.front()) : multipartEtag(digests_);
  }

 private:
  // Appends the binary MD5s of the `count` whole parts starting at part `first`.
  bool hashParts(int fd, uint64_t first, size_t count) {
    Md5Lanes lanes(count);
    std::vector<unsigned char> window(count * kWindow);
    std::vector<const unsigned char*> data(count);
    for (size_t i = 0; i < count; i++) data[i] = window.data() + i * kWindow;
    for (uint64_t at = 0; at < GrowingFileEtag::kPartSize; at += kWindow) {
      for (size_t i = 0; i < count; i++)
        if (!readFully(fd, window.data() + i * kWindow, kWindow,
                       (first + i) * GrowingFileEtag::kPartSize + at))
          return false;
      if (at + kWindow < GrowingFileEtag::kPartSize) {
        lanes.update(data.data(), kWindow);
      } else {
        for (auto& d : lanes.finish(data.data(), kWindow)) digests_.push_back(std::move(d));
      }
    }
    return true;
  }

  std::vector<std::string> digests_;  // binary MD5s of the whole parts hashed so far
  uint64_t hashed_ = 0;
};

}  // namespace

GrowingFileEtag::GrowingFileEtag(std::string path)
    : path_(std::move(path)), thread_([this] { follow(); }) {}

GrowingFileEtag::~GrowingFileEtag() { writerDone(); }

std::optional<std::string> GrowingFileEtag::finish() {
  writerDone();
  return result_;
}

void GrowingFileEtag::writerDone() {
  {
    std::lock_guard lock(mu_);
    writer_done_ = true;
  }
  done_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GrowingFileEtag::follow() {
  int fd = -1;
  struct stat st {};
  PartwiseEtag etag;
  uint64_t written_back = 0;
  bool appended_only = true, last_pass = false;
  while (appended_only && !last_pass) {
    // Read the flag before the size: whatever the writer wrote before it was done is seen.
    {
      std::lock_guard lock(mu_);
      last_pass = writer_done_;
    }
    if (fd < 0) fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT) appended_only = false;
    if (fd >= 0) {
      if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < etag.hashed()) {
        appended_only = false;
        break;
      }
      const uint64_t size = static_cast<uint64_t>(st.st_size);
      if (size - written_back >= kWritebackStep) {
        ::sync_file_range(fd, static_cast<off_t>(written_back),
                          static_cast<off_t>(size - written_back), SYNC_FILE_RANGE_WRITE);
        written_back = size;
      }
      // While the writer writes, whole parts go through the lanes a full set at a time.
      if (!last_pass) appended_only = etag.hashWholeParts(fd, size, Md5Lanes::kMaxLanes);
    }
    if (last_pass || !appended_only) break;
    std::unique_lock lock(mu_);
    done_cv_.wait_for(lock, std::chrono::milliseconds(2), [this] { return writer_done_; });
  }
  if (fd < 0) return;
  // The file at the path must still be the one followed, and no longer than what was read.
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  struct stat now {};
  if (last_pass && appended_only && ::stat(path_.c_str(), &now) == 0 && now.st_ino == st.st_ino &&
      now.st_dev == st.st_dev && static_cast<uint64_t>(now.st_size) == size)
    result_ = etag.finish(fd, size);
  ::close(fd);
}

std::string fileEtag(int fd, uint64_t size) {
  auto etag = PartwiseEtag().finish(fd, size);
  if (!etag)
    throw Error(errc::kIo, std::string("cannot read a file to hash it: ") + std::strerror(errno));
  return *etag;
}

}  // namespace sluice::core
