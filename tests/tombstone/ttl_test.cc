#include "tombstone/ttl.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cassette {
namespace {

TEST(ResolveTtlTest, NoTtlGivenUsesTableDefault) {
  EXPECT_EQ(*ResolveTtl(std::nullopt, 0), 0);
  EXPECT_EQ(*ResolveTtl(std::nullopt, 3600), 3600);
}

TEST(ResolveTtlTest, ExplicitZeroMeansNoTtlEvenWithDefault) { EXPECT_EQ(*ResolveTtl(0, 3600), 0); }

TEST(ResolveTtlTest, ExplicitTtlOverridesDefault) {
  EXPECT_EQ(*ResolveTtl(2, 3600), 2);
  EXPECT_EQ(*ResolveTtl(kMaxTtlSeconds, 0), kMaxTtlSeconds);
}

TEST(ResolveTtlTest, NegativeIsRejected) {
  const auto r = ResolveTtl(-5, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
  EXPECT_EQ(std::string(r.status().message()), "TTL must be >= 0, got -5");
}

TEST(ResolveTtlTest, OverTwentyYearsIsRejected) {
  const auto r = ResolveTtl(int64_t{kMaxTtlSeconds} + 1, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
  EXPECT_EQ(std::string(r.status().message()),
            "ttl is too large: 630720001 > 630720000 (20 years)");
  // Values that do not even fit in 32 bits are rejected, not truncated.
  EXPECT_FALSE(ResolveTtl(int64_t{1} << 33, 0).ok());
}

TEST(ExpiryTimeTest, AddsTtlToNowWithoutA2038Cap) {
  EXPECT_EQ(ExpiryTime(1000, 2), 1002);
  EXPECT_EQ(ExpiryTime(2147483640, kMaxTtlSeconds), int64_t{2147483640} + kMaxTtlSeconds);
}

}  // namespace
}  // namespace cassette
