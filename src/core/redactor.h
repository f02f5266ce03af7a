#pragma once
// Replaces known secret values with "****" in text that is about to be logged or stored
// (function log lines, error messages, runtime logs). Values shorter than 4 characters
// are not registered: masking them would mangle ordinary text and hide nothing.
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace sluice::core {

class Redactor {
 public:
  void add(const std::string& secret) {
    if (secret.size() < 4) return;
    std::lock_guard lock(mu_);
    secrets_.insert(secret);
  }
  std::string operator()(std::string text) const {
    std::lock_guard lock(mu_);
    for (const auto& s : secrets_)
      for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at + 4))
        text.replace(at, s.size(), "****");
    return text;
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string> secrets_;
};

}  // namespace sluice::core
