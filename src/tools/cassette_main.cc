// The `cassette` command-line tool.
#include <CLI/CLI.hpp>

#include "tools/demo.h"
#include "tools/simulate.h"

int main(int argc, char** argv) {
  CLI::App app{"cassette — Cassandra's storage engine as an embedded library"};
  app.require_subcommand(1);
  std::string folder = "demo-db";
  auto* demo = app.add_subcommand("demo", "Run the guided demo on a database folder");
  bool reset = false;
  demo->add_option("--db", folder, "Database folder (created if missing)");
  demo->add_flag("--reset", reset, "Remove an existing cassette database in the folder first");
  cassette::tools::SimulateArgs sim;
  auto* simulate =
      app.add_subcommand("simulate", "Replay a workload through a compaction strategy");
  simulate
      ->add_option("--strategy", sim.strategy, "Compaction class, e.g. LeveledCompactionStrategy")
      ->required();
  simulate->add_option("--option", sim.options, "A compaction option as key=value (repeatable)");
  simulate
      ->add_option("--workload", sim.workload_path, "Workload file (docs/compaction/simulator.md)")
      ->required();
  simulate->add_option("--gc-grace", sim.gc_grace_seconds, "The table's gc_grace_seconds");
  CLI11_PARSE(app, argc, argv);
  if (demo->parsed()) return cassette::tools::RunDemo(folder, reset);
  if (simulate->parsed()) return cassette::tools::RunSimulate(sim);
  return 0;
}
