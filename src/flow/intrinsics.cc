#include "flow/intrinsics.h"

#include <openssl/evp.h>

#include <cmath>
#include <random>

#include "core/error.h"
#include "core/hash.h"
#include "core/ids.h"
#include "flow/scope.h"

namespace sluice::flow {

namespace {

using nlohmann::json;

[[noreturn]] void failure(const std::string& fn, const std::string& why) {
  throw Error("States.IntrinsicFailure", "Invalid arguments in " + fn + ": " + why);
}

class CallParser {
 public:
  CallParser(const std::string& text, const Scope& scope) : t_(text), scope_(scope) {}

  json parseCall() {
    skip();
    size_t start = i_;
    while (i_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[i_])) || t_[i_] == '.'))
      i_++;
    std::string name = t_.substr(start, i_ - start);
    skip();
    if (i_ >= t_.size() || t_[i_] != '(') syntax("expected '(' after " + name);
    i_++;
    std::vector<json> args;
    skip();
    if (i_ < t_.size() && t_[i_] == ')') {
      i_++;
    } else {
      for (;;) {
        args.push_back(parseArg());
        skip();
        if (i_ < t_.size() && t_[i_] == ',') {
          i_++;
          continue;
        }
        if (i_ < t_.size() && t_[i_] == ')') {
          i_++;
          break;
        }
        syntax("expected ',' or ')' in " + name);
      }
    }
    return call(name, args);
  }

  bool atEnd() {
    skip();
    return i_ >= t_.size();
  }

 private:
  [[noreturn]] void syntax(const std::string& why) const {
    throw Error("States.Runtime", "The intrinsic function '" + t_ + "' cannot be parsed: " + why);
  }
  void skip() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) i_++;
  }

  json parseArg() {
    skip();
    if (i_ >= t_.size()) syntax("missing argument");
    char c = t_[i_];
    if (c == '\'') return stringLiteral();
    if (c == '$') {
      // A path runs until the ',' or ')' that ends the argument (brackets may hold both).
      size_t start = i_;
      int depth = 0;
      char quote = 0;
      while (i_ < t_.size()) {
        char d = t_[i_];
        if (quote) {
          if (d == quote) quote = 0;
        } else if (d == '\'' || d == '"') {
          quote = d;
        } else if (d == '[' || d == '(') {
          depth++;
        } else if (d == ']' || (d == ')' && depth > 0)) {
          depth--;
        } else if ((d == ',' || d == ')') && depth == 0) {
          break;
        }
        i_++;
      }
      std::string path = t_.substr(start, i_ - start);
      while (!path.empty() && std::isspace(static_cast<unsigned char>(path.back())))
        path.pop_back();
      return evaluateExpression(path, scope_);
    }
    if (t_.compare(i_, 7, "States.") == 0) return parseCall();
    size_t start = i_;
    while (i_ < t_.size() && t_[i_] != ',' && t_[i_] != ')') i_++;
    std::string lit = t_.substr(start, i_ - start);
    while (!lit.empty() && std::isspace(static_cast<unsigned char>(lit.back()))) lit.pop_back();
    json v = json::parse(lit, nullptr, false);
    if (v.is_discarded() || v.is_object() || v.is_array() || v.is_string())
      syntax("bad argument '" + lit + "'");
    return v;
  }

  json stringLiteral() {
    i_++;  // opening quote
    std::string s;
    while (i_ < t_.size() && t_[i_] != '\'') {
      if (t_[i_] == '\\' && i_ + 1 < t_.size()) {
        char n = t_[i_ + 1];
        // \{ and \} stay escaped for States.Format to see; \' and \\ resolve here.
        if (n == '{' || n == '}') s += '\\';
        s += n;
        i_ += 2;
        continue;
      }
      s += t_[i_++];
    }
    if (i_ >= t_.size()) syntax("unterminated string");
    i_++;
    return s;
  }

  static int64_t integerArg(const std::string& fn, const json& v, const char* what) {
    if (!v.is_number()) failure(fn, std::string(what) + " must be a number");
    // Step Functions rounds to the nearest integer with halves rounded up (-1.5 → -1).
    return static_cast<int64_t>(std::floor(v.get<double>() + 0.5));
  }

  // How Step Functions renders a value inside States.Format: strings bare, objects and
  // arrays the way Java prints maps and lists ({k=v, k2=v2}, [a, b]).
  static std::string formatArgument(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object()) {
      std::string out = "{";
      for (auto it = v.begin(); it != v.end(); ++it)
        out += (it == v.begin() ? "" : ", ") + it.key() + "=" + formatArgument(it.value());
      return out + "}";
    }
    if (v.is_array()) {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); i++) out += (i ? ", " : "") + formatArgument(v[i]);
      return out + "]";
    }
    return v.dump();
  }

  static std::string formatTemplate(const std::vector<json>& args) {
    const std::string fn = "States.Format";
    if (args.empty() || !args[0].is_string())
      failure(fn, "the first argument must be a template string");
    const std::string& t = args[0].get_ref<const std::string&>();
    std::string out;
    size_t next = 1;
    for (size_t i = 0; i < t.size(); i++) {
      if (t[i] == '\\' && i + 1 < t.size() && (t[i + 1] == '{' || t[i + 1] == '}')) {
        out += t[++i];
      } else if (t[i] == '{' && i + 1 < t.size() && t[i + 1] == '}') {
        if (next >= args.size()) failure(fn, "the template has more {} than arguments");
        out += formatArgument(args[next++]);
        i++;
      } else {
        out += t[i];
      }
    }
    if (next != args.size()) failure(fn, "the template has fewer {} than arguments");
    return out;
  }

  static std::string digest(const std::string& fn, const std::string& data,
                            const std::string& algorithm) {
    const EVP_MD* md = algorithm == "MD5"       ? EVP_md5()
                       : algorithm == "SHA-1"   ? EVP_sha1()
                       : algorithm == "SHA-256" ? EVP_sha256()
                       : algorithm == "SHA-384" ? EVP_sha384()
                       : algorithm == "SHA-512" ? EVP_sha512()
                                                : nullptr;
    if (!md) failure(fn, "unknown hash algorithm '" + algorithm + "'");
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr);
    return core::toHex(std::string_view(reinterpret_cast<char*>(buf), len));
  }

  json call(const std::string& fn, const std::vector<json>& a) {
    auto arity = [&](size_t lo, size_t hi) {
      if (a.size() < lo || a.size() > hi)
        failure(fn, "expected " + std::to_string(lo) + (hi != lo ? ".." + std::to_string(hi) : "") +
                        " arguments, got " + std::to_string(a.size()));
    };
    auto array = [&](size_t i) -> const json& {
      if (!a[i].is_array()) failure(fn, "argument " + std::to_string(i + 1) + " must be an array");
      return a[i];
    };
    auto string = [&](size_t i) -> const std::string& {
      if (!a[i].is_string()) failure(fn, "argument " + std::to_string(i + 1) + " must be a string");
      return a[i].get_ref<const std::string&>();
    };
    if (fn == "States.Format") return formatTemplate(a);
    if (fn == "States.StringToJson") {
      arity(1, 1);
      if (string(0).find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;
      json v = json::parse(string(0), nullptr, false);
      if (v.is_discarded()) failure(fn, "the argument is not a JSON text");
      return v;
    }
    if (fn == "States.JsonToString") {
      arity(1, 1);
      return a[0].dump();
    }
    if (fn == "States.Array") return json(a);
    if (fn == "States.ArrayPartition") {
      arity(2, 2);
      int64_t size = integerArg(fn, a[1], "the chunk size");
      if (size <= 0) failure(fn, "the chunk size must be positive");
      json out = json::array(), chunk = json::array();
      for (const auto& v : array(0)) {
        chunk.push_back(v);
        if (static_cast<int64_t>(chunk.size()) == size) {
          out.push_back(chunk);
          chunk = json::array();
        }
      }
      if (!chunk.empty()) out.push_back(chunk);
      return out;
    }
    if (fn == "States.ArrayContains") {
      arity(2, 2);
      for (const auto& v : array(0))
        if (v == a[1]) return true;
      return false;
    }
    if (fn == "States.ArrayRange") {
      arity(3, 3);
      int64_t start = integerArg(fn, a[0], "start"), end = integerArg(fn, a[1], "end"),
              step = integerArg(fn, a[2], "step");
      if (step == 0) failure(fn, "step must not be 0");
      json out = json::array();
      for (int64_t v = start; step > 0 ? v <= end : v >= end; v += step) {
        out.push_back(v);
        if (out.size() > 1000) failure(fn, "the range has more than 1000 elements");
      }
      return out;
    }
    if (fn == "States.ArrayGetItem") {
      arity(2, 2);
      int64_t i = integerArg(fn, a[1], "the index");
      const json& arr = array(0);
      if (i < 0 || i >= static_cast<int64_t>(arr.size()))
        failure(fn, "index " + std::to_string(i) + " is out of range");
      return arr[static_cast<size_t>(i)];
    }
    if (fn == "States.ArrayLength") {
      arity(1, 1);
      return array(0).size();
    }
    if (fn == "States.ArrayUnique") {
      arity(1, 1);
      json out = json::array();
      for (const auto& v : array(0))
        if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
      return out;
    }
    if (fn == "States.Base64Encode") {
      arity(1, 1);
      return core::base64Encode(string(0));
    }
    if (fn == "States.Base64Decode") {
      arity(1, 1);
      try {
        return core::base64Decode(string(0));
      } catch (const Error&) {
        failure(fn, "the argument is not base64");
      }
    }
    if (fn == "States.Hash") {
      arity(2, 2);
      std::string data = a[0].is_string() ? a[0].get<std::string>() : a[0].dump();
      return digest(fn, data, string(1));
    }
    if (fn == "States.JsonMerge") {
      arity(3, 3);
      if (!a[0].is_object() || !a[1].is_object()) failure(fn, "both values must be objects");
      if (!a[2].is_boolean() || a[2].get<bool>())
        failure(fn, "only shallow merges (false) are supported");
      json out = a[0];
      for (const auto& [k, v] : a[1].items()) out[k] = v;
      return out;
    }
    if (fn == "States.MathRandom") {
      arity(2, 3);
      int64_t lo = integerArg(fn, a[0], "start"), hi = integerArg(fn, a[1], "end");
      if (hi < lo) failure(fn, "end must not be below start");
      std::mt19937_64 rng(a.size() == 3 ? static_cast<uint64_t>(integerArg(fn, a[2], "seed"))
                                        : std::random_device{}());
      if (hi == lo) return lo;
      return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo));
    }
    if (fn == "States.MathAdd") {
      arity(2, 2);
      return integerArg(fn, a[0], "the first value") + integerArg(fn, a[1], "the second value");
    }
    if (fn == "States.StringSplit") {
      arity(2, 2);
      const std::string& s = string(0);
      const std::string& delims = string(1);
      json out = json::array();
      std::string cur;
      for (char c : s) {
        if (delims.find(c) != std::string::npos) {
          if (!cur.empty()) out.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      if (!cur.empty()) out.push_back(cur);
      return out;
    }
    if (fn == "States.UUID") {
      arity(0, 0);
      return core::uuid4();
    }
    throw Error("States.Runtime", "unknown intrinsic function " + fn);
  }

  const std::string& t_;
  const Scope& scope_;
  size_t i_ = 0;
};

}  // namespace

json evaluateIntrinsic(const std::string& call, const Scope& scope) {
  CallParser parser(call, scope);
  json result = parser.parseCall();
  if (!parser.atEnd())
    throw Error("States.Runtime",
                "The intrinsic function '" + call + "' has text after its closing ')'");
  return result;
}

}  // namespace sluice::flow
