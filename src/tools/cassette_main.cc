// The `cassette` command-line tool.
#include <CLI/CLI.hpp>

#include "tools/demo.h"

int main(int argc, char** argv) {
  CLI::App app{"cassette — Cassandra's storage engine as an embedded library"};
  app.require_subcommand(1);
  std::string folder = "demo-db";
  auto* demo = app.add_subcommand("demo", "Run the guided demo on a database folder");
  bool reset = false;
  demo->add_option("--db", folder, "Database folder (created if missing)");
  demo->add_flag("--reset", reset, "Remove an existing cassette database in the folder first");
  CLI11_PARSE(app, argc, argv);
  if (demo->parsed()) return cassette::tools::RunDemo(folder, reset);
  return 0;
}
