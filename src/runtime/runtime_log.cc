#include "runtime/runtime_log.h"

namespace sluice::runtime {

void RuntimeLog::write(const std::string& what, const nlohmann::ordered_json& fields) {
  std::string line;
  const std::string time = core::formatIso8601Ms(clock_.now());
  if (json_) {
    nlohmann::ordered_json doc = {{"time", time}, {"event", what}};
    for (const auto& [k, v] : fields.items()) doc[k] = v;
    line = doc.dump();
  } else {
    line = time + " " + what;
    for (const auto& [k, v] : fields.items())
      line += " " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  line = redactor_(line);
  std::lock_guard lock(mu_);
  out_ << line << '\n';
  out_.flush();
}

}  // namespace sluice::runtime
