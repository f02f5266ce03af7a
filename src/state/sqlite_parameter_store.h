#pragma once
// ParameterStore on the SQLite state database; shares the connection and its lock with the
// other SQLite stores (SqliteStateStore composes them).
#include <mutex>

#include "state/parameter_store.h"
#include "state/secret_box.h"
#include "state/sqlite_db.h"

namespace sluice::state {

class SqliteParameterStore : public ParameterStore {
 public:
  SqliteParameterStore(SqliteDb& db, std::mutex& mu, const core::Clock& clock,
                       const SecretBox& secrets)
      : db_(db), mu_(mu), clock_(clock), secrets_(secrets) {}
  int64_t put(const PutParameterRequest& request) override;
  Parameter get(const std::string& selector) override;
  std::vector<Parameter> listByPath(const std::string& path, bool recursive) override;
  std::vector<Parameter> history(const std::string& name) override;
  void remove(const std::string& name) override;

 private:
  Parameter readParameter(SqliteStatement& row);
  SqliteDb& db_;
  std::mutex& mu_;
  const core::Clock& clock_;
  const SecretBox& secrets_;
};

}  // namespace sluice::state
