#include "lake/file_system.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace sluice::lake {

namespace {

[[noreturn]] void ioError(const std::string& what, const std::string& path) {
  throw Error(errc::kIo, what + " '" + path + "': " + std::strerror(errno));
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  void append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        ioError("cannot write", path_);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  void setAttribute(const std::string& name, const std::string& value) override {
    if (::fsetxattr(fd_, name.c_str(), value.data(), value.size(), 0) != 0) {
      if (errno == ENOTSUP)
        throw Error(errc::kIo, "the file system holding '" + path_ +
                                   "' does not support extended attributes, which the lake "
                                   "needs for object metadata (use ext4, xfs or btrfs)");
      ioError("cannot set metadata on", path_);
    }
  }

  void sync() override {
    if (::fdatasync(fd_) != 0) ioError("cannot sync", path_);
  }

  void close() override {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) ioError("cannot close", path_);
  }

 private:
  int fd_;
  std::string path_;
};

class PosixFileSystem : public FileSystem {
 public:
  std::unique_ptr<WritableFile> createFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) ioError("cannot create", path);
    return std::make_unique<PosixWritableFile>(fd, path);
  }

  void rename(const std::string& from, const std::string& to, bool no_replace) override {
    int rc = ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(),
                         no_replace ? RENAME_NOREPLACE : 0);
    if (rc == 0) return;
    if (errno == EEXIST && no_replace)
      throw Error(errc::kPreconditionFailed, "'" + to + "' already exists");
    ioError("cannot rename '" + from + "' to", to);
  }

  void removeFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) ioError("cannot remove", path);
  }

  void syncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) ioError("cannot open folder", dir);
    int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) ioError("cannot sync folder", dir);
  }
};

}  // namespace

FileSystem& FileSystem::posix() {
  static PosixFileSystem fs;
  return fs;
}

}  // namespace sluice::lake
