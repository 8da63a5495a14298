package diskcache

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// recordLog keeps what the store logged, for the words it used.
type recordLog struct {
	t     *testing.T
	lines []string
}

func (l *recordLog) Warn(msg string, args ...any) {
	l.t.Log(append([]any{msg}, args...)...)
	l.lines = append(l.lines, fmt.Sprint(append([]any{msg}, args...)...))
}

// validStore leaves a closed store with three segments in a new directory.
func validStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s := Open(dir, 1<<20, testLog{t})
	if err := s.Save(context.Background(), laneA, []fetch.Stored{seg(0, 10, "a"), seg(10, 20, "b"), seg(30, 40, "c")}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// untouched fails unless dir holds the store file alone, and a normal open finds its three segments.
func untouched(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != FileName {
			t.Errorf("%s was left beside the store: the store was moved aside", e.Name())
		}
	}
	s := Open(dir, 1<<20, testLog{t})
	defer s.Close()
	if got := join(load(t, s, 0, 100)); got != "abc" || s.Status().Segments != 3 {
		t.Fatalf("the store after the trouble holds %q (%d segments), want its three segments", got, s.Status().Segments)
	}
}

// offBecause fails unless s is off with a problem that names the cause, and
// neither it nor the log calls the file damaged.
func offBecause(t *testing.T, s *Store, log *recordLog, cause string) {
	t.Helper()
	for _, l := range log.lines {
		if strings.Contains(l, "damaged") {
			t.Errorf("the log calls the store damaged: %s", l)
		}
	}
	st := s.Status()
	if st.Open {
		t.Fatalf("the store is open: %+v", st)
	}
	if !strings.Contains(st.Problem, cause) || strings.Contains(st.Problem, "damaged") {
		t.Fatalf("problem %q, want the cause %q and no word of damage", st.Problem, cause)
	}
}

// TestAccessAndSpaceErrorsAreNotDamage: an error of access or space when the
// file is opened turns the store off with its real cause, and never moves a
// valid store aside. Tests run as root, where file modes deny nothing, so the
// errors come through bbolt's own seam for opening the file (Options.OpenFile),
// as the kernel would return them.
func TestAccessAndSpaceErrorsAreNotDamage(t *testing.T) {
	for _, c := range []struct {
		errno syscall.Errno
		cause string
	}{
		{syscall.EACCES, "permission denied"},
		{syscall.EPERM, "permission denied"},
		{syscall.EROFS, "read-only"},
		{syscall.ENOSPC, "disk is full"},
		{syscall.EDQUOT, "quota"},
	} {
		t.Run(c.errno.Error(), func(t *testing.T) {
			dir := validStore(t)
			log := &recordLog{t: t}
			s := open(dir, 1<<20, log, func(name string, _ int, _ os.FileMode) (*os.File, error) {
				return nil, &fs.PathError{Op: "open", Path: name, Err: c.errno}
			})
			offBecause(t, s, log, c.cause)
			untouched(t, dir)
		})
	}
}

// TestARealFullDiskAtCreationIsNotDamage: the store file is /dev/full, where
// every write fails with ENOSPC as on a full disk, for root and anyone else.
func TestARealFullDiskAtCreationIsNotDamage(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.Symlink("/dev/full", path); err != nil {
		t.Fatal(err)
	}
	log := &recordLog{t: t}
	s := Open(dir, 1<<20, log)
	offBecause(t, s, log, "disk is full")
	if target, err := os.Readlink(path); err != nil || target != "/dev/full" {
		t.Fatalf("the store's path was moved or replaced: %q, %v", target, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("%d entries in the directory, want the store's path alone", len(entries))
	}
}

// TestAStorePathThatIsADirectoryIsNotDamage: opening it fails for root as for
// anyone (EISDIR); what is there is not moved aside.
func TestAStorePathThatIsADirectoryIsNotDamage(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, FileName), 0o700); err != nil {
		t.Fatal(err)
	}
	log := &recordLog{t: t}
	s := Open(dir, 1<<20, log)
	offBecause(t, s, log, "is a directory")
	if fi, err := os.Stat(filepath.Join(dir, FileName)); err != nil || !fi.IsDir() {
		t.Fatalf("the directory at the store's path was moved: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("%d entries in the directory, want the store's path alone", len(entries))
	}
}

// TestFileModesThatDenyAreNotDamage makes the file unreadable, and the
// directory read-only, for real where file modes deny (a user other than root).
func TestFileModesThatDenyAreNotDamage(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root passes file modes; the open seam covers EACCES in TestAccessAndSpaceErrorsAreNotDamage")
	}
	t.Run("an unreadable file", func(t *testing.T) {
		dir := validStore(t)
		path := filepath.Join(dir, FileName)
		if err := os.Chmod(path, 0); err != nil {
			t.Fatal(err)
		}
		log := &recordLog{t: t}
		s := Open(dir, 1<<20, log)
		offBecause(t, s, log, "permission denied")
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		untouched(t, dir)
	})
	t.Run("a read-only directory at creation", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
		log := &recordLog{t: t}
		offBecause(t, Open(dir, 1<<20, log), log, "permission denied")
	})
}

// TestAReadOnlyDirectoryAtCreationIsNotDamage: no store yet, and the directory
// refuses a new file (a read-only mount, or a directory the user may not write).
func TestAReadOnlyDirectoryAtCreationIsNotDamage(t *testing.T) {
	for _, c := range []struct {
		errno syscall.Errno
		cause string
	}{{syscall.EROFS, "read-only"}, {syscall.EACCES, "permission denied"}} {
		t.Run(c.errno.Error(), func(t *testing.T) {
			dir := t.TempDir()
			log := &recordLog{t: t}
			s := open(dir, 1<<20, log, func(name string, _ int, _ os.FileMode) (*os.File, error) {
				return nil, &fs.PathError{Op: "open", Path: name, Err: c.errno}
			})
			offBecause(t, s, log, c.cause)
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("%d entries written into the directory", len(entries))
			}
		})
	}
}
