#include "testing/postgres_server.h"

#include <unistd.h>

#include <filesystem>
#include <random>
#include <stdexcept>

namespace sluice::testing {

namespace fs = std::filesystem;

std::string PostgresServer::asOwner(const std::string& command) const {
  // initdb and postgres refuse to run as root; tests on CI run as root.
  if (!as_root_) return command;
  return "runuser -u postgres -- sh -c '" + command + "'";
}

std::unique_ptr<PostgresServer> PostgresServer::start() {
  std::string bin;
  if (fs::exists("/usr/lib/postgresql")) {
    for (auto& v : fs::directory_iterator("/usr/lib/postgresql"))
      if (fs::exists(v.path() / "bin/initdb")) bin = (v.path() / "bin").string();
  }
  if (bin.empty()) return nullptr;
  std::unique_ptr<PostgresServer> s(new PostgresServer());
  s->bin_ = bin;
  s->as_root_ = ::geteuid() == 0;
  std::random_device rd;
  s->port_ = 20000 + static_cast<int>(rd() % 20000);
  const std::string data = s->dir_ / "data";
  if (s->as_root_) {
    fs::permissions(s->dir_.path(), fs::perms::all);
    if (std::system(("chown postgres " + s->dir_.path()).c_str()) != 0)
      throw std::runtime_error("chown failed");
  }
  std::string init = s->asOwner(bin + "/initdb -D " + data + " -A trust -U postgres >" +
                                (s->dir_ / "initdb.log") + " 2>&1");
  if (std::system(init.c_str()) != 0)
    throw std::runtime_error("initdb failed, see " + (s->dir_ / "initdb.log"));
  std::string start =
      s->asOwner(bin + "/pg_ctl -D " + data + " -w -l " + (s->dir_ / "server.log") + " -o \"-k " +
                 s->dir_.path() + " -h \\\"\\\" -p " + std::to_string(s->port_) +
                 " -c fsync=off\" start >/dev/null 2>&1");
  if (std::system(start.c_str()) != 0)
    throw std::runtime_error("PostgreSQL did not start, see " + (s->dir_ / "server.log"));
  return s;
}

PostgresServer::~PostgresServer() {
  std::string stop =
      asOwner(bin_ + "/pg_ctl -D " + (dir_ / "data") + " -m immediate stop >/dev/null 2>&1");
  (void)std::system(stop.c_str());
}

std::string PostgresServer::conninfo() const {
  return "host=" + dir_.path() + " port=" + std::to_string(port_) +
         " user=postgres dbname=postgres";
}

void PostgresServer::exec(const std::string& sql) const {
  std::string file = dir_ / "exec.sql";
  writeFile(file, sql);
  if (as_root_) (void)std::system(("chmod 644 " + file).c_str());
  std::string cmd =
      bin_ + "/psql -q -v ON_ERROR_STOP=1 \"" + conninfo() + "\" -f " + file + " >/dev/null";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("psql failed: " + sql);
}

}  // namespace sluice::testing
