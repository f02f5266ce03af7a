#pragma once
// The file operations the local lake performs when it writes, behind an interface so
// tests can inject failures and crashes (LevelDB's Env idea). Reads go straight to
// POSIX: a failing read cannot make a partial object visible.
#include <memory>
#include <string>
#include <string_view>

namespace sluice::lake {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual void append(std::string_view data) = 0;
  // Sets an extended attribute ("user.*") on the open file.
  virtual void setAttribute(const std::string& name, const std::string& value) = 0;
  virtual void sync() = 0;
  virtual void close() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Creates a new file; fails if it exists.
  virtual std::unique_ptr<WritableFile> createFile(const std::string& path) = 0;
  // Atomically moves `from` to `to`. With `no_replace`, an existing `to` is left alone
  // and Error(PreconditionFailed) is thrown.
  virtual void rename(const std::string& from, const std::string& to, bool no_replace) = 0;
  virtual void removeFile(const std::string& path) = 0;
  virtual void syncDir(const std::string& dir) = 0;

  static FileSystem& posix();
};

}  // namespace sluice::lake
