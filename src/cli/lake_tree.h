#pragma once
// Copying a whole folder or prefix: `sluice lake cp --recursive` and `sluice lake sync`,
// between a local folder and the lake or within the lake, as `aws s3 cp --recursive`
// and `aws s3 sync` do.
#include <iosfwd>
#include <string>
#include <vector>

#include "lake/object_store.h"

namespace sluice::cli {

struct TreeCopyOptions {
  // sync: copy only what the destination lacks, or has with another size or older.
  bool only_changed = false;
  bool delete_extra = false;  // sync --delete: remove what the source does not have
  bool dry_run = false;       // print what would be done, do nothing
  // --exclude/--include globs on paths relative to the source, in order: the last one
  // that matches decides (everything is included when none does).
  struct Filter {
    bool include;
    std::string glob;
  };
  std::vector<Filter> filters;
};

// `source` and `dest` are each a local folder or lake://BUCKET[/PREFIX]; at least one is
// in the lake. Prints one line per file copied or deleted to `out`.
void copyTree(lake::ObjectStore& store, const std::string& source, const std::string& dest,
              const TreeCopyOptions& options, std::ostream& out);

}  // namespace sluice::cli
