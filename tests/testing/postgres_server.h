#pragma once
// A throwaway PostgreSQL server from Debian's packages for tests: initdb into a temp
// folder, listen on a Unix socket only, stop and delete on destruction.
#include <memory>
#include <string>

#include "testing/temp_dir.h"

namespace sluice::testing {

class PostgresServer {
 public:
  // nullptr when the PostgreSQL server binaries are not installed.
  static std::unique_ptr<PostgresServer> start();
  ~PostgresServer();
  // libpq connection string for the "postgres" database.
  std::string conninfo() const;
  // Runs SQL through psql; throws on failure.
  void exec(const std::string& sql) const;

 private:
  PostgresServer() = default;
  std::string asOwner(const std::string& command) const;
  TempDir dir_;
  std::string bin_;
  int port_ = 0;
  bool as_root_ = false;
};

}  // namespace sluice::testing
