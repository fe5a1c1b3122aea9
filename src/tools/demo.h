// The quick-start demo: one table, every kind of write and delete, a TTL expiring on
// a manual clock, and what a SELECT returns after each step.
#ifndef CASSETTE_TOOLS_DEMO_H_
#define CASSETTE_TOOLS_DEMO_H_

#include <string>

namespace cassette::tools {

// Returns a process exit code; prints to stdout, errors to stderr. With `reset`, an
// existing cassette database in `folder` is removed first.
int RunDemo(const std::string& folder, bool reset);

}  // namespace cassette::tools

#endif  // CASSETTE_TOOLS_DEMO_H_
