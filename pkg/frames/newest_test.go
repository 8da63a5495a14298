package frames

import (
	"fmt"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// TestAPartialTableKeepsReadTimeWhateverIsNewest: a read newest first leaves its
// newest piece unread while an older one is complete. The newest rows of all that
// arrived are of the unread piece; the table must still show the newest limit
// rows of the read piece, however many unread rows came first.
func TestAPartialTableKeepsReadTimeWhateverIsNewest(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	older := exportapi.Window{From: t0, To: t0.Add(time.Hour)}                          // read
	newer := exportapi.Window{From: t0.Add(24 * time.Hour), To: t0.Add(25 * time.Hour)} // still being read
	msgs := func(w exportapi.Window, n int, prefix string) []exportapi.Message {
		out := make([]exportapi.Message, n)
		for i := range out {
			out[i] = exportapi.Message{ID: fmt.Sprintf("%s%04d", prefix, i), Time: w.From.Add(time.Duration(i) * time.Second)}
		}
		return out
	}
	var read []exportapi.Window
	table := NewMessageTable(50, func() []exportapi.Window { return read })
	table.Add(msgs(newer, 400, "n")) // the newest piece's first pages: nothing of it read yet
	table.Add(msgs(older, 600, "o"))
	read = []exportapi.Window{older}
	table.Add(msgs(newer, 1, "x"))
	frame := table.Frame([]exportapi.Window{{From: newer.From, To: newer.To}})
	if frame.Rows() != 50 {
		t.Fatalf("%d rows, want the newest 50 of the 600 of read time", frame.Rows())
	}
	if id := frame.Fields[0].At(0).(string); id != "o0599" {
		t.Fatalf("first row %s, want o0599", id)
	}
	if id := frame.Fields[0].At(49).(string); id != "o0550" {
		t.Fatalf("last row %s, want o0550", id)
	}
}
