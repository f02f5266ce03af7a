#include "lake/staging_store.h"

#include <filesystem>
#include <fstream>
#include <functional>

#include "core/error.h"
#include "lake/names.h"

namespace sluice::lake {

namespace fs = std::filesystem;

bool globMatches(const std::string& glob, const std::string& key) {
  // Backtracking matcher; '**' may match across '/', '*' may not.
  std::function<bool(size_t, size_t)> match = [&](size_t g, size_t k) -> bool {
    while (g < glob.size()) {
      char c = glob[g];
      if (c == '*') {
        bool deep = g + 1 < glob.size() && glob[g + 1] == '*';
        size_t next = g + (deep ? 2 : 1);
        if (deep && next < glob.size() && glob[next] == '/') {
          // "**/" also matches zero folders
          if (match(next + 1, k)) return true;
        }
        for (size_t i = k; i <= key.size(); i++) {
          if (match(next, i)) return true;
          if (i < key.size() && key[i] == '/' && !deep) break;
        }
        return false;
      }
      if (k >= key.size()) return false;
      if (c == '?') {
        if (key[k] == '/') return false;
      } else if (c == '[') {
        size_t close = glob.find(']', g + 1);
        if (close == std::string::npos) return false;
        std::string set = glob.substr(g + 1, close - g - 1);
        bool negate = !set.empty() && (set[0] == '!' || set[0] == '^');
        if (negate) set = set.substr(1);
        bool hit = false;
        for (size_t i = 0; i < set.size(); i++) {
          if (i + 2 < set.size() && set[i + 1] == '-') {
            hit = hit || (key[k] >= set[i] && key[k] <= set[i + 2]);
            i += 2;
          } else {
            hit = hit || key[k] == set[i];
          }
        }
        if (hit == negate) return false;
        g = close;
      } else if (c != key[k]) {
        return false;
      }
      g++;
      k++;
    }
    return k == key.size();
  };
  return match(0, 0);
}

StagingObjectStore::~StagingObjectStore() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::optional<std::string> StagingObjectStore::localPath(const std::string& bucket,
                                                         const std::string& key_or_glob) {
  if (auto own = inner().localPath(bucket, key_or_glob)) return own;
  validateBucketName(bucket);
  if (key_or_glob.empty()) return (fs::path(dir_) / bucket).string();
  for (const auto& seg : keySegments(key_or_glob))
    if (seg == "." || seg == ".." || seg.empty())
      throw Error(errc::kInvalidKey,
                  "lake path '" + key_or_glob + "' must not contain '.', '..' or empty segments");
  // List from the longest prefix without glob characters, stage what matches.
  const size_t wild = key_or_glob.find_first_of("*?[");
  std::lock_guard lock(mu_);
  inner().forEachObject(bucket, key_or_glob.substr(0, wild), [&](const ObjectInfo& o) {
    if (o.key.back() == '/') return;
    if (wild == std::string::npos ? o.key != key_or_glob : !globMatches(key_or_glob, o.key)) return;
    const std::string id = bucket + "/" + o.key;
    const fs::path target = fs::path(dir_) / bucket / o.key;
    if (staged_etags_[id] == o.etag && fs::exists(target)) return;
    fs::create_directories(target.parent_path());
    const fs::path part = target.string() + ".part";
    {
      auto reader = inner().openReader(bucket, o.key, std::nullopt);
      std::ofstream out(part, std::ios::binary | std::ios::trunc);
      reader->readInPieces([&](std::string_view piece) {
        out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
      });
      if (!out) throw Error(errc::kIo, "cannot stage lake://" + id + " into " + dir_);
    }
    fs::rename(part, target);
    staged_etags_[id] = o.etag;
  });
  return (fs::path(dir_) / bucket / key_or_glob).string();
}

}  // namespace sluice::lake
