// Every bundled pipeline's project file loads without a fault, as `sluice validate`
// would check it, and names only functions that exist.
#include <gtest/gtest.h>

#include <filesystem>

#include "app/environment.h"
#include "functions/registry.h"
#include "project/loader.h"
#include "testing/temp_dir.h"

namespace sluice::pipelines {
namespace {

namespace fs = std::filesystem;

TEST(BundledProjects, EveryPipelineFolderIsAValidProject) {
  testing::TempDir dir;
  app::Environment env(dir / "data");
  std::set<std::string> builtins;
  for (const auto* f : env.functions().all()) builtins.insert(f->name);
  int projects = 0;
  for (const auto& e : fs::directory_iterator(std::string(SLUICE_SOURCE_DIR) + "/pipelines")) {
    if (!fs::exists(e.path() / "sluice.yaml")) continue;
    projects++;
    try {
      const auto p = project::loadProject(e.path().string(), builtins);
      EXPECT_FALSE(p.functions.empty()) << e.path();
      EXPECT_FALSE(p.schedules.empty()) << e.path();
    } catch (const std::exception& err) {
      ADD_FAILURE() << e.path() << ": " << err.what();
    }
  }
  EXPECT_GE(projects, 2);
}

}  // namespace
}  // namespace sluice::pipelines
