// events-generate: made-up LMHC speaker-program feeds for the events pipeline, in the
// bucket's layout (inbound/, common/master/, common/metadata/) below a folder.
//
//   events-generate --out DIR --sample             the spec's three events, six participants
//   events-generate --out DIR [--events N] [--participants-per-event P] [--seed S]
#include <CLI/CLI.hpp>
#include <iostream>

#include "pipelines/events/steps/generator.h"

namespace events = sluice::pipelines::events;

int main(int argc, char** argv) {
  CLI::App app{"made-up LMHC feeds for the events pipeline"};
  events::GeneratorOptions o;
  std::string out;
  app.add_option("--out", out, "folder to write the bucket's files into")->required();
  app.add_flag("--sample", o.sample, "the spec's tiny sample (its KPI values are known)");
  app.add_option("--events", o.events, "events")->capture_default_str();
  app.add_option("--participants-per-event", o.participants_per_event, "participants per event")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  app.add_option("--run-date", o.run_date, "the date in the files' names (YYYY-MM-DD)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    std::cerr << events::writeFeeds(out, o) << " files written below " << out << "\n";
  } catch (const std::exception& e) {
    std::cerr << "events-generate: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
