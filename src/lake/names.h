#pragma once
// S3's naming rules, plus what a folder-backed lake needs so that no key can name a
// path outside its bucket folder.
#include <string>
#include <vector>

namespace sluice::lake {

// Throws Error(InvalidBucketName) naming the broken rule.
void validateBucketName(const std::string& name);

// Throws Error(KeyTooLongError | InvalidKey) naming the fault. Accepted keys are valid
// UTF-8 of 1..1024 bytes without NUL, whose '/'-separated segments are neither empty,
// "." nor ".." and at most 255 bytes (a file name's limit); a trailing '/' names a
// folder object.
void validateKey(const std::string& key);

// The '/'-separated segments of a validated key (a trailing '/' adds no segment).
std::vector<std::string> keySegments(const std::string& key);

bool isValidUtf8(const std::string& s);

}  // namespace sluice::lake
