#include "state/sqlite_parameter_store.h"

#include "core/error.h"

namespace sluice::state {

Parameter SqliteParameterStore::readParameter(SqliteStatement& row) {
  Parameter p;
  p.name = row.text(0);
  p.version = row.int64(1);
  p.type = parseParameterType(row.text(2));
  p.value = row.text(3);
  if (p.type == ParameterType::kSecureString) p.value = secrets_.open(p.value);
  p.description = row.text(4);
  p.last_modified = row.int64(5);
  return p;
}

int64_t SqliteParameterStore::put(const PutParameterRequest& r) {
  validateParameterName(r.name);
  if (r.value.empty()) throw Error(errc::kValidation, "parameter '" + r.name + "' needs a value");
  if (r.value.size() > 8192)
    throw Error(errc::kValidation, "parameter '" + r.name + "' value is over 8 KiB");
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  auto latest = db_.prepare("SELECT MAX(version) FROM parameters WHERE name = ?1");
  latest.bind(1, r.name).step();
  int64_t version = latest.isNull(0) ? 0 : latest.int64(0);
  if (version > 0 && !r.overwrite)
    throw Error(errc::kParameterAlreadyExists,
                "parameter '" + r.name + "' already exists (use overwrite to add a version)");
  std::string stored = r.type == ParameterType::kSecureString ? secrets_.seal(r.value) : r.value;
  auto ins = db_.prepare(
      "INSERT INTO parameters(name, version, type, value, description, modified_ns) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  ins.bind(1, r.name).bind(2, version + 1).bind(3, std::string_view(toString(r.type)));
  ins.bindBlob(4, stored).bind(5, r.description).bind(6, static_cast<int64_t>(clock_.now()));
  ins.run();
  tx.commit();
  return version + 1;
}

Parameter SqliteParameterStore::get(const std::string& selector) {
  std::string name = selector;
  int64_t version = 0;
  if (size_t colon = selector.rfind(':'); colon != std::string::npos) {
    name = selector.substr(0, colon);
    try {
      version = std::stoll(selector.substr(colon + 1));
    } catch (...) {
      throw Error(errc::kValidation, "'" + selector + "': a version selector must be a number");
    }
  }
  validateParameterName(name);
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      version > 0 ? "SELECT name, version, type, value, description, modified_ns FROM parameters "
                    "WHERE name = ?1 AND version = ?2"
                  : "SELECT name, version, type, value, description, modified_ns FROM parameters "
                    "WHERE name = ?1 ORDER BY version DESC LIMIT 1");
  st.bind(1, name);
  if (version > 0) st.bind(2, version);
  if (!st.step()) {
    if (version > 0)
      throw Error(errc::kParameterVersionNotFound,
                  "parameter '" + name + "' has no version " + std::to_string(version));
    throw Error(errc::kParameterNotFound, "parameter '" + name + "' does not exist");
  }
  return readParameter(st);
}

std::vector<Parameter> SqliteParameterStore::listByPath(const std::string& path, bool recursive) {
  if (path.empty() || path.front() != '/')
    throw Error(errc::kValidation, "parameter path '" + path + "' must begin with '/'");
  if (path != "/") validateParameterName(path);
  const std::string lower = path == "/" ? "/" : path + "/";
  // Names below `lower` sort before lower with its last '/' bumped to '0'.
  const std::string upper = lower.substr(0, lower.size() - 1) + "0";
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT p.name, p.version, p.type, p.value, p.description, p.modified_ns FROM parameters p "
      "WHERE p.name >= ?1 AND p.name < ?2 AND "
      "p.version = (SELECT MAX(version) FROM parameters q WHERE q.name = p.name) ORDER BY p.name");
  st.bind(1, lower).bind(2, upper);
  std::vector<Parameter> out;
  while (st.step()) {
    Parameter p = readParameter(st);
    if (!recursive && p.name.find('/', lower.size()) != std::string::npos) continue;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<Parameter> SqliteParameterStore::history(const std::string& name) {
  validateParameterName(name);
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT name, version, type, value, description, modified_ns FROM parameters "
      "WHERE name = ?1 ORDER BY version");
  st.bind(1, name);
  std::vector<Parameter> out;
  while (st.step()) out.push_back(readParameter(st));
  if (out.empty()) throw Error(errc::kParameterNotFound, "parameter '" + name + "' does not exist");
  return out;
}

void SqliteParameterStore::remove(const std::string& name) {
  validateParameterName(name);
  std::lock_guard lock(mu_);
  auto st = db_.prepare("DELETE FROM parameters WHERE name = ?1");
  st.bind(1, name).run();
  if (db_.changes() == 0)
    throw Error(errc::kParameterNotFound, "parameter '" + name + "' does not exist");
}

}  // namespace sluice::state
