// sluice up: serve the lake over the S3 API until SIGTERM or SIGINT.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/ids.h"
#include "lake/object_store.h"
#include "runtime/api_server.h"
#include "runtime/execution_resumer.h"
#include "runtime/project_runtime.h"
#include "runtime/runtime_log.h"
#include "s3/server.h"
#include "state/state_store.h"

namespace sluice::cli {

namespace {

constexpr const char* kKeyParam = "/sluice/s3/access-key-id";
constexpr const char* kSecretParam = "/sluice/s3/secret-access-key";

// Credentials from SLUICE_S3_ACCESS_KEY_ID/SLUICE_S3_SECRET_ACCESS_KEY, else the pair
// kept in the parameter store, else a new pair stored there (the secret encrypted).
s3::Credentials serverCredentials(state::ParameterStore& params, std::ostream& out) {
  const char* id = std::getenv("SLUICE_S3_ACCESS_KEY_ID");
  const char* secret = std::getenv("SLUICE_S3_SECRET_ACCESS_KEY");
  if (id && *id && secret && *secret) return {id, secret};
  try {
    return {params.get(kKeyParam).value, params.get(kSecretParam).value};
  } catch (const Error& e) {
    if (e.code() != errc::kParameterNotFound) throw;
  }
  std::string key = "SLU" + core::randomHex(8);
  for (auto& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string new_secret = core::base64Encode(core::randomHex(20)).substr(0, 40);
  params.put({kKeyParam, key, state::ParameterType::kString, "access key id of the S3 API", true});
  params.put({kSecretParam, new_secret, state::ParameterType::kSecureString, "secret of the S3 API",
              true});
  out << "sluice: created S3 credentials: access key " << key << "; the secret is in parameter "
      << kSecretParam << " (sluice params get " << kSecretParam << " --with-decryption)\n";
  return {key, new_secret};
}

std::pair<std::string, int> parseAddress(const std::string& addr) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) throw UsageError("an address must be HOST:PORT");
  try {
    return {addr.substr(0, colon), std::stoi(addr.substr(colon + 1))};
  } catch (const std::exception&) {
    throw UsageError("an address must be HOST:PORT");
  }
}

}  // namespace

void addUpCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand(
      "up",
      "run a project (uploads fire functions, schedules fire workflows, routes serve HTTP), "
      "serve the lake over the S3 API and finish executions a crash left running, until "
      "stopped (SIGTERM, SIGINT)");
  auto s3_addr = std::make_shared<std::string>("127.0.0.1:9000");
  auto api_addr = std::make_shared<std::string>("127.0.0.1:8080");
  auto project = std::make_shared<std::string>();
  auto log_format = std::make_shared<std::string>("text");
  cmd->add_option("--log-format", *log_format,
                  "how to print deliveries, firings, function logs and HTTP requests")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("PROJECT_DIR", *project, "the project folder (with sluice.yaml)");
  cmd->add_option("--s3-addr", *s3_addr, "HOST:PORT of the S3 API (port 0: any free port)");
  auto tls = std::make_shared<s3::TlsFiles>();
  auto* cert = cmd->add_option("--tls-cert", tls->certificate,
                               "PEM certificate: serve the S3 API over HTTPS")
                   ->check(CLI::ExistingFile);
  auto* key = cmd->add_option("--tls-key", tls->private_key, "PEM private key of --tls-cert")
                  ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  cmd->add_option("--api-addr", *api_addr,
                  "HOST:PORT of the HTTP API: the project's routes, /metrics, /sluice/… (port 0: "
                  "any free port)");
  cmd->callback([&ctx, s3_addr, api_addr, project, log_format, tls] {
    // Blocked before any thread starts, so every thread inherits the mask and the signals
    // reach only the waiter below (not the default action, which would end the process).
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto [host, port] = parseAddress(*s3_addr);
    auto [api_host, api_port] = parseAddress(*api_addr);
    if (!project->empty()) ctx.project_dir = *project;
    auto& env = ctx.environment();
    const s3::Credentials credentials = serverCredentials(env.state().parameters(), ctx.out);
    env.redactor().add(credentials.secret_access_key);
    runtime::RuntimeLog log(ctx.out, *log_format == "json", env.redactor());
    s3::S3Server server(env.lake(), credentials, env.dataDir() + "/tmp/multipart",
                        core::SystemClock::instance(), *tls);
    const int bound = server.bind(host, port);
    const std::string endpoint =
        (tls->enabled() ? "https://" : "http://") + host + ":" + std::to_string(bound);
    runtime::ProjectRuntime* rt = nullptr;
    if (!ctx.project_dir.empty()) {
      const runtime::S3Access access{endpoint, credentials.access_key_id,
                                     credentials.secret_access_key,
                                     tls->enabled() ? tls->certificate : ""};
      rt = &ctx.runtime(&access);
    }
    runtime::ApiServer api(env, rt ? &rt->project() : nullptr, credentials);
    api.setLog(&log);
    if (rt) rt->setLog(&log);
    const int api_bound = api.bind(api_host, api_port);
    if (rt) rt->start();
    std::thread api_thread([&api] { api.serve(); });

    // A stop that comes before serve() is listening would be lost, so the waiter keeps
    // asking until serve() has returned.
    std::atomic<bool> served{false};
    std::thread waiter([&] {
      int sig = 0;
      sigwait(&signals, &sig);
      while (!served) {
        server.stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
    ctx.out << "sluice: S3 API listening on " << endpoint << " (lake " << env.dataDir()
            << "/lake), HTTP API on http://" << api_host << ":" << api_bound;
    if (rt)
      ctx.out << "; project " << rt->project().name << ": " << rt->project().functions.size()
              << " functions, " << rt->project().events.size() << " event rules, "
              << rt->project().schedules.size() << " schedules, " << rt->project().routes.size()
              << " routes";
    ctx.out << std::endl;
    // Executions a crash left RUNNING are run on here, without `sluice executions resume`
    // (after the ready line, which the resumer's log lines follow).
    runtime::ExecutionResumer resumer(env.workflows(), [&log](const std::string& id) {
      log.write("resume", {{"execution", id}});
    });
    server.serve();
    api.stop();
    api_thread.join();
    resumer.stop();
    if (rt) rt->stop();  // running deliveries and firings finish
    served = true;
    pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter if serve() ended by itself
    waiter.join();
    ctx.out << "sluice: stopped" << std::endl;
  });
}

}  // namespace sluice::cli
