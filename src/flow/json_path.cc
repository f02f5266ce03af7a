#include "flow/json_path.h"

#include <cmath>
#include <unordered_map>

#include "core/error.h"

namespace sluice::flow {

using nlohmann::json;

namespace {
[[noreturn]] void badPath(const std::string& text, const std::string& why) {
  throw Error("States.Runtime", "Invalid JSONPath '" + text + "': " + why);
}
}  // namespace

// A filter expression: comparisons of @-relative paths and literals, && and ||.
struct JsonPath::Filter {
  enum class Kind { kOr, kAnd, kCompare, kExists, kLiteral, kPath } kind;
  std::string op;                    // for kCompare
  std::shared_ptr<Filter> lhs, rhs;  // kOr/kAnd/kCompare
  json literal;                      // kLiteral
  std::shared_ptr<JsonPath> path;    // kPath / kExists (relative to @ or $)
  bool relative = true;

  json operand(const json& item, const json& root, bool& found) const {
    if (kind == Kind::kLiteral) {
      found = true;
      return literal;
    }
    auto values = path->select(relative ? item : root);
    found = !values.empty();
    return found ? values.front() : json();
  }

  bool test(const json& item, const json& root) const {
    switch (kind) {
      case Kind::kOr:
        return lhs->test(item, root) || rhs->test(item, root);
      case Kind::kAnd:
        return lhs->test(item, root) && rhs->test(item, root);
      case Kind::kExists:
      case Kind::kPath:
        return !path->select(relative ? item : root).empty();
      case Kind::kLiteral:
        return literal.is_boolean() ? literal.get<bool>() : !literal.is_null();
      case Kind::kCompare: {
        bool fa, fb;
        json a = lhs->operand(item, root, fa), b = rhs->operand(item, root, fb);
        if (!fa || !fb) return op == "!=" && fa != fb;
        if (op == "==") return a == b;
        if (op == "!=") return a != b;
        if (a.is_number() && b.is_number()) {
          double x = a.get<double>(), y = b.get<double>();
          return op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
        }
        if (a.is_string() && b.is_string()) {
          auto x = a.get<std::string>(), y = b.get<std::string>();
          return op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
        }
        return false;
      }
    }
    return false;
  }
};

struct JsonPath::Segment {
  enum class Kind { kName, kIndex, kWildcard, kSlice, kNames, kIndices, kFilter, kDescend } kind;
  std::string name;
  long long index = 0;
  std::vector<std::string> names;
  std::vector<long long> indices;
  std::optional<long long> start, end;
  long long step = 1;
  std::shared_ptr<Filter> filter;
  std::shared_ptr<Segment> inner;  // for kDescend: what to match at every level

  void apply(const json& node, const json& root, std::vector<const json*>& out) const {
    switch (kind) {
      case Kind::kName:
        if (node.is_object()) {
          auto it = node.find(name);
          if (it != node.end()) out.push_back(&*it);
        }
        break;
      case Kind::kIndex:
        if (node.is_array()) {
          long long i = index < 0 ? static_cast<long long>(node.size()) + index : index;
          if (i >= 0 && i < static_cast<long long>(node.size()))
            out.push_back(&node[static_cast<size_t>(i)]);
        }
        break;
      case Kind::kWildcard:
        if (node.is_array() || node.is_object())
          for (const auto& v : node) out.push_back(&v);
        break;
      case Kind::kNames:
        for (const auto& n : names)
          if (node.is_object() && node.contains(n)) out.push_back(&node[n]);
        break;
      case Kind::kIndices:
        for (long long idx : indices) {
          if (!node.is_array()) break;
          long long i = idx < 0 ? static_cast<long long>(node.size()) + idx : idx;
          if (i >= 0 && i < static_cast<long long>(node.size()))
            out.push_back(&node[static_cast<size_t>(i)]);
        }
        break;
      case Kind::kSlice: {
        if (!node.is_array()) break;
        const long long n = static_cast<long long>(node.size());
        auto clamp = [n](long long v) { return v < 0 ? std::max(0LL, n + v) : std::min(v, n); };
        long long s = start ? clamp(*start) : 0, e = end ? clamp(*end) : n;
        for (long long i = s; i < e; i += std::max(1LL, step))
          out.push_back(&node[static_cast<size_t>(i)]);
        break;
      }
      case Kind::kFilter:
        if (node.is_array() || node.is_object())
          for (const auto& v : node)
            if (filter->test(v, root)) out.push_back(&v);
        break;
      case Kind::kDescend: {
        inner->apply(node, root, out);
        if (node.is_array() || node.is_object())
          for (const auto& v : node) apply(v, root, out);
        break;
      }
    }
  }
};

namespace {

class Parser {
 public:
  explicit Parser(const std::string& text) : t_(text) {}

  std::vector<std::shared_ptr<JsonPath::Segment>> segments(bool& definite) {
    std::vector<std::shared_ptr<JsonPath::Segment>> out;
    while (i_ < t_.size()) {
      if (peek("..")) {
        i_ += 2;
        auto seg = std::make_shared<JsonPath::Segment>();
        seg->kind = JsonPath::Segment::Kind::kDescend;
        seg->inner = t_[i_] == '[' ? bracket() : dotted();
        out.push_back(seg);
        definite = false;
      } else if (t_[i_] == '.') {
        i_++;
        out.push_back(dotted());
      } else if (t_[i_] == '[') {
        out.push_back(bracket());
      } else {
        fail("unexpected '" + std::string(1, t_[i_]) + "' at position " + std::to_string(i_));
      }
      auto k = out.back()->kind;
      if (k != JsonPath::Segment::Kind::kName && k != JsonPath::Segment::Kind::kIndex)
        definite = false;
    }
    return out;
  }

  std::shared_ptr<JsonPath::Filter> filterExpr() { return orExpr(); }

  size_t pos() const { return i_; }
  void setPos(size_t p) { i_ = p; }

 private:
  [[noreturn]] void fail(const std::string& why) const { badPath(t_, why); }
  bool peek(const char* s) const { return t_.compare(i_, std::strlen(s), s) == 0; }
  void skipSpace() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) i_++;
  }
  void expect(char c) {
    skipSpace();
    if (i_ >= t_.size() || t_[i_] != c)
      fail(std::string("expected '") + c + "' at position " + std::to_string(i_));
    i_++;
  }

  std::shared_ptr<JsonPath::Segment> dotted() {
    auto seg = std::make_shared<JsonPath::Segment>();
    if (i_ < t_.size() && t_[i_] == '*') {
      i_++;
      seg->kind = JsonPath::Segment::Kind::kWildcard;
      return seg;
    }
    size_t start = i_;
    while (i_ < t_.size() && t_[i_] != '.' && t_[i_] != '[') i_++;
    if (i_ == start) fail("empty name at position " + std::to_string(start));
    seg->kind = JsonPath::Segment::Kind::kName;
    seg->name = t_.substr(start, i_ - start);
    return seg;
  }

  std::string quoted() {
    char q = t_[i_++];
    std::string s;
    while (i_ < t_.size() && t_[i_] != q) {
      // Only an escaped quote of the same kind is an escape; other backslashes are text.
      if (t_[i_] == '\\' && i_ + 1 < t_.size() && t_[i_ + 1] == q) i_++;
      s += t_[i_++];
    }
    if (i_ >= t_.size()) fail("unterminated string");
    i_++;
    return s;
  }

  std::optional<long long> integer() {
    skipSpace();
    size_t start = i_;
    if (i_ < t_.size() && t_[i_] == '-') i_++;
    while (i_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[i_]))) i_++;
    if (i_ == start || (i_ == start + 1 && t_[start] == '-')) {
      i_ = start;
      return std::nullopt;
    }
    if (i_ - start > 18) fail("number too large at position " + std::to_string(start));
    return std::stoll(t_.substr(start, i_ - start));
  }

  std::shared_ptr<JsonPath::Segment> bracket() {
    expect('[');
    skipSpace();
    auto seg = std::make_shared<JsonPath::Segment>();
    if (t_[i_] == '*') {
      i_++;
      seg->kind = JsonPath::Segment::Kind::kWildcard;
    } else if (t_[i_] == '?') {
      i_++;
      expect('(');
      seg->kind = JsonPath::Segment::Kind::kFilter;
      seg->filter = orExpr();
      expect(')');
    } else if (t_[i_] == '\'' || t_[i_] == '"') {
      std::vector<std::string> names{quoted()};
      skipSpace();
      while (t_[i_] == ',') {
        i_++;
        skipSpace();
        names.push_back(quoted());
        skipSpace();
      }
      if (names.size() == 1) {
        seg->kind = JsonPath::Segment::Kind::kName;
        seg->name = names[0];
      } else {
        seg->kind = JsonPath::Segment::Kind::kNames;
        seg->names = names;
      }
    } else {
      auto first = integer();
      skipSpace();
      if (t_[i_] == ':') {
        seg->kind = JsonPath::Segment::Kind::kSlice;
        seg->start = first;
        i_++;
        seg->end = integer();
        skipSpace();
        if (t_[i_] == ':') {
          i_++;
          seg->step = integer().value_or(1);
        }
      } else if (!first) {
        fail("bad bracket expression at position " + std::to_string(i_));
      } else if (t_[i_] == ',') {
        seg->kind = JsonPath::Segment::Kind::kIndices;
        seg->indices.push_back(*first);
        while (t_[i_] == ',') {
          i_++;
          auto next = integer();
          if (!next) fail("bad index list");
          seg->indices.push_back(*next);
          skipSpace();
        }
      } else {
        seg->kind = JsonPath::Segment::Kind::kIndex;
        seg->index = *first;
      }
    }
    expect(']');
    return seg;
  }

  // ---- filters --------------------------------------------------------------------
  std::shared_ptr<JsonPath::Filter> orExpr() {
    auto lhs = andExpr();
    skipSpace();
    while (peek("||")) {
      i_ += 2;
      auto f = std::make_shared<JsonPath::Filter>();
      f->kind = JsonPath::Filter::Kind::kOr;
      f->lhs = lhs;
      f->rhs = andExpr();
      lhs = f;
      skipSpace();
    }
    return lhs;
  }
  std::shared_ptr<JsonPath::Filter> andExpr() {
    auto lhs = comparison();
    skipSpace();
    while (peek("&&")) {
      i_ += 2;
      auto f = std::make_shared<JsonPath::Filter>();
      f->kind = JsonPath::Filter::Kind::kAnd;
      f->lhs = lhs;
      f->rhs = comparison();
      lhs = f;
      skipSpace();
    }
    return lhs;
  }
  std::shared_ptr<JsonPath::Filter> comparison() {
    auto lhs = operand();
    skipSpace();
    for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (peek(op)) {
        i_ += std::strlen(op);
        auto f = std::make_shared<JsonPath::Filter>();
        f->kind = JsonPath::Filter::Kind::kCompare;
        f->op = op;
        f->lhs = lhs;
        f->rhs = operand();
        return f;
      }
    }
    if (lhs->kind == JsonPath::Filter::Kind::kPath) lhs->kind = JsonPath::Filter::Kind::kExists;
    return lhs;
  }
  std::shared_ptr<JsonPath::Filter> operand() {
    skipSpace();
    auto f = std::make_shared<JsonPath::Filter>();
    if (i_ >= t_.size()) fail("unfinished filter");
    char c = t_[i_];
    if (c == '(') {
      i_++;
      auto inner = orExpr();
      expect(')');
      return inner;
    }
    if (c == '@' || c == '$') {
      size_t start = i_++;
      while (i_ < t_.size() &&
             (t_[i_] == '.' || t_[i_] == '[' || std::isalnum(static_cast<unsigned char>(t_[i_])) ||
              t_[i_] == '_' || t_[i_] == '*' || t_[i_] == ']' || t_[i_] == '\'' || t_[i_] == '-'))
        i_++;
      std::string text = "$" + t_.substr(start + 1, i_ - start - 1);
      f->kind = JsonPath::Filter::Kind::kPath;
      f->relative = c == '@';
      f->path = std::make_shared<JsonPath>(JsonPath::parse(text));
      return f;
    }
    f->kind = JsonPath::Filter::Kind::kLiteral;
    if (c == '\'' || c == '"') {
      f->literal = quoted();
      return f;
    }
    size_t start = i_;
    while (i_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[i_])) || t_[i_] == '.' ||
                              t_[i_] == '-' || t_[i_] == '+'))
      i_++;
    json lit = json::parse(t_.substr(start, i_ - start), nullptr, false);
    if (lit.is_discarded()) fail("bad literal in filter at position " + std::to_string(start));
    f->literal = lit;
    return f;
  }

  const std::string& t_;
  size_t i_ = 1;  // after '$'
};

}  // namespace

const JsonPath& JsonPath::parseCached(const std::string& text) {
  // Bounded: paths written into definitions are few, but a cache must not grow with
  // whatever a long-running process is given.
  constexpr size_t kMaxPaths = 4096;
  thread_local std::unordered_map<std::string, JsonPath> parsed;
  if (auto it = parsed.find(text); it != parsed.end()) return it->second;
  JsonPath path = parse(text);
  if (parsed.size() >= kMaxPaths) parsed.clear();
  return parsed.emplace(text, std::move(path)).first->second;
}

JsonPath JsonPath::parse(const std::string& text) {
  if (text.empty() || text[0] != '$') badPath(text, "a path begins with '$'");
  JsonPath p;
  p.text_ = text;
  Parser parser(text);
  p.segments_ = parser.segments(p.definite_);
  return p;
}

std::vector<json> JsonPath::select(const json& root) const {
  std::vector<const json*> current{&root};
  for (const auto& seg : segments_) {
    std::vector<const json*> next;
    for (const json* node : current) seg->apply(*node, root, next);
    current.swap(next);
  }
  std::vector<json> out;
  out.reserve(current.size());
  for (const json* v : current) out.push_back(*v);
  return out;
}

std::optional<json> JsonPath::find(const json& root) const {
  auto values = select(root);
  if (!definite_) return json(values);
  if (values.empty()) return std::nullopt;
  return values.front();
}

json JsonPath::evaluate(const json& root) const {
  auto value = find(root);
  if (!value)
    throw Error("States.Runtime", "Invalid path '" + text_ + "': No results for path: " + text_);
  return *value;
}

void JsonPath::assign(json& root, json value) const {
  if (!definite_) badPath(text_, "ResultPath must be a definite path");
  json* node = &root;
  for (const auto& seg : segments_) {
    if (seg->kind == Segment::Kind::kName) {
      if (node->is_null()) *node = json::object();
      if (!node->is_object())
        throw Error("States.Runtime", "Unable to apply ResultPath '" + text_ + "': '" + seg->name +
                                          "' would be set on a value that is not an object");
      node = &(*node)[seg->name];
    } else {
      if (!node->is_array() || seg->index < 0 || seg->index >= static_cast<long long>(node->size()))
        throw Error("States.Runtime", "Unable to apply ResultPath '" + text_ + "': index " +
                                          std::to_string(seg->index) + " is not in an array");
      node = &(*node)[static_cast<size_t>(seg->index)];
    }
  }
  *node = std::move(value);
}

}  // namespace sluice::flow
