package diskcache

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

type testLog struct{ t *testing.T }

func (l testLog) Warn(msg string, args ...any) { l.t.Log(append([]any{msg}, args...)...) }

const laneA = "00112233445566778899aabbccddeeff"

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func seg(fromH, toH int, data string) fetch.Stored {
	return fetch.Stored{From: t0.Add(time.Duration(fromH) * time.Hour), To: t0.Add(time.Duration(toH) * time.Hour), Data: []byte(data)}
}

func load(t *testing.T, s *Store, fromH, toH int) []string {
	t.Helper()
	got, err := s.Load(context.Background(), laneA, t0.Add(time.Duration(fromH)*time.Hour), t0.Add(time.Duration(toH)*time.Hour), t0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range got {
		out = append(out, string(g.Data))
	}
	return out
}

func TestSegmentsAreFoundByOverlapAndReplaced(t *testing.T) {
	s := Open(t.TempDir(), 1<<20, testLog{t})
	defer s.Close()
	ctx := context.Background()
	if err := s.Save(ctx, laneA, []fetch.Stored{seg(0, 10, "a"), seg(10, 20, "b"), seg(30, 40, "c")}, t0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		from, to int
		want     string
	}{{5, 6, "a"}, {9, 11, "ab"}, {20, 30, ""}, {-5, 100, "abc"}, {39, 40, "c"}, {40, 41, ""}} {
		got := load(t, s, c.from, c.to)
		if joined := join(got); joined != c.want {
			t.Errorf("[%d,%d): %q, want %q", c.from, c.to, joined, c.want)
		}
	}
	// A new segment replaces every one it overlaps.
	if err := s.Save(ctx, laneA, []fetch.Stored{seg(5, 35, "d")}, t0); err != nil {
		t.Fatal(err)
	}
	if got := join(load(t, s, 0, 100)); got != "d" {
		t.Fatalf("after the overlapping save: %q", got)
	}
	// Another lane is another timeline.
	other, _ := s.Load(ctx, "ffffffffffffffffffffffffffffffff", t0, t0.Add(100*time.Hour), t0)
	if len(other) != 0 {
		t.Fatal("another lane saw the segments")
	}
	// Expired segments are not returned.
	exp := seg(50, 60, "e")
	exp.Expires = t0.Add(-time.Second)
	if err := s.Save(ctx, laneA, []fetch.Stored{exp}, t0); err != nil {
		t.Fatal(err)
	}
	if got := join(load(t, s, 50, 60)); got != "" {
		t.Fatalf("an expired segment came back: %q", got)
	}
}

func join(s []string) string {
	out := ""
	for _, x := range s {
		out += x
	}
	return out
}

func TestTheBudgetEvictsTheOldestWritten(t *testing.T) {
	s := Open(t.TempDir(), 3*(24+1000), testLog{t})
	defer s.Close()
	big := string(make([]byte, 1000))
	for i := range 5 {
		if err := s.Save(context.Background(), laneA, []fetch.Stored{seg(i*10, i*10+10, big)}, t0); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Status()
	if st.Segments != 3 || st.Bytes > st.Budget {
		t.Fatalf("status %+v", st)
	}
	if n := len(load(t, s, 0, 20)); n != 0 {
		t.Fatalf("the two oldest were kept: %d", n)
	}
	if n := len(load(t, s, 20, 50)); n != 3 {
		t.Fatalf("the three newest: %d", n)
	}
	// The totals survive a reopen.
	_ = s.Close()
	again := Open(filepath.Dir(s.path), s.budget, testLog{t})
	defer again.Close()
	if st2 := again.Status(); st2.Bytes != st.Bytes || st2.Segments != 3 {
		t.Fatalf("after a reopen: %+v, before %+v", st2, st)
	}
}

func TestAFileHeldByAnotherProcessTurnsTheStoreOff(t *testing.T) {
	t.Parallel() // waits out bbolt's lock timeout, not the cores
	dir := t.TempDir()
	first := Open(dir, 1<<20, testLog{t})
	defer first.Close()
	second := Open(dir, 1<<20, testLog{t}) // bbolt's lock is per open file, so this waits like a second process
	st := second.Status()
	if st.Open || st.Problem == "" {
		t.Fatalf("status %+v", st)
	}
	if got, err := second.Load(context.Background(), laneA, t0, t0.Add(time.Hour), t0); err != nil || got != nil {
		t.Fatal("an off store must miss quietly")
	}
	if err := second.Save(context.Background(), laneA, []fetch.Stored{seg(0, 1, "x")}, t0); err != nil {
		t.Fatal("an off store must take writes quietly")
	}
}

func TestAnUnusableDirectoryTurnsTheStoreOff(t *testing.T) {
	if os.Getuid() == 0 {
		// root writes anywhere; a path under a file cannot be a directory for anyone.
		t.Log("running as root: using a path under a regular file")
	}
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := Open(filepath.Join(file, "store"), 1<<20, testLog{t})
	if st := s.Status(); st.Open || st.Problem == "" {
		t.Fatalf("status %+v", st)
	}
}

func TestHintsSurviveAReopen(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir, 1<<20, nil)
	if _, ok := s.Hint("latency|x"); ok {
		t.Fatal("a hint before any was saved")
	}
	s.SaveHint("latency|x", 0.75)
	_ = s.Close()
	s = Open(dir, 1<<20, nil)
	defer s.Close()
	if v, ok := s.Hint("latency|x"); !ok || v != 0.75 {
		t.Fatalf("hint %v %v", v, ok)
	}
}
