// bench/lab/report_io.h — file helpers shared by the report writers (report_files.cc and
// svg_plots.cc; implemented in report_files.cc). Internal to bench/lab.
#ifndef CASSETTE_BENCH_LAB_REPORT_IO_H_
#define CASSETTE_BENCH_LAB_REPORT_IO_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace cassette::lab {

// Creates `folder` and its missing parents with mode 0700; existing folders are left as
// they are. Fails (naming the folder and errno text) if a component is not a folder.
absl::Status MakePrivateFolder(const std::filesystem::path& folder);

// Writes `contents` to `file` (mode 0600) through a temporary file in the same folder
// that is synced and renamed into place, so a reader never sees half a file. The folder
// must exist. On failure the temporary file is removed and the Status names the path.
absl::Status WriteFileAtomically(const std::filesystem::path& file, std::string_view contents);

// `name` with every character outside [A-Za-z0-9._-] replaced by '_' ("_" when empty).
std::string SafeFileName(std::string_view name);

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_REPORT_IO_H_
