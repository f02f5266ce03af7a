#pragma once
// The SQLite state database's schema as numbered migrations; migration i brings the
// schema to version i+1 (PRAGMA user_version). Append only: a released migration never
// changes.
#include <vector>

namespace sluice::state {

const std::vector<const char*>& sqliteMigrations();

}  // namespace sluice::state
