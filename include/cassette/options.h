// cassette/options.h — options for opening a database. Few, each with a reason.

#ifndef CASSETTE_OPTIONS_H_
#define CASSETTE_OPTIONS_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "cassette/clock.h"

namespace cassette {

struct Options {
  // Source of time. Null means SystemClock().
  std::shared_ptr<Clock> clock;

  // Bytes of memtable (arena) a table may fill before it is switched for a new one;
  // the full one becomes immutable and stays readable. Cassandra sizes memtables from
  // heap; an embedded engine states a budget. Minimum 64 KiB.
  size_t memtable_budget_bytes = 64 << 20;

  // Create the folder if it does not exist.
  bool create_if_missing = true;

  // Receives warnings (e.g. tombstone_warn_threshold exceeded). Null: written to
  // stderr prefixed "cassette WARN". Called from the reading or writing thread.
  std::function<void(const std::string&)> warning_log;
};

}  // namespace cassette

#endif  // CASSETTE_OPTIONS_H_
