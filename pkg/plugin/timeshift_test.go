package plugin

import (
	"strings"
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestTimeShiftNamesTheShiftAsWritten: a shift that is not a whole unit keeps its
// own name; a rounded one (36h as "1d", 90m as "1h", 366d as "1y") would name a
// shift other than the one read.
func TestTimeShiftNamesTheShiftAsWritten(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	for _, shift := range []string{"36h", "90m", "366d", "7d", " 2h "} {
		r := run(t, d, dataQuery("A", "conversationVolume", daysFrom, daysTo, map[string]any{"bucket": "range", "timeShift": shift})).Responses["A"]
		if r.Error != nil {
			t.Fatalf("%s: %v", shift, r.Error)
		}
		want := "Conversations started, " + strings.TrimSpace(shift) + " earlier"
		if name := r.Frames[0].Fields[1].Config.DisplayNameFromDS; name != want {
			t.Errorf("timeShift %q: display name %q, want %q", shift, name, want)
		}
	}
}
