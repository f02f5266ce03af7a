#include "cli/lake_tree.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <ostream>

#include "cli/cli.h"
#include "cli/lake_files.h"
#include "core/error.h"

namespace sluice::cli {

namespace {

namespace fs = std::filesystem;

// One end of a copy: a local folder, or a bucket and a key prefix ("" or ending in '/').
struct TreeEnd {
  bool in_lake = false;
  std::string folder;
  std::string bucket;
  std::string prefix;

  std::string where(const std::string& relative) const {
    return in_lake ? "lake://" + bucket + "/" + prefix + relative
                   : (fs::path(folder) / relative).string();
  }
};

TreeEnd treeEnd(const std::string& text) {
  TreeEnd end;
  if (!hasLakeScheme(text)) {
    end.folder = text;
    return end;
  }
  auto loc = parseLakeLocation(text);
  end.in_lake = true;
  end.bucket = loc.bucket;
  end.prefix = loc.key.empty() || loc.key.back() == '/' ? loc.key : loc.key + "/";
  return end;
}

struct Entry {
  uint64_t size = 0;
  core::TimeNs modified = 0;
};

// What is at `end`, by path relative to it ('/'-separated).
std::map<std::string, Entry> entriesAt(lake::ObjectStore& store, const TreeEnd& end,
                                       bool must_exist) {
  std::map<std::string, Entry> entries;
  if (end.in_lake) {
    store.forEachObject(end.bucket, end.prefix, [&](const lake::ObjectInfo& o) {
      entries[o.key.substr(end.prefix.size())] = {o.size, o.last_modified};
    });
    return entries;
  }
  std::error_code ec;
  if (!fs::is_directory(end.folder, ec)) {
    if (must_exist) throw Error(errc::kIo, "'" + end.folder + "' is not a local folder");
    return entries;
  }
  for (auto it = fs::recursive_directory_iterator(end.folder); it != fs::end(it); ++it) {
    if (!it->is_regular_file()) continue;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0) continue;  // gone since it was listed
    entries[fs::relative(it->path(), end.folder).generic_string()] = {
        static_cast<uint64_t>(st.st_size), core::fromTimespec(st.st_mtim)};
  }
  return entries;
}

bool included(const std::string& relative, const TreeCopyOptions& options) {
  bool in = true;
  for (const auto& f : options.filters)
    if (::fnmatch(f.glob.c_str(), relative.c_str(), 0) == 0) in = f.include;
  return in;
}

// Copies one file or object; a downloaded file takes the object's time, so the next
// sync finds it unchanged.
void copyOne(lake::ObjectStore& store, const TreeEnd& from, const TreeEnd& to,
             const std::string& relative, const Entry& entry) {
  if (from.in_lake && to.in_lake) {
    store.copy(from.bucket, from.prefix + relative, to.bucket, to.prefix + relative, std::nullopt);
  } else if (to.in_lake) {
    upload(store, to.bucket, to.prefix + relative, from.where(relative));
  } else {
    const std::string path = to.where(relative);
    fs::create_directories(fs::path(path).parent_path());
    downloadToFile(store, from.bucket, from.prefix + relative, std::nullopt, path);
    const struct timespec times[2] = {{0, UTIME_OMIT}, core::toTimespec(entry.modified)};
    ::utimensat(AT_FDCWD, path.c_str(), times, 0);
  }
}

void removeOne(lake::ObjectStore& store, const TreeEnd& end, const std::string& relative) {
  if (end.in_lake)
    store.remove(end.bucket, end.prefix + relative);
  else if (!fs::remove(end.where(relative)))
    throw Error(errc::kIo, "cannot delete local file '" + end.where(relative) + "'");
}

}  // namespace

void copyTree(lake::ObjectStore& store, const std::string& source, const std::string& dest,
              const TreeCopyOptions& options, std::ostream& out) {
  const TreeEnd from = treeEnd(source), to = treeEnd(dest);
  if (!from.in_lake && !to.in_lake)
    throw UsageError("one side must be a lake location (lake://BUCKET[/PREFIX])");
  const auto sources = entriesAt(store, from, true);
  const auto existing = options.only_changed || options.delete_extra
                            ? entriesAt(store, to, false)
                            : std::map<std::string, Entry>{};
  const std::string verb = from.in_lake && to.in_lake ? "copy: "
                           : to.in_lake               ? "upload: "
                                                      : "download: ";
  const std::string dry = options.dry_run ? "(dryrun) " : "";
  for (const auto& [relative, entry] : sources) {
    // Folder objects (keys ending in '/', as the S3 console makes) hold no data: a
    // download has nothing to write for them, as with `aws s3 sync`.
    const bool folder_object = relative.empty() || relative.back() == '/';
    if ((folder_object && !to.in_lake) || !included(relative, options)) continue;
    if (options.only_changed) {
      auto there = existing.find(relative);
      if (there != existing.end() && there->second.size == entry.size &&
          there->second.modified >= entry.modified)
        continue;
    }
    if (!options.dry_run) copyOne(store, from, to, relative, entry);
    out << dry << verb << from.where(relative) << " to " << to.where(relative) << '\n';
  }
  if (!options.delete_extra) return;
  for (const auto& [relative, entry] : existing) {
    if (sources.count(relative) || !included(relative, options)) continue;
    if (!options.dry_run) removeOne(store, to, relative);
    out << dry << "delete: " << to.where(relative) << '\n';
  }
}

}  // namespace sluice::cli
