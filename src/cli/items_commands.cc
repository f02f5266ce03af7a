// sluice items create-table|tables|put|get|rm|query
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "state/state_store.h"

namespace sluice::cli {

namespace {

using nlohmann::json;

json parseJsonArg(const std::string& arg, const char* what) {
  json j = json::parse(readArgOrFile(arg), nullptr, false);
  if (j.is_discarded()) throw UsageError(std::string(what) + " is not valid JSON: " + arg);
  return j;
}

// "name" or "name:S" / "name:N".
state::KeyAttribute parseKeyAttribute(const std::string& spec) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos) return {spec, state::KeyType::kString};
  return {spec.substr(0, colon), state::parseKeyType(spec.substr(colon + 1))};
}

// A command-line key value typed by the key's declared type.
json typedValue(const std::string& text, state::KeyType type) {
  if (type == state::KeyType::kString) return text;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_number()) throw UsageError("'" + text + "' is not a number");
  return j;
}

}  // namespace

void addItemsCommands(CLI::App& app, CliContext& ctx) {
  auto* items = app.add_subcommand("items", "item tables with partition and sort keys (DynamoDB)");
  items->require_subcommand(1);

  {
    auto* cmd = items->add_subcommand("create-table", "create an item table");
    auto name = std::make_shared<std::string>();
    auto pk = std::make_shared<std::string>();
    auto sk = std::make_shared<std::string>();
    cmd->add_option("TABLE", *name, "table name")->required();
    cmd->add_option("--partition-key", *pk, "NAME[:S|N] (default type S)")->required();
    cmd->add_option("--sort-key", *sk, "NAME[:S|N]");
    cmd->callback([&ctx, name, pk, sk] {
      state::TableSchema schema{*name, parseKeyAttribute(*pk), std::nullopt};
      if (!sk->empty()) schema.sort_key = parseKeyAttribute(*sk);
      ctx.environment().state().items().createTable(schema);
      ctx.out << "created table: " << *name << '\n';
    });
  }
  {
    auto* cmd = items->add_subcommand("tables", "list item tables");
    cmd->callback([&ctx] {
      for (const auto& t : ctx.environment().state().items().listTables()) {
        ctx.out << t.name << '\t' << t.partition_key.name << ':'
                << state::toString(t.partition_key.type);
        if (t.sort_key)
          ctx.out << '\t' << t.sort_key->name << ':' << state::toString(t.sort_key->type);
        ctx.out << '\n';
      }
    });
  }
  {
    auto* cmd =
        items->add_subcommand("put", "store an item (a JSON object with the key attributes)");
    auto table = std::make_shared<std::string>();
    auto item = std::make_shared<std::string>();
    cmd->add_option("TABLE", *table, "table name")->required();
    cmd->add_option("ITEM", *item, "JSON object, or @FILE")->required();
    cmd->callback([&ctx, table, item] {
      ctx.environment().state().items().put(*table, parseJsonArg(*item, "ITEM"));
    });
  }
  {
    auto* cmd = items->add_subcommand("get", "print one item by its key");
    auto table = std::make_shared<std::string>();
    auto key = std::make_shared<std::string>();
    cmd->add_option("TABLE", *table, "table name")->required();
    cmd->add_option("KEY", *key, "JSON object holding the key attributes")->required();
    cmd->callback([&ctx, table, key] {
      auto item = ctx.environment().state().items().get(*table, parseJsonArg(*key, "KEY"));
      if (!item)
        throw Error(errc::kNotFound, "no item with key " + *key + " in table '" + *table + "'");
      ctx.out << item->dump() << '\n';
    });
  }
  {
    auto* cmd = items->add_subcommand("rm", "delete one item by its key");
    auto table = std::make_shared<std::string>();
    auto key = std::make_shared<std::string>();
    cmd->add_option("TABLE", *table, "table name")->required();
    cmd->add_option("KEY", *key, "JSON object holding the key attributes")->required();
    cmd->callback([&ctx, table, key] {
      bool existed = ctx.environment().state().items().remove(*table, parseJsonArg(*key, "KEY"));
      ctx.out << (existed ? "deleted\n" : "absent\n");
    });
  }
  {
    auto* cmd =
        items->add_subcommand("query", "items of one partition, in sort-key order (JSON lines)");
    auto table = std::make_shared<std::string>();
    auto partition = std::make_shared<std::string>();
    auto cond = std::make_shared<std::map<std::string, std::string>>();
    auto desc = std::make_shared<bool>(false);
    auto limit = std::make_shared<int>(0);
    cmd->add_option("TABLE", *table, "table name")->required();
    cmd->add_option("PARTITION", *partition, "partition key value")->required();
    for (const char* op : {"eq", "lt", "le", "gt", "ge", "begins-with", "between"})
      cmd->add_option(std::string("--") + op, (*cond)[op],
                      std::string("sort key condition: ") + op +
                          (std::string(op) == "between" ? " LOW,HIGH" : " VALUE"));
    cmd->add_flag("--desc", *desc, "descending sort-key order");
    cmd->add_option("--limit", *limit, "at most this many items");
    cmd->callback([&ctx, table, partition, cond, desc, limit] {
      auto& store = ctx.environment().state().items();
      auto schema = store.describeTable(*table);
      if (!schema) throw Error(errc::kResourceNotFound, "table '" + *table + "' does not exist");
      state::ItemQuery q;
      q.table = *table;
      q.partition_value = typedValue(*partition, schema->partition_key.type);
      q.descending = *desc;
      q.limit = *limit;
      using Op = state::SortKeyCondition::Op;
      const std::map<std::string, Op> ops{
          {"eq", Op::kEq},          {"lt", Op::kLt}, {"le", Op::kLe},
          {"gt", Op::kGt},          {"ge", Op::kGe}, {"begins-with", Op::kBeginsWith},
          {"between", Op::kBetween}};
      for (const auto& [name, value] : *cond) {
        if (value.empty()) continue;
        if (q.sort) throw UsageError("give at most one sort key condition");
        if (!schema->sort_key) throw UsageError("table '" + *table + "' has no sort key");
        state::SortKeyCondition c;
        c.op = ops.at(name);
        if (c.op == Op::kBetween) {
          size_t comma = value.find(',');
          if (comma == std::string::npos) throw UsageError("--between expects LOW,HIGH");
          c.value = typedValue(value.substr(0, comma), schema->sort_key->type);
          c.upper = typedValue(value.substr(comma + 1), schema->sort_key->type);
        } else {
          c.value = typedValue(value, schema->sort_key->type);
        }
        q.sort = c;
      }
      for (const auto& item : store.query(q)) ctx.out << item.dump() << '\n';
    });
  }
}

}  // namespace sluice::cli
