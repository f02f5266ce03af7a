#include "functions/memory_limit.h"

#include <filesystem>

#include "data/duckdb_engine.h"

namespace sluice::functions {

Handler limitDuckDbMemory(Handler handler, int memory_mb) {
  return [handler = std::move(handler), memory_mb](const nlohmann::json& event,
                                                   InvocationContext& ctx) {
    Services services = ctx.services();
    data::EngineOptions options;
    options.memory_limit = std::to_string(memory_mb) + "MB";
    options.temp_directory =
        (std::filesystem::path(services.scratch_dir) / ("duckdb-" + ctx.requestId())).string();
    data::Database own(options);
    struct RemoveSpill {
      std::string dir;
      ~RemoveSpill() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      }
    } remove_spill{options.temp_directory};
    Services limited{services.lake,        services.state,   own,
                     services.scratch_dir, services.publish, services.redact};
    InvocationContext limited_ctx = ctx.withServices(limited);
    return handler(event, limited_ctx);
  };
}

}  // namespace sluice::functions
