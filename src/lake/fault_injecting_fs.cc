#include "lake/fault_injecting_fs.h"

#include "core/error.h"

namespace sluice::lake {

namespace {
class FaultInjectingFile : public WritableFile {
 public:
  FaultInjectingFile(FaultInjectingFileSystem& fs, std::unique_ptr<WritableFile> base)
      : fs_(fs), base_(std::move(base)) {}
  void append(std::string_view data) override {
    fs_.checkAlive();
    fs_.countWrite();
    base_->append(data);
  }
  void setAttribute(const std::string& name, const std::string& value) override {
    fs_.checkAlive();
    base_->setAttribute(name, value);
  }
  void sync() override {
    fs_.checkAlive();
    base_->sync();
  }
  void close() override {
    fs_.checkAlive();
    base_->close();
  }

 private:
  FaultInjectingFileSystem& fs_;
  std::unique_ptr<WritableFile> base_;
};
}  // namespace

void FaultInjectingFileSystem::checkAlive() const {
  if (crashed_) throw SimulatedCrash();
}

void FaultInjectingFileSystem::countWrite() {
  int left = fail_write_in_.load();
  if (left <= 0) return;
  if (fail_write_in_.fetch_sub(1) == 1) throw Error(errc::kIo, "injected write failure");
}

std::unique_ptr<WritableFile> FaultInjectingFileSystem::createFile(const std::string& path) {
  checkAlive();
  return std::make_unique<FaultInjectingFile>(*this, base_.createFile(path));
}

void FaultInjectingFileSystem::rename(const std::string& from, const std::string& to,
                                      bool no_replace) {
  checkAlive();
  if (crash_at_ == CrashPoint::kBeforeRename) {
    crashed_ = true;
    throw SimulatedCrash();
  }
  base_.rename(from, to, no_replace);
  if (crash_at_ == CrashPoint::kAfterRename) {
    crashed_ = true;
    throw SimulatedCrash();
  }
}

void FaultInjectingFileSystem::removeFile(const std::string& path) {
  // A crashed process cleans nothing up: that is the point of the simulation.
  checkAlive();
  base_.removeFile(path);
}

void FaultInjectingFileSystem::syncDir(const std::string& dir) {
  checkAlive();
  base_.syncDir(dir);
}

}  // namespace sluice::lake
