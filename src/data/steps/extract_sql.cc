#include <cctype>

#include "core/error.h"
#include "data/sql_source.h"
#include "data/steps/step.h"
#include "data/table_io.h"
#include "lake/object_store.h"
#include "state/parameter_store.h"

namespace sluice::data {

namespace {

using nlohmann::json;

std::string checkedName(const std::string& name, const char* what) {
  if (name.empty()) throw Error(errc::kInvalidArgument, std::string(what) + " must not be empty");
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      throw Error(errc::kInvalidArgument,
                  std::string(what) + " '" + name + "' may hold only letters, digits and '_'");
  return "\"" + name + "\"";
}

// Orders watermark values: numbers numerically, anything else as text (ISO timestamps).
bool greater(const json& a, const std::string& b_text) {
  if (a.is_number()) {
    try {
      return a.get<double>() > std::stod(b_text);
    } catch (...) {
      return true;
    }
  }
  return (a.is_string() ? a.get<std::string>() : a.dump()) > b_text;
}

std::string asText(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

json extractSqlStep(const json& event, const StepEnv& env) {
  if (!env.parameters) throw Error(errc::kInternal, "extract_sql needs the parameter store");
  auto source = openSqlSource(requireField(event, "source"));
  const std::string column = event.value("watermark_column", "last_updated");
  const std::string quoted_column = checkedName(column, "watermark_column");
  const std::string prefix = event.value("parameter_prefix", "/extract");
  const json& output = requireField(event, "output");
  const json out_spec = output.is_string() ? json{{"path", output}} : output;
  const bool as_array = out_spec.value("format", "jsonl") == "json";

  json tables = json::object();
  bool new_data = false;
  for (const auto& t : requireField(event, "tables")) {
    const std::string name = t.is_string() ? t.get<std::string>() : t.at("name").get<std::string>();
    const bool full = t.is_object() && t.value("full", false);
    const std::string quoted = checkedName(name, "table name");
    json names_vars = event.value("vars", json::object());
    names_vars["table"] = name;
    const json names = event.value("parameter_names", json::object());
    const std::string watermark_param = renderKeyTemplate(
        names.value("watermark", prefix + "/{table}/watermark"), names_vars, env.now);
    const std::string sequence_param = renderKeyTemplate(
        names.value("packet_id", prefix + "/{table}/packet_id"), names_vars, env.now);

    std::optional<std::string> watermark =
        full ? std::nullopt : state::findParameterValue(*env.parameters, watermark_param);
    std::string sql = "SELECT * FROM " + quoted;
    std::vector<std::string> params;
    if (watermark) {
      sql += " WHERE " + quoted_column + " > " + source->placeholder(1);
      params.push_back(*watermark);
    }
    if (!full) sql += " ORDER BY " + quoted_column;

    std::string body = as_array ? "[" : "";
    int64_t rows = 0;
    std::optional<json> highest;
    source->query(sql, params, [&](json&& row) {
      if (!full) {
        auto it = row.find(column);
        if (it == row.end())
          throw Error(errc::kInvalidArgument,
                      "table '" + name + "' has no watermark column '" + column + "'");
        if (!it->is_null() && (!highest || greater(*it, asText(*highest)))) highest = *it;
      }
      if (as_array && rows > 0) body += ",";
      body += row.dump();
      if (!as_array) body += "\n";
      rows++;
    });
    if (as_array) body += "]";

    json result{{"rows", rows}};
    if (rows > 0) {
      const std::string last_packet =
          state::findParameterValue(*env.parameters, sequence_param).value_or("0");
      if (last_packet.empty() || last_packet.size() > 18 ||
          last_packet.find_first_not_of("0123456789") != std::string::npos)
        throw Error(errc::kInvalidArgument, "parameter '" + sequence_param + "' holds '" +
                                                last_packet + "', not a packet number");
      const int64_t packet_id = std::stoll(last_packet) + 1;
      json vars = event.value("vars", json::object());
      vars["table"] = name;
      vars["packet_id"] = packet_id;
      LakeUrl dest = parseLakeUrl(renderKeyTemplate(out_spec["path"], vars, env.now));
      lake::PutOptions opts;
      opts.content_type = as_array ? "application/json" : "application/x-ndjson";
      opts.no_overwrite = true;
      env.lake.put(dest.bucket, dest.key, body, opts);
      // Only after the packet is stored: a crash before this line re-extracts the same
      // rows next time (at-least-once), never skips them.
      state::setStringParameter(*env.parameters, sequence_param, std::to_string(packet_id),
                                "last packet id of " + name);
      if (highest)
        state::setStringParameter(*env.parameters, watermark_param, asText(*highest),
                                  "extract watermark of " + name);
      result["packet_id"] = packet_id;
      result["key"] = "lake://" + dest.bucket + "/" + dest.key;
      if (!full) new_data = true;
    }
    if (highest)
      result["watermark"] = *highest;
    else if (watermark)
      result["watermark"] = *watermark;
    env.log("extract_sql: " + std::to_string(rows) + " rows from " + name + " of " +
            source->describe());
    tables[name] = result;
  }
  return {{"new_data", new_data}, {"tables", tables}};
}

}  // namespace sluice::data
