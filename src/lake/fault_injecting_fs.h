#pragma once
// A FileSystem for tests that fails or "crashes" on command. A simulated crash throws
// SimulatedCrash and makes every later call fail too, leaving the files on disk exactly
// as a process killed at that instant would.
#include <atomic>
#include <stdexcept>

#include "lake/file_system.h"

namespace sluice::lake {

struct SimulatedCrash : std::runtime_error {
  SimulatedCrash() : std::runtime_error("simulated crash") {}
};

class FaultInjectingFileSystem : public FileSystem {
 public:
  enum class CrashPoint { kNone, kBeforeRename, kAfterRename };

  explicit FaultInjectingFileSystem(FileSystem& base) : base_(base) {}

  // The nth append from now (1 = the next one) throws Error(IOError); 0 disables.
  void failNthWrite(int n) { fail_write_in_ = n; }
  void crashAt(CrashPoint point) { crash_at_ = point; }
  bool crashed() const { return crashed_; }

  std::unique_ptr<WritableFile> createFile(const std::string& path) override;
  void rename(const std::string& from, const std::string& to, bool no_replace) override;
  void removeFile(const std::string& path) override;
  void syncDir(const std::string& dir) override;

  void checkAlive() const;
  // Called by each append; throws when the countdown reaches it.
  void countWrite();

 private:
  FileSystem& base_;
  std::atomic<int> fail_write_in_{0};
  std::atomic<CrashPoint> crash_at_{CrashPoint::kNone};
  std::atomic<bool> crashed_{false};
};

}  // namespace sluice::lake
