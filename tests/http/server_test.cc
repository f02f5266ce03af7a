// The HTTP server over real loopback sockets, spoken to byte by byte.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace sluice::http {
namespace {

// Echoes what it was sent: method, target, the header X-Echo and the body.
void echo(const Request& req, Response& res) {
  if (req.target == "/throw") throw std::runtime_error("handler failed");
  if (req.target == "/stream" || req.target == "/short") {
    const bool cut_short = req.target == "/short";
    res.setHeader("Content-Length", cut_short ? "10" : "6");
    res.body_writer = [cut_short](const std::function<bool(std::string_view)>& write) {
      for (std::string_view piece : {"ab", "cd", "ef"}) {
        if (cut_short && piece == "ef") return false;  // the source failed half-way
        if (!write(piece)) return false;
      }
      return true;
    };
    return;
  }
  if (req.method == "HEAD") {
    res.setHeader("Content-Length", "1234");
    return;
  }
  if (req.body_source) {  // reads 3 bytes of what streams and leaves the rest
    char first[3];
    const size_t n = req.body_source->read(first, sizeof first);
    res.setContent("first " + std::string(first, n) + " of " + std::to_string(req.body_length),
                   "text/plain");
    return;
  }
  if (req.target == "/empty") {
    res.status = 204;
    return;
  }
  res.setContent(req.method + " " + req.target + " [" + req.header("X-Echo") + "] " + req.body,
                 "text/plain");
}

// A client socket connected to 127.0.0.1:port, giving up on reads after 5 s.
int connectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.stream_body = [](const Request& r) { return r.target == "/upload"; };
    server_ = std::make_unique<Server>(echo, options);
    port_ = server_->bind("127.0.0.1", 0);
    serving_ = std::thread([this] { server_->serve(); });
  }
  void TearDown() override {
    server_->stop();
    serving_.join();
  }

  int connectToServer() { return connectTo(port_); }
  static void send(int fd, const std::string& bytes) {
    ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  // Reads until what came ends with `until`, or the peer closed (then everything it sent).
  static std::string receive(int fd, const std::string& until = "") {
    std::string got;
    char buf[4096];
    while (until.empty() || got.size() < until.size() ||
           got.compare(got.size() - until.size(), until.size(), until) != 0) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }

  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread serving_;
};

TEST_F(HttpServerTest, PipelinedRequestsOnOneConnectionAreAnsweredInOrder) {
  int fd = connectToServer();
  send(fd,
       "GET /one HTTP/1.1\r\nX-Echo: a%2Fb\r\n\r\n"
       "PUT /two HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody"
       "GET /three HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(receive(fd),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 17\r\n\r\n"
            "GET /one [a%2Fb] "
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\n"
            "PUT /two [] body"
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n"
            "Connection: close\r\n\r\nGET /three [] ");
  ::close(fd);
}

TEST_F(HttpServerTest, AnExpectingClientHearsContinueBeforeItSendsTheBody) {
  int fd = connectToServer();
  send(fd, "PUT /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(receive(fd, "\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  send(fd, "hello");
  EXPECT_EQ(receive(fd, "hello"),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\n"
            "PUT /up [] hello");
  ::close(fd);
}

TEST_F(HttpServerTest, HeadAndNoContentAnswersCarryNoBody) {
  int fd = connectToServer();
  send(fd, "HEAD /x HTTP/1.1\r\n\r\nGET /empty HTTP/1.1\r\n\r\nGET /throw HTTP/1.0\r\n\r\n");
  EXPECT_EQ(receive(fd),
            "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
            "HTTP/1.1 204 No Content\r\n\r\n"
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
            "Content-Length: 15\r\nConnection: close\r\n\r\nhandler failed\n");
  ::close(fd);
}

TEST_F(HttpServerTest, StreamedBodiesFollowTheHeadAndAFailedOneClosesTheConnection) {
  int fd = connectToServer();
  send(fd,
       "GET /stream HTTP/1.1\r\n\r\nHEAD /stream HTTP/1.1\r\n\r\nGET /short HTTP/1.1\r\n\r\n"
       "GET /never HTTP/1.1\r\n\r\n");
  // The HEAD answer states the length and carries no body; after the short body the
  // server closes, so the last request is never answered.
  EXPECT_EQ(receive(fd),
            "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdef"
            "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd");
  ::close(fd);
}

TEST_F(HttpServerTest, WhatAHandlerLeavesOfAStreamedBodyIsSkipped) {
  int fd = connectToServer();
  send(fd,
       "PUT /upload HTTP/1.1\r\nContent-Length: 8\r\n\r\nabcdefgh"
       "PUT /other HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nxy");
  EXPECT_EQ(receive(fd),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\n"
            "first abc of 8"
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
            "Connection: close\r\n\r\nPUT /other [] xy");
  ::close(fd);
}

TEST_F(HttpServerTest, AMalformedRequestIsAnsweredAndTheConnectionClosed) {
  int fd = connectToServer();
  send(fd, "PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n");
  const std::string got = receive(fd);
  EXPECT_EQ(got.substr(0, got.find("\r\n")), "HTTP/1.1 400 Bad Request");
  EXPECT_NE(got.find("Connection: close"), std::string::npos);
  EXPECT_NE(got.find("malformed chunk size"), std::string::npos);
  ::close(fd);
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAndServeReturns) {
  int fd = connectToServer();
  send(fd, "GET /a HTTP/1.1\r\n\r\n");
  EXPECT_NE(receive(fd, "GET /a [] ").find("GET /a"), std::string::npos);
  const auto start = std::chrono::steady_clock::now();
  server_->stop();
  serving_.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(receive(fd), "");  // the server closed the kept-alive connection
  ::close(fd);
  serving_ = std::thread([] {});  // for TearDown
}

TEST(HttpServer, ARefusedRequestIsDescribedAsTheOptionsSay) {
  ServerOptions options;
  options.describe_bad_request = [](const BadRequest& e, Response& res) {
    res.setContent(std::string(e.cut_short ? "cut short: " : "refused: ") + e.what(),
                   "text/x-test");
  };
  Server server(echo, options);
  const int port = server.bind("127.0.0.1", 0);
  std::thread serving([&] { server.serve(); });
  const int fd = connectTo(port);
  const std::string bad = "GET / HTTP/9.9\r\n\r\n";
  ASSERT_EQ(::send(fd, bad.data(), bad.size(), 0), static_cast<ssize_t>(bad.size()));
  std::string got;
  char buf[1024];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    got.append(buf, static_cast<size_t>(n));
  ::close(fd);
  server.stop();
  serving.join();
  EXPECT_EQ(got,
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/x-test\r\nContent-Length: 44\r\n"
            "Connection: close\r\n\r\nrefused: unsupported HTTP version 'HTTP/9.9'");
}

TEST(HttpServer, APortInUseIsAClearError) {
  Server first(echo, {});
  const int port = first.bind("127.0.0.1", 0);
  Server second(echo, {});
  try {
    second.bind("127.0.0.1", port);
    FAIL() << "bound twice";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace sluice::http
