#include "cli/lake_files.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "core/error.h"

namespace sluice::cli {

lake::ObjectInfo upload(lake::ObjectStore& store, const std::string& bucket, const std::string& key,
                        const std::string& path, const lake::PutOptions& options) {
  if (path == "-") return store.putStream(bucket, key, std::cin, "standard input", options);
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(errc::kIo, "cannot read local file '" + path + "'");
  return store.putStream(bucket, key, file, "local file '" + path + "'", options);
}

void download(lake::ObjectStore& store, const std::string& bucket, const std::string& key,
              const std::optional<lake::ByteRange>& range, std::ostream& out,
              const std::string& what) {
  store.openReader(bucket, key, range)->readInPieces([&](std::string_view piece) {
    if (!out.write(piece.data(), static_cast<std::streamsize>(piece.size())))
      throw Error(errc::kIo, "cannot write " + what);
  });
}

void downloadToFile(lake::ObjectStore& store, const std::string& bucket, const std::string& key,
                    const std::optional<lake::ByteRange>& range, const std::string& path) {
  const std::string part = path + ".sluice-part";
  try {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(errc::kIo, "cannot write local file '" + path + "'");
    download(store, bucket, key, range, out, "local file '" + path + "'");
    out.close();
    if (!out || std::rename(part.c_str(), path.c_str()) != 0)
      throw Error(errc::kIo, "cannot write local file '" + path + "'");
  } catch (...) {
    std::remove(part.c_str());
    throw;
  }
}

std::string baseName(const std::string& key) {
  size_t slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

}  // namespace sluice::cli
