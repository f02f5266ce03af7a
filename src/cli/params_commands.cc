// sluice params put|get|list|history|rm
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "state/state_store.h"

namespace sluice::cli {

namespace {

constexpr const char* kHidden = "********";

nlohmann::json toJson(const state::Parameter& p, bool decrypt) {
  bool secure = p.type == state::ParameterType::kSecureString;
  return {{"Name", p.name},
          {"Type", state::toString(p.type)},
          {"Value", secure && !decrypt ? kHidden : p.value},
          {"Version", p.version},
          {"LastModifiedDate", core::formatIso8601Ms(p.last_modified)},
          {"Description", p.description}};
}

void printParameters(std::ostream& out, const std::vector<state::Parameter>& params, bool decrypt,
                     bool as_json) {
  if (as_json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& p : params) arr.push_back(toJson(p, decrypt));
    out << arr.dump(2) << '\n';
    return;
  }
  for (const auto& p : params) {
    bool secure = p.type == state::ParameterType::kSecureString;
    out << p.name << '\t' << state::toString(p.type) << "\tv" << p.version << '\t'
        << core::formatIso8601Ms(p.last_modified) << '\t'
        << (secure && !decrypt ? kHidden : p.value) << '\n';
  }
}

}  // namespace

void addParamsCommands(CLI::App& app, CliContext& ctx) {
  auto* params =
      app.add_subcommand("params", "versioned parameters and secrets (SSM Parameter Store)");
  params->require_subcommand(1);

  {
    auto* cmd =
        params->add_subcommand("put", "create a parameter, or add a version with --overwrite");
    auto req = std::make_shared<state::PutParameterRequest>();
    auto type = std::make_shared<std::string>("String");
    auto value = std::make_shared<std::string>();
    cmd->add_option("NAME", req->name, "parameter name, e.g. /app/db/host")->required();
    cmd->add_option("VALUE", *value, "the value, or @FILE to read it from a file")->required();
    cmd->add_option("--type", *type, "String, StringList or SecureString")
        ->check(CLI::IsMember({"String", "StringList", "SecureString"}));
    cmd->add_option("--description", req->description, "what the parameter is for");
    cmd->add_flag("--overwrite", req->overwrite, "add a new version if the name exists");
    cmd->callback([&ctx, req, type, value] {
      req->type = state::parseParameterType(*type);
      req->value = readArgOrFile(*value);
      int64_t version = ctx.environment().state().parameters().put(*req);
      ctx.out << "{\"Version\": " << version << "}\n";
    });
  }
  {
    auto* cmd = params->add_subcommand("get", "print a parameter's value (NAME or NAME:VERSION)");
    auto name = std::make_shared<std::string>();
    auto decrypt = std::make_shared<bool>(false);
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("NAME", *name, "NAME or NAME:VERSION")->required();
    cmd->add_flag("--with-decryption", *decrypt, "show a SecureString's value");
    cmd->add_flag("--json", *as_json, "print the whole parameter as JSON");
    cmd->callback([&ctx, name, decrypt, as_json] {
      auto p = ctx.environment().state().parameters().get(*name);
      if (*as_json) {
        ctx.out << toJson(p, *decrypt).dump(2) << '\n';
        return;
      }
      if (p.type == state::ParameterType::kSecureString && !*decrypt)
        throw Error(errc::kInvalidArgument,
                    "parameter '" + p.name +
                        "' is a SecureString; add --with-decryption to print its value");
      ctx.out << p.value << '\n';
    });
  }
  {
    auto* cmd =
        params->add_subcommand("list", "list the latest version of parameters under a path");
    auto path = std::make_shared<std::string>("/");
    auto recursive = std::make_shared<bool>(false);
    auto decrypt = std::make_shared<bool>(false);
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("PATH", *path, "path such as /app (default /)");
    cmd->add_flag("-r,--recursive", *recursive, "include every level below the path");
    cmd->add_flag("--with-decryption", *decrypt, "show SecureString values");
    cmd->add_flag("--json", *as_json, "print JSON");
    cmd->callback([&ctx, path, recursive, decrypt, as_json] {
      printParameters(ctx.out, ctx.environment().state().parameters().listByPath(*path, *recursive),
                      *decrypt, *as_json);
    });
  }
  {
    auto* cmd = params->add_subcommand("history", "list every version of a parameter");
    auto name = std::make_shared<std::string>();
    auto decrypt = std::make_shared<bool>(false);
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("NAME", *name, "parameter name")->required();
    cmd->add_flag("--with-decryption", *decrypt, "show SecureString values");
    cmd->add_flag("--json", *as_json, "print JSON");
    cmd->callback([&ctx, name, decrypt, as_json] {
      printParameters(ctx.out, ctx.environment().state().parameters().history(*name), *decrypt,
                      *as_json);
    });
  }
  {
    auto* cmd = params->add_subcommand("rm", "delete a parameter and all its versions");
    auto name = std::make_shared<std::string>();
    cmd->add_option("NAME", *name, "parameter name")->required();
    cmd->callback([&ctx, name] {
      ctx.environment().state().parameters().remove(*name);
      ctx.out << "deleted: " << *name << '\n';
    });
  }
}

}  // namespace sluice::cli
