#pragma once
// One error type for the whole library. An Error carries a stable code (what callers
// branch on and what the edges translate: S3 error codes in the S3 server, ASL error
// names in the workflow engine, exit codes in the CLI) and a message written for the
// person who has to fix the input.
#include <stdexcept>
#include <string>

namespace sluice {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// Codes shared across modules. Lake codes are S3's own names so the S3 server can pass
// them through unchanged.
namespace errc {
inline constexpr const char* kInvalidArgument = "InvalidArgument";
inline constexpr const char* kInternal = "InternalError";
inline constexpr const char* kIo = "IOError";
inline constexpr const char* kNotFound = "NotFound";
inline constexpr const char* kAlreadyExists = "AlreadyExists";
// lake
inline constexpr const char* kNoSuchBucket = "NoSuchBucket";
inline constexpr const char* kNoSuchKey = "NoSuchKey";
inline constexpr const char* kBucketAlreadyOwnedByYou = "BucketAlreadyOwnedByYou";
inline constexpr const char* kBucketNotEmpty = "BucketNotEmpty";
inline constexpr const char* kInvalidBucketName = "InvalidBucketName";
inline constexpr const char* kKeyTooLong = "KeyTooLongError";
inline constexpr const char* kInvalidKey = "InvalidKey";
inline constexpr const char* kKeyConflict = "KeyConflict";
inline constexpr const char* kInvalidRange = "InvalidRange";
inline constexpr const char* kPreconditionFailed = "PreconditionFailed";
// state
inline constexpr const char* kParameterNotFound = "ParameterNotFound";
inline constexpr const char* kParameterAlreadyExists = "ParameterAlreadyExists";
inline constexpr const char* kParameterVersionNotFound = "ParameterVersionNotFound";
inline constexpr const char* kResourceNotFound = "ResourceNotFoundException";
inline constexpr const char* kResourceInUse = "ResourceInUseException";
inline constexpr const char* kValidation = "ValidationException";
// data
inline constexpr const char* kQuery = "QueryError";
}  // namespace errc

}  // namespace sluice
