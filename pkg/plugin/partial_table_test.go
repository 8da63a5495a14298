package plugin

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestAPartialTableHasTheNewestLimitRowsOfTheTimeRead asks over gRPC for the
// newest 50 messages of 30 days with a 1 s response budget: the answer is
// partial, and its table must be exactly the newest 50 messages of the time
// wholly read (the unread time is dropped before the limit is applied, not after).
func TestAPartialTableHasTheNewestLimitRowsOfTheTimeRead(t *testing.T) {
	testparallel.SkipUnderShort(t)
	testparallel.WaitsLong(t)
	from, to := testNow.Add(-30*24*time.Hour), testNow
	for i, typ := range []string{"messages", "transcript", "messages", "transcript"} {
		limit := []int{50, 50, 1500, 1500}[i]
		// A simulator each: a read of its own, nothing cached.
		sim, url := progressiveSim(t)
		is := instanceSettings(url, map[string]any{"requestsPerSecond": 3, "responseSeconds": 1}, testKey)
		is.UID, is.ID = fmt.Sprintf("partial-table-%d", i), int64(190+i)
		r := overGRPC(t, is).mustQuery(t, dataQuery("A", typ, from, to, map[string]any{"limit": limit})).Responses["A"]
		if r.Error != nil {
			t.Fatal(r.Error)
		}
		if !strings.Contains(notices(r), "read so far") {
			t.Fatalf("%s: the answer is complete (%q): 30 days cannot be read in a second", typ, notices(r))
		}
		incomplete := progressIncomplete(t, r)
		var complete []simulator.Message
		for _, m := range sim.Dataset().Messages("r3-218210", from, to, "") {
			if !inAny(incomplete, m.Time) {
				complete = append(complete, m)
			}
		}
		// A busy machine may read fewer than limit messages in the second: then the
		// table must hold every one of them, which is as exact a check.
		want := min(limit, len(complete))
		if want < limit {
			t.Logf("%s, limit %d: only %d messages in complete time", typ, limit, len(complete))
		}
		// The table's rows are the newest 50 of complete time, ties broken by id.
		slices.SortFunc(complete, func(a, b simulator.Message) int {
			if c := b.Time.Compare(a.Time); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		idField := r.Frames[0].Fields[0]
		if typ == "transcript" {
			idField, _ = r.Frames[0].FieldByName("id")
		}
		got := map[string]bool{}
		for i := 0; i < idField.Len(); i++ {
			got[idField.At(i).(string)] = true
		}
		if len(got) != want {
			t.Fatalf("%s, limit %d: %d rows, want the newest %d of the %d messages in complete time", typ, limit, len(got), want, len(complete))
		}
		for _, m := range complete[:want] {
			if !got[m.ID] {
				t.Fatalf("%s, limit %d: message %s (%s), one of the newest of complete time, is missing", typ, limit, m.ID, m.Time)
			}
		}
	}
}

func progressIncomplete(t *testing.T, r backend.DataResponse) []exportapi.Window {
	t.Helper()
	raw, err := json.Marshal(r.Frames[0].Meta.Custom)
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Progress struct{ Incomplete []exportapi.Window } `json:"progress"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil || len(meta.Progress.Incomplete) == 0 {
		t.Fatalf("no incomplete time in %s: %v", raw, err)
	}
	return meta.Progress.Incomplete
}

func inAny(ws []exportapi.Window, at time.Time) bool {
	for _, w := range ws {
		if w.Contains(at) {
			return true
		}
	}
	return false
}
