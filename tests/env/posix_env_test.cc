#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cassette/env.h"

namespace cassette {
namespace {

using ::testing::HasSubstr;

class PosixEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("CASSETTE_TEST_TMPDIR");
    std::filesystem::path root = (base != nullptr && *base != '\0') ? base : "/tmp";
    std::filesystem::create_directories(root);
    std::string tmpl = (root / "posix_env_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << tmpl;
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  void WriteFile(const std::string& path, const std::string& data) {
    auto w = env_->NewWritableFile(path);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE((*w)->Append(data).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }

  std::string ReadAll(const std::string& path) {
    auto r = env_->NewRandomAccessFile(path);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "<error>";
    std::string out;
    EXPECT_TRUE((*r)->Read(0, (*r)->Size() + 10, &out).ok());
    return out;
  }

  static mode_t Mode(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  Env* env_ = Env::Default();
  std::string dir_;
};

TEST_F(PosixEnvTest, DefaultIsASingleton) { EXPECT_EQ(Env::Default(), Env::Default()); }

TEST_F(PosixEnvTest, WriteReadRoundTripAcrossBufferBoundaries) {
  // Pieces smaller than, around and larger than the 64 KiB write buffer.
  std::string expected;
  auto w = env_->NewWritableFile(Path("data"));
  ASSERT_TRUE(w.ok()) << w.status();
  for (size_t len : {size_t{1}, size_t{100}, size_t{65535}, size_t{2}, size_t{200000}, size_t{7}}) {
    std::string piece(len, static_cast<char>('a' + expected.size() % 26));
    ASSERT_TRUE((*w)->Append(piece).ok());
    expected += piece;
    EXPECT_EQ((*w)->Size(), expected.size());
  }
  ASSERT_TRUE((*w)->Sync().ok());
  // Sync wrote the buffer out: a reader sees everything before Close.
  EXPECT_EQ(ReadAll(Path("data")), expected);
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_TRUE((*w)->Close().ok());  // idempotent
  EXPECT_EQ((*w)->Append("x").code(), absl::StatusCode::kFailedPrecondition);

  auto size = env_->GetFileSize(Path("data"));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, expected.size());

  auto r = env_->NewRandomAccessFile(Path("data"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->Size(), expected.size());
  std::string out = "junk";
  ASSERT_TRUE((*r)->Read(65530, 20, &out).ok());
  EXPECT_EQ(out, expected.substr(65530, 20));
  ASSERT_TRUE((*r)->Read(expected.size() - 3, 10, &out).ok());  // short only at EOF
  EXPECT_EQ(out, expected.substr(expected.size() - 3));
  ASSERT_TRUE((*r)->Read(expected.size() + 5, 10, &out).ok());
  EXPECT_TRUE(out.empty());
  // A huge request is clamped to the file instead of allocating it.
  ASSERT_TRUE((*r)->Read(10, size_t{1} << 40, &out).ok());
  EXPECT_EQ(out, expected.substr(10));

  auto seq = env_->NewSequentialFile(Path("data"));
  ASSERT_TRUE(seq.ok());
  std::string got;
  while (true) {
    ASSERT_TRUE((*seq)->Read(70000, &out).ok());
    if (out.empty()) break;
    got += out;
  }
  EXPECT_EQ(got, expected);
}

TEST_F(PosixEnvTest, DestructionFlushesBufferedAppends) {
  {
    auto w = env_->NewWritableFile(Path("f"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append("buffered").ok());
  }
  EXPECT_EQ(ReadAll(Path("f")), "buffered");
}

TEST_F(PosixEnvTest, NewWritableFileTruncates) {
  WriteFile(Path("f"), "long old contents");
  WriteFile(Path("f"), "new");
  EXPECT_EQ(ReadAll(Path("f")), "new");
}

TEST_F(PosixEnvTest, ModesAre0600And0700) {
  WriteFile(Path("f"), "x");
  EXPECT_EQ(Mode(Path("f")), 0600u);
  ASSERT_TRUE(env_->CreateDir(Path("sub")).ok());
  EXPECT_EQ(Mode(Path("sub")), 0700u);
  EXPECT_TRUE(env_->CreateDir(Path("sub")).ok());  // exists: fine
  auto lock = env_->LockFile(Path("LOCK"));
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_EQ(Mode(Path("LOCK")), 0600u);
  EXPECT_EQ(env_->CreateDir(Path("f")).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PosixEnvTest, RenameRemoveChildrenExists) {
  WriteFile(Path("a"), "A");
  WriteFile(Path("b"), "B");
  ASSERT_TRUE(env_->CreateDir(Path("sub")).ok());
  auto children = env_->GetChildren(dir_);
  ASSERT_TRUE(children.ok());
  std::sort(children->begin(), children->end());
  EXPECT_EQ(*children, (std::vector<std::string>{"a", "b", "sub"}));

  ASSERT_TRUE(env_->RenameFile(Path("a"), Path("b")).ok());  // replaces b
  EXPECT_FALSE(env_->FileExists(Path("a")));
  EXPECT_TRUE(env_->FileExists(Path("b")));
  EXPECT_EQ(ReadAll(Path("b")), "A");

  ASSERT_TRUE(env_->RemoveFile(Path("b")).ok());
  EXPECT_FALSE(env_->FileExists(Path("b")));
  children = env_->GetChildren(dir_);
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, std::vector<std::string>{"sub"});
  EXPECT_TRUE(env_->SyncDir(dir_).ok());
}

TEST_F(PosixEnvTest, TruncateShrinksOnly) {
  WriteFile(Path("f"), "0123456789");
  ASSERT_TRUE(env_->TruncateFile(Path("f"), 4).ok());
  EXPECT_EQ(ReadAll(Path("f")), "0123");
  absl::Status grow = env_->TruncateFile(Path("f"), 100);
  EXPECT_EQ(grow.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(grow.message(), HasSubstr(Path("f")));
  EXPECT_EQ(ReadAll(Path("f")), "0123");
  EXPECT_TRUE(env_->TruncateFile(Path("f"), 0).ok());
  EXPECT_EQ(ReadAll(Path("f")), "");
}

TEST_F(PosixEnvTest, MissingPathsAreNotFoundNamingThePath) {
  const std::string missing = Path("missing");
  auto check = [&](const absl::Status& s) {
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
    EXPECT_THAT(s.message(), HasSubstr(missing));
    EXPECT_THAT(s.message(), HasSubstr("No such file or directory"));
  };
  check(env_->NewRandomAccessFile(missing).status());
  check(env_->NewSequentialFile(missing).status());
  check(env_->GetFileSize(missing).status());
  check(env_->GetChildren(missing).status());
  check(env_->RemoveFile(missing));
  check(env_->RenameFile(missing, Path("x")));
  check(env_->TruncateFile(missing, 0));
  check(env_->SyncDir(missing));
  check(env_->NewWritableFile(missing + "/f").status());
  check(env_->LockFile(missing + "/LOCK").status());
  EXPECT_FALSE(env_->FileExists(missing));
}

TEST_F(PosixEnvTest, FullDiskIsResourceExhaustedAndSticky) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  auto w = env_->NewWritableFile("/dev/full");
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->Append("buffered, so fine").ok());
  absl::Status s = (*w)->Sync();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(s.message(), HasSubstr("/dev/full"));
  // A failed file stays failed: retrying must not report success.
  EXPECT_EQ((*w)->Sync().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ((*w)->Append("more").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE((*w)->Close().ok());
}

// Whether a child process can take an fcntl write lock on `path` right now.
bool OtherProcessCanLock(const std::string& path) {
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int fd = ::open(path.c_str(), O_RDWR);
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    ::_exit(fd >= 0 && ::fcntl(fd, F_SETLK, &fl) == 0 ? 0 : 1);
  }
  int wstatus = 0;
  if (::waitpid(pid, &wstatus, 0) != pid) return false;
  return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
}

TEST_F(PosixEnvTest, LockConflictsInProcessAndIsReleased) {
  const std::string lock_path = Path("LOCK");
  auto first = env_->LockFile(lock_path);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(OtherProcessCanLock(lock_path));
  auto second = env_->LockFile(lock_path);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("database folder is in use"));
  EXPECT_THAT(second.status().message(), HasSubstr(lock_path));
  // Another spelling of the same file is the same lock.
  auto aliased = env_->LockFile(dir_ + "/./LOCK");
  EXPECT_EQ(aliased.status().code(), absl::StatusCode::kFailedPrecondition);
  // Refusing them must not have released the real lock (closing any descriptor of the
  // file would have).
  EXPECT_FALSE(OtherProcessCanLock(lock_path));
  // A different file is independent.
  auto other = env_->LockFile(Path("LOCK2"));
  EXPECT_TRUE(other.ok()) << other.status();

  first->reset();
  EXPECT_TRUE(OtherProcessCanLock(lock_path));
  auto again = env_->LockFile(lock_path);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(OtherProcessCanLock(lock_path));
}

TEST_F(PosixEnvTest, LockHeldByAnotherProcessIsRefused) {
  const std::string lock_path = Path("LOCK");
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0600);
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    char c = (fd >= 0 && ::fcntl(fd, F_SETLK, &fl) == 0) ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    (void)!::read(done[0], &c, 1);  // hold the lock until the parent is done
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  auto lock = env_->LockFile(lock_path);
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(lock.status().message(), HasSubstr("locked by another process"));
  EXPECT_THAT(lock.status().message(), HasSubstr(lock_path));
  ASSERT_EQ(::write(done[1], "x", 1), 1);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  for (int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
  // The child is gone, so its lock is too.
  EXPECT_TRUE(env_->LockFile(lock_path).ok());
}

}  // namespace
}  // namespace cassette
