#include "lake/names.h"

#include <cctype>

#include "core/error.h"

namespace sluice::lake {

namespace {
void badBucket(const std::string& name, const std::string& why) {
  throw Error(errc::kInvalidBucketName, "invalid bucket name '" + name + "': " + why);
}

bool looksLikeIpv4(const std::string& s) {
  int dots = 0, digits = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0) return false;
      dots++;
      digits = 0;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      digits++;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

void validateBucketName(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) badBucket(name, "must be 3 to 63 characters long");
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-'))
      badBucket(name, "only lower-case letters, digits, '.' and '-' are allowed");
  }
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(name.front()) || !alnum(name.back()))
    badBucket(name, "must begin and end with a letter or digit");
  if (name.find("..") != std::string::npos) badBucket(name, "must not contain '..'");
  if (looksLikeIpv4(name)) badBucket(name, "must not look like an IP address");
  if (name.rfind("xn--", 0) == 0 || name.rfind("sthree-", 0) == 0)
    badBucket(name, "must not begin with 'xn--' or 'sthree-'");
  if (endsWith(name, "-s3alias") || endsWith(name, "--ol-s3"))
    badBucket(name, "must not end with '-s3alias' or '--ol-s3'");
}

bool isValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; k++) {
      if (i + k >= s.size()) return false;
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

void validateKey(const std::string& key) {
  auto bad = [&](const std::string& why) {
    throw Error(errc::kInvalidKey, "invalid object key '" + key + "': " + why);
  };
  if (key.empty()) bad("must not be empty");
  if (key.size() > 1024)
    throw Error(errc::kKeyTooLong,
                "object key is " + std::to_string(key.size()) + " bytes; the limit is 1024");
  if (key.find('\0') != std::string::npos) bad("must not contain NUL");
  if (!isValidUtf8(key)) bad("must be valid UTF-8");
  size_t start = 0;
  const size_t end = key.back() == '/' ? key.size() - 1 : key.size();
  while (start <= end) {
    size_t slash = key.find('/', start);
    if (slash == std::string::npos || slash > end) slash = end;
    std::string seg = key.substr(start, slash - start);
    if (seg.empty()) bad(start == 0 ? "must not begin with '/'" : "must not contain '//'");
    if (seg == "." || seg == "..") bad("must not contain '.' or '..' path segments");
    if (seg.size() > 255)
      throw Error(errc::kKeyTooLong,
                  "object key '" + key.substr(0, 64) + "...' has a path segment over 255 bytes");
    start = slash + 1;
  }
}

std::vector<std::string> keySegments(const std::string& key) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < key.size()) {
    size_t slash = key.find('/', start);
    if (slash == std::string::npos) slash = key.size();
    out.push_back(key.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace sluice::lake
