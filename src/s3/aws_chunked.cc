#include "s3/aws_chunked.h"

#include <algorithm>

#include "core/error.h"
#include "core/text.h"

namespace sluice::s3 {

namespace {
[[noreturn]] void malformed(const std::string& why) {
  throw Error("InvalidRequest", "the aws-chunked request body is malformed: " + why);
}

std::string_view line(std::string_view body, size_t& pos) {
  size_t end = body.find("\r\n", pos);
  if (end == std::string_view::npos)
    throw Error("IncompleteBody", "the aws-chunked body ended early");
  std::string_view l = body.substr(pos, end - pos);
  pos = end + 2;
  return l;
}
}  // namespace

DecodedBody decodeAwsChunked(std::string_view body, const ChunkSigning* signing) {
  DecodedBody out;
  std::string previous = signing ? signing->seed_signature : "";
  size_t pos = 0;
  for (;;) {
    std::string_view header = line(body, pos);
    const size_t semi = header.find(';');
    const std::string size_text(header.substr(0, semi));
    size_t size = 0;
    try {
      size = std::stoull(size_text, nullptr, 16);
    } catch (const std::exception&) {
      malformed("bad chunk size '" + size_text + "'");
    }
    if (pos + size > body.size())
      throw Error("IncompleteBody", "the aws-chunked body ended inside a chunk");
    std::string_view data = body.substr(pos, size);
    pos += size;
    if (signing) {
      const std::string prefix = "chunk-signature=";
      std::string_view ext = semi == std::string_view::npos ? "" : header.substr(semi + 1);
      if (ext.rfind(prefix, 0) != 0) malformed("a chunk lacks its chunk-signature");
      const std::string expected = chunkSignatureHex(signing->signing_key, signing->amz_date,
                                                     signing->scope, previous, data);
      if (!signaturesEqual(expected, ext.substr(prefix.size())))
        throw Error("SignatureDoesNotMatch",
                    "a chunk signature of the aws-chunked body does not match");
      previous = expected;
    }
    if (size == 0) break;
    out.data.append(data);
    if (line(body, pos) != "") malformed("a chunk is not followed by CRLF");
  }
  // Trailers until the empty line (or the end of the body).
  std::string trailer_signature;
  while (pos < body.size()) {
    std::string_view l = line(body, pos);
    if (l.empty()) break;
    size_t colon = l.find(':');
    if (colon == std::string_view::npos) malformed("bad trailer line");
    std::string name = core::toLower(std::string(core::trim(l.substr(0, colon))));
    std::string value(core::trim(l.substr(colon + 1)));
    if (name == "x-amz-trailer-signature")
      trailer_signature = std::move(value);
    else
      out.trailers.emplace_back(std::move(name), std::move(value));
  }
  // Signed trailers chain from the final chunk's signature (now `previous`).
  if (signing && !out.trailers.empty()) {
    if (trailer_signature.empty()) malformed("the trailers lack their x-amz-trailer-signature");
    HeaderList sorted = out.trailers;
    std::sort(sorted.begin(), sorted.end());
    std::string canonical;
    for (const auto& [name, value] : sorted) canonical += name + ":" + value + "\n";
    const std::string expected = trailerSignatureHex(signing->signing_key, signing->amz_date,
                                                     signing->scope, previous, canonical);
    if (!signaturesEqual(expected, trailer_signature))
      throw Error("SignatureDoesNotMatch",
                  "the trailer signature of the aws-chunked body does not match");
  }
  return out;
}

}  // namespace sluice::s3
