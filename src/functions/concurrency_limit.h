#pragma once
// Reserved concurrency: a handler that runs at most `limit` invocations at once; the
// ones beyond are refused with TooManyRequestsException, which Lambda returns when it
// throttles and which a state machine's Retry is written to expect.
#include <atomic>
#include <memory>

#include "core/error.h"
#include "functions/function.h"

namespace sluice::functions {

inline Handler limitConcurrency(Handler handler, int limit) {
  auto running = std::make_shared<std::atomic<int>>(0);
  return [handler = std::move(handler), limit, running](const nlohmann::json& event,
                                                        InvocationContext& ctx) {
    if (running->fetch_add(1) >= limit) {
      running->fetch_sub(1);
      throw Error("TooManyRequestsException", "Rate Exceeded: '" + ctx.functionName() +
                                                  "' is at its reserved concurrency of " +
                                                  std::to_string(limit));
    }
    struct Release {
      std::atomic<int>& n;
      ~Release() { n.fetch_sub(1); }
    } release{*running};
    return handler(event, ctx);
  };
}

}  // namespace sluice::functions
