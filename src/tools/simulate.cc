#include "tools/simulate.h"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "compaction/simulator.h"

namespace cassette::tools {

int RunSimulate(const SimulateArgs& args) {
  SimulatorConfig config;
  config.strategy_class = args.strategy;
  config.gc_grace_seconds = args.gc_grace_seconds;
  for (const std::string& kv : args.options) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      fmt::print(stderr, "error: --option '{}' must be key=value\n", kv);
      return 1;
    }
    config.options[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::ifstream in(args.workload_path);
  if (!in) {
    fmt::print(stderr, "error: cannot read workload file '{}'\n", args.workload_path);
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<SimulatorWorkload> workload = ParseSimulatorWorkload(text.str());
  if (!workload.ok()) {
    fmt::print(stderr, "error: {}: {}\n", args.workload_path,
               std::string(workload.status().message()));
    return 1;
  }
  absl::StatusOr<SimulatorResult> result = RunSimulation(config, *workload);
  if (!result.ok()) {
    fmt::print(stderr, "error: {}\n", std::string(result.status().message()));
    return 1;
  }
  fmt::print("strategy: {}", args.strategy);
  for (const auto& [k, v] : config.options) fmt::print(" {}={}", k, v);
  fmt::print("  (gc_grace_seconds={})\n", args.gc_grace_seconds);
  fmt::print("{}{}", result->trace, result->Summary());
  return 0;
}

}  // namespace cassette::tools
