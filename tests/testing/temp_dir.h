#pragma once
// A fresh folder per test, removed afterwards.
#include <string>

namespace sluice::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `data` to `path`, creating parent folders.
void writeFile(const std::string& path, const std::string& data);
std::string readFile(const std::string& path);

}  // namespace sluice::testing
