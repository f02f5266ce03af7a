#pragma once
// JSONPath as Amazon States Language uses it: $, .name, ['name'], [index], [*],
// [start:end:step], [a,b], ..name (recursive descent) and [?(filter)]. A definite path
// (names and indices only) names one place and can also be written to (ResultPath).
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sluice::flow {

class JsonPath {
 public:
  // Throws Error("States.Runtime") naming the path and the fault.
  static JsonPath parse(const std::string& text);
  // The same, parsed once per thread and kept: the same few paths are evaluated at every
  // state of every execution. The reference is good until this thread's next call.
  static const JsonPath& parseCached(const std::string& text);

  const std::string& text() const { return text_; }
  bool isDefinite() const { return definite_; }

  // The values the path selects from `root`.
  std::vector<nlohmann::json> select(const nlohmann::json& root) const;
  // ASL's reading of a path: a definite path yields its one value and fails with
  // States.Runtime when it selects nothing; an indefinite path yields an array.
  nlohmann::json evaluate(const nlohmann::json& root) const;
  // The same, nullopt where evaluate() fails for selecting nothing.
  std::optional<nlohmann::json> find(const nlohmann::json& root) const;
  // Writes `value` where a definite path points, creating objects on the way.
  // Throws Error("States.Runtime") when a step passes through a non-object.
  void assign(nlohmann::json& root, nlohmann::json value) const;

  struct Segment;
  struct Filter;

 private:
  std::string text_;
  std::vector<std::shared_ptr<Segment>> segments_;
  bool definite_ = true;
};

}  // namespace sluice::flow
