// Commit-log segment file names: "CommitLog-<segment id>.log", the id in decimal without
// leading zeros. Segment ids start at 1 and only grow, so sorting the ids found in the
// folder gives log order. Do not change: the names are how replay finds segments.
//
// Thread safety: pure functions.

#ifndef CASSETTE_COMMITLOG_SEGMENT_NAMES_H_
#define CASSETTE_COMMITLOG_SEGMENT_NAMES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace cassette {

// "CommitLog-17.log" for id 17.
std::string SegmentFileName(uint64_t id);

// dir + "/" + SegmentFileName(id) (no doubled slash if dir already ends with one).
std::string SegmentPath(const std::string& dir, uint64_t id);

// True (with *id set) iff `name` is exactly what SegmentFileName produces for some id >= 1.
// Other names — temporary files, "CommitLog-007.log", ids that overflow — are not
// segments and are ignored by replay.
bool ParseSegmentFileName(std::string_view name, uint64_t* id);

}  // namespace cassette

#endif  // CASSETTE_COMMITLOG_SEGMENT_NAMES_H_
