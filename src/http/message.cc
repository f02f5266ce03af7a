#include "http/message.h"

#include "core/text.h"

namespace sluice::http {

const std::string* findHeader(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (core::equalsIgnoringCase(k, name)) return &v;
  return nullptr;
}

std::string Request::header(std::string_view name) const {
  const std::string* value = findHeader(headers, name);
  return value ? *value : std::string();
}

void Response::setHeader(std::string_view name, std::string value) {
  for (auto it = headers.begin(); it != headers.end();)
    if (core::equalsIgnoringCase(it->first, name))
      it = headers.erase(it);
    else
      ++it;
  headers.emplace_back(std::string(name), std::move(value));
}

void Response::setContent(std::string content, std::string_view content_type) {
  body = std::move(content);
  setHeader("Content-Type", std::string(content_type));
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 416:
      return "Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return status < 300   ? "OK"
             : status < 400 ? "Redirect"
             : status < 500 ? "Client Error"
                            : "Server Error";
  }
}

}  // namespace sluice::http
