#pragma once
// Makes lake objects addressable from SQL: every string literal of the form
// 'lake://BUCKET/KEY' (the key may be a glob such as 'raw/2025-*/*.jsonl') is replaced
// by the path at which the store keeps those objects, so DuckDB's own readers and its
// replacement scans (FROM 'x.parquet', FROM 'x.csv', FROM 'x.jsonl') pick the reader
// from the extension, and explicit calls such as read_csv('lake://…', delim='|') work.
//
// Writing to a lake:// target from SQL (COPY … TO 'lake://…') is refused: writes go
// through the ObjectStore so they are atomic and raise object events.
#include <string>
#include <utility>
#include <vector>

namespace sluice::lake {
class ObjectStore;
}

namespace sluice::data {

struct ResolvedSql {
  std::string sql;
  // Each lake:// URL and the path it became, to translate DuckDB's messages back.
  std::vector<std::pair<std::string, std::string>> substitutions;
  // The statements of `sql`, split at semicolons outside strings and comments.
  std::vector<std::string> statements;
  // `message` with every substituted path written as its lake:// URL again.
  std::string describe(std::string message) const;
};

ResolvedSql resolveLakeUrls(const std::string& sql, lake::ObjectStore& store);

// `message` with the store's local bucket folders written as lake://BUCKET/ URLs, so
// errors from DuckDB name objects the way the user does.
std::string withLakeUrls(std::string message, lake::ObjectStore& store);

}  // namespace sluice::data
