// `cassette simulate`: replays a workload file through a compaction strategy with the
// compaction simulator (compaction/simulator.h) and prints the trace and a summary.
// No database is opened and nothing is written.
#ifndef CASSETTE_TOOLS_SIMULATE_H_
#define CASSETTE_TOOLS_SIMULATE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace cassette::tools {

struct SimulateArgs {
  std::string strategy;              // class name, short or fully qualified
  std::vector<std::string> options;  // "key=value", as in CQL's compaction map
  std::string workload_path;
  int32_t gc_grace_seconds = 864000;
};

// Returns a process exit code: 0 on success, 1 on a bad option, workload or file (the
// error goes to stderr). The trace and summary go to stdout.
int RunSimulate(const SimulateArgs& args);

}  // namespace cassette::tools

#endif  // CASSETTE_TOOLS_SIMULATE_H_
