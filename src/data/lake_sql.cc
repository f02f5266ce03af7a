#include "data/lake_sql.h"

#include <cctype>

#include "core/error.h"
#include "data/table_io.h"
#include "lake/object_store.h"

namespace sluice::data {

namespace {

constexpr std::string_view kScheme = "lake://";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// A URL ending in '/' (a bucket or folder) keeps the '/', so that SQL can build paths
// from it: 'lake://raw/' || $day || '.csv'. Such paths are known only when the SQL runs,
// so for a folder the store is asked for everything below it ("FOLDER/**"): a lake of
// local files just names the folder, a staging store copies every object below it.
std::string localPathFor(const std::string& url, lake::ObjectStore& store) {
  std::string rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string bucket = rest.substr(0, slash);
  std::string key = slash == std::string::npos ? "" : rest.substr(slash + 1);
  const bool folder = url.back() == '/' || key.empty();
  if (folder) key += "**";
  auto path = store.localPath(bucket, key);
  if (!path)
    throw Error(errc::kQuery, "'" + url +
                                  "': this lake does not keep objects as local files, and "
                                  "staging remote objects for SQL is not available yet");
  if (folder) path->resize(path->size() - (url.back() == '/' ? 2 : 3));  // "**" or "/**"
  return *path;
}

}  // namespace

std::string ResolvedSql::describe(std::string message) const {
  for (const auto& [url, path] : substitutions) {
    for (size_t pos = message.find(path); pos != std::string::npos;
         pos = message.find(path, pos + url.size()))
      message.replace(pos, path.size(), url);
  }
  return message;
}

ResolvedSql resolveLakeUrls(const std::string& sql, lake::ObjectStore& store) {
  ResolvedSql resolved;
  std::string& out = resolved.sql;
  out.reserve(sql.size());
  std::string last_word;  // the last bare word before the current position
  size_t statement_start = 0;
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {  // line comment
      size_t end = sql.find('\n', i);
      end = end == std::string::npos ? sql.size() : end;
      out.append(sql, i, end - i);
      i = end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {  // block comment
      size_t end = sql.find("*/", i + 2);
      end = end == std::string::npos ? sql.size() : end + 2;
      out.append(sql, i, end - i);
      i = end;
    } else if (c == '"') {  // quoted identifier
      size_t end = i + 1;
      while (end < sql.size() &&
             !(sql[end] == '"' && (end + 1 >= sql.size() || sql[end + 1] != '"')))
        end += sql[end] == '"' ? 2 : 1;
      end = std::min(end + 1, sql.size());
      out.append(sql, i, end - i);
      last_word.clear();
      i = end;
    } else if (c == '\'') {  // string literal with '' escapes
      std::string value;
      size_t j = i + 1;
      for (; j < sql.size(); j++) {
        if (sql[j] == '\'') {
          if (j + 1 < sql.size() && sql[j + 1] == '\'') {
            value += '\'';
            j++;
          } else {
            break;
          }
        } else {
          value += sql[j];
        }
      }
      size_t end = std::min(j + 1, sql.size());
      if (value.compare(0, kScheme.size(), kScheme) == 0) {
        if (iequals(last_word, "TO"))
          throw Error(errc::kQuery, "'" + value +
                                        "': SQL cannot write into the lake; write a "
                                        "local file and `sluice lake put` it, or use a data step");
        std::string path = localPathFor(value, store);
        resolved.substitutions.emplace_back(value, path);
        out += sqlLiteral(path);
      } else {
        out.append(sql, i, end - i);
      }
      last_word.clear();
      i = end;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = i;
      while (end < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_'))
        end++;
      last_word = sql.substr(i, end - i);
      out.append(sql, i, end - i);
      i = end;
    } else {
      if (!std::isspace(static_cast<unsigned char>(c))) last_word.clear();
      if (c == ';') {
        resolved.statements.push_back(out.substr(statement_start));
        statement_start = out.size() + 1;
      }
      out += c;
      i++;
    }
  }
  resolved.statements.push_back(out.substr(std::min(statement_start, out.size())));
  // Drop empty statements (a trailing ';', blank lines).
  std::erase_if(resolved.statements, [](const std::string& st) {
    return st.find_first_not_of(" \t\r\n") == std::string::npos;
  });
  return resolved;
}

std::string withLakeUrls(std::string message, lake::ObjectStore& store) {
  for (const auto& b : store.listBuckets()) {
    auto dir = store.localPath(b.name, "");
    if (!dir) continue;
    const std::string from = *dir + "/", to = "lake://" + b.name + "/";
    for (size_t pos = message.find(from); pos != std::string::npos;
         pos = message.find(from, pos + to.size()))
      message.replace(pos, from.size(), to);
  }
  return message;
}

}  // namespace sluice::data
