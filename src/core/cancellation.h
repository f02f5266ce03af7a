#pragma once
// A request to stop work in progress, fired when a deadline passes.
//
// Work that can be interrupted (a DuckDB query, a child process) registers how while it
// runs; code that loops checks cancelled(). An invocation makes its cancellation current
// on its thread, so the layers below it (data::Connection) find it without being told.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace sluice::core {

class Cancellation {
 public:
  // Marks the work cancelled and runs every registered interrupter (once each).
  void cancel();
  bool cancelled() const { return cancelled_.load(); }

  // Keeps `interrupt` registered while it lives; it runs at once if already cancelled.
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&& other) noexcept;
    Registration& operator=(Registration&&) = delete;
    ~Registration();

   private:
    friend class Cancellation;
    Registration(Cancellation* owner, uint64_t id) : owner_(owner), id_(id) {}
    Cancellation* owner_ = nullptr;
    uint64_t id_ = 0;
  };
  [[nodiscard]] Registration onCancel(std::function<void()> interrupt);

  // The cancellation made current on this thread by a Scope, or nullptr.
  static Cancellation* current();
  class Scope {
   public:
    explicit Scope(Cancellation* c);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Cancellation* previous_;
  };

 private:
  std::mutex mu_;  // held while interrupters run, so none runs after its Registration ends
  std::map<uint64_t, std::function<void()>> interrupters_;
  uint64_t next_id_ = 1;
  std::atomic<bool> cancelled_{false};
};

// Cancels a Cancellation at a point in time, from one thread shared by the process.
class Deadline {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  Deadline(Cancellation& c, TimePoint at);
  ~Deadline();  // disarms it; once this returns, the cancellation is not touched any more
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

 private:
  TimePoint at_;
  uint64_t id_;
};

}  // namespace sluice::core
