package diskcache

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// rssFileKB is how much of the store's file this process has resident in its
// page tables (RssFile in /proc/self/status).
func rssFileKB(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "RssFile:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// Reading a month from the disk must not add the file's size to the plugin's
// memory: bbolt reads values from its memory map, and the pages a load touched
// would stay resident. 64 MB of segments are loaded; the process may keep a few
// MB of the map (branch and leaf pages), not the values.
func TestLoadedSegmentsDoNotStayResident(t *testing.T) {
	dir := t.TempDir()
	const segs, size = 64, 1 << 20
	s := Open(dir, 2*segs*size, testLog{t})
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	want := map[int64][]byte{}
	for i := range segs {
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		from := base.Add(time.Duration(i) * time.Hour)
		want[from.UnixNano()] = data
		if err := s.Save(context.Background(), laneA, []fetch.Stored{{From: from, To: from.Add(time.Hour), Data: data}}, base); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Close()
	s = Open(dir, 2*segs*size, testLog{t})
	defer s.Close()
	before := rssFileKB(t)
	// A query lists the spans first: that reads each value's header.
	if spans, err := s.Spans(context.Background(), laneA, base, base.Add(segs*time.Hour), base); err != nil || len(spans) != segs {
		t.Fatalf("listed %d spans (%v), want %d", len(spans), err, segs)
	}
	// One segment a call, as a query consumes them (newest first, as a long
	// range's partial answers read), and then all at once.
	for j := range segs {
		i := segs - 1 - j
		from := base.Add(time.Duration(i) * time.Hour)
		got, err := s.Load(context.Background(), laneA, from.Add(time.Minute), from.Add(2*time.Minute), base)
		if err != nil || len(got) != 1 || !bytes.Equal(got[0].Data, want[from.UnixNano()]) {
			t.Fatalf("segment %d: %d found (%v), or not what was saved", i, len(got), err)
		}
	}
	got, err := s.Load(context.Background(), laneA, base, base.Add(segs*time.Hour), base)
	if err != nil || len(got) != segs {
		t.Fatalf("loaded %d segments (%v), want %d", len(got), err, segs)
	}
	for _, st := range got {
		if !bytes.Equal(st.Data, want[st.From.UnixNano()]) {
			t.Fatalf("segment at %v differs from what was saved", st.From)
		}
	}
	grown := rssFileKB(t) - before
	t.Logf("file pages resident after loading %d MB: %+d kB", segs*size>>20, grown)
	if grown > 8<<10 {
		t.Fatalf("loading %d MB left %d kB of the store's file resident", segs*size>>20, grown)
	}
}
