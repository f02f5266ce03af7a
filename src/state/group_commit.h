#pragma once
// Group commit: writes that concurrent callers ask for are committed together, in one
// transaction (one fsync) per group. The first caller to find no commit in progress
// commits everything queued so far; callers that arrive meanwhile queue behind it and
// form the next group. Each caller returns only once its own write is durable, and gets
// that group's failure if it failed, so nothing is acknowledged early.
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace sluice::state {

template <typename Item, typename Result>
class GroupCommit {
 public:
  // Writes every item in one transaction and returns one result per item, in order.
  using CommitFn = std::function<std::vector<Result>(const std::vector<Item>&)>;
  explicit GroupCommit(CommitFn commit) : commit_(std::move(commit)) {}

  Result submit(Item item) {
    auto mine = std::make_shared<Pending>();
    mine->item = std::move(item);
    std::unique_lock lock(mu_);
    queue_.push_back(mine);
    while (!mine->done) {
      if (committing_) {
        finished_.wait(lock);
        continue;
      }
      committing_ = true;
      std::vector<std::shared_ptr<Pending>> group;
      group.swap(queue_);
      lock.unlock();
      commitGroup(group);
      lock.lock();
      committing_ = false;
      finished_.notify_all();
    }
    if (mine->error) std::rethrow_exception(mine->error);
    return mine->result;
  }

 private:
  struct Pending {
    Item item;
    Result result{};
    std::exception_ptr error;
    bool done = false;  // guarded by mu_
  };

  void commitGroup(std::vector<std::shared_ptr<Pending>>& group) {
    std::vector<Item> items;
    items.reserve(group.size());
    for (auto& p : group) items.push_back(p->item);
    std::vector<Result> results;
    std::exception_ptr error;
    try {
      results = commit_(items);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < group.size(); i++) {
      if (error)
        group[i]->error = error;
      else
        group[i]->result = results.at(i);
      group[i]->done = true;
    }
  }

  CommitFn commit_;
  std::mutex mu_;
  std::condition_variable finished_;
  std::vector<std::shared_ptr<Pending>> queue_;
  bool committing_ = false;
};

}  // namespace sluice::state
