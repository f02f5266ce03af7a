#pragma once
// A sluice S3 server on 127.0.0.1 (a free port) over a local lake in a test's folder,
// and a RemoteObjectStore pointed at it: how tests run the remote-S3 lake for real.
#include <memory>
#include <string>
#include <thread>

#include "lake/forwarding_store.h"
#include "lake/local_store.h"
#include "s3/remote_store.h"
#include "s3/server.h"

namespace sluice::testing {

class LoopbackS3 {
 public:
  static constexpr const char* kAccessKey = "AKIDLOOPBACK";
  static constexpr const char* kSecret = "loopback-secret";

  explicit LoopbackS3(const std::string& dir)
      : backing_(dir + "/served-lake"),
        server_(backing_, {kAccessKey, kSecret}, dir + "/served-multipart") {
    port_ = server_.bind("127.0.0.1", 0);
    thread_ = std::thread([this] { server_.serve(); });
  }
  ~LoopbackS3() {
    server_.stop();
    thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  s3::ClientConfig clientConfig() const {
    s3::ClientConfig c;
    c.endpoint = endpoint();
    c.credentials = {kAccessKey, kSecret};
    return c;
  }
  lake::LocalObjectStore& backing() { return backing_; }

 private:
  lake::LocalObjectStore backing_;
  s3::S3Server server_;
  int port_ = 0;
  std::thread thread_;
};

namespace detail {
struct LoopbackHolder {
  explicit LoopbackHolder(const std::string& dir)
      : server(std::make_unique<LoopbackS3>(dir)),
        remote(std::make_unique<s3::RemoteObjectStore>(server->clientConfig())) {}
  std::unique_ptr<LoopbackS3> server;
  std::unique_ptr<s3::RemoteObjectStore> remote;
};
}  // namespace detail

// A RemoteObjectStore that owns the loopback server it talks to.
class ServedRemoteStore : private detail::LoopbackHolder, public lake::ForwardingObjectStore {
 public:
  explicit ServedRemoteStore(const std::string& dir)
      : detail::LoopbackHolder(dir), lake::ForwardingObjectStore(*remote) {}
  LoopbackS3& loopback() { return *server; }
};

}  // namespace sluice::testing
