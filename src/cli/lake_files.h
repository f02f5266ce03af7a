#pragma once
// Moving bytes between local files and lake objects, for the `sluice lake` commands.
#include <iosfwd>
#include <optional>
#include <string>

#include "lake/object_store.h"

namespace sluice::cli {

// Streams a local file, or standard input for "-", into the lake.
lake::ObjectInfo upload(lake::ObjectStore& store, const std::string& bucket, const std::string& key,
                        const std::string& path, const lake::PutOptions& options = {});

// Writes an object, or a range of it, to `out` piece by piece.
void download(lake::ObjectStore& store, const std::string& bucket, const std::string& key,
              const std::optional<lake::ByteRange>& range, std::ostream& out,
              const std::string& what);

// The same into a local file, written beside it and renamed, so it is never seen partial.
void downloadToFile(lake::ObjectStore& store, const std::string& bucket, const std::string& key,
                    const std::optional<lake::ByteRange>& range, const std::string& path);

// The last segment of a key or path: the local file name for an object, or the key's
// last part for a file, when the destination is a folder.
std::string baseName(const std::string& key);

}  // namespace sluice::cli
