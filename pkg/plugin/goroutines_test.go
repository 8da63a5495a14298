package plugin

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
)

// goroutineOwner is the profiler label that marks which test started a goroutine.
const goroutineOwner = "test"

// ownGoroutines labels t's goroutine as t's and returns what counts the
// goroutines so labelled. Goroutines inherit their creator's labels, so every
// goroutine the test starts from then on (a data source's reads, a test
// server's connections, and the goroutines those start) carries the label, and
// the count holds exactly those and the test's own: a test that checks nothing
// stays behind can then run beside others, whose goroutines a count of the
// process's would include. The label stays with t's goroutine, which ends with t.
func ownGoroutines(t *testing.T) (own func() (n int, stacks string)) {
	label := t.Name()
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(goroutineOwner, label)))
	return func() (int, string) { return labelledGoroutines(label) }
}

// labelledGoroutines counts the live goroutines labelled as owned by owner, and
// gives their stacks, from the goroutine profile's text form: records of "N @
// pcs", then "# labels: {...}" when the goroutines have labels, then the stack.
func labelledGoroutines(owner string) (int, string) {
	var prof bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&prof, 1); err != nil {
		panic(err)
	}
	mark := fmt.Sprintf("%q:%q", goroutineOwner, owner)
	var stacks strings.Builder
	total, count, record, owned := 0, 0, []string(nil), false
	flush := func() {
		if owned {
			total += count
			stacks.WriteString(strings.Join(record, "\n") + "\n\n")
		}
	}
	sc := bufio.NewScanner(&prof)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if n, _, ok := strings.Cut(line, " @"); ok && !strings.HasPrefix(line, "#") {
			if c, err := strconv.Atoi(n); err == nil {
				flush()
				count, record, owned = c, nil, false
			}
		}
		if labels, ok := strings.CutPrefix(line, "# labels: "); ok && strings.Contains(labels, mark) {
			owned = true
		}
		record = append(record, line)
	}
	flush()
	return total, stacks.String()
}

// TestOwnGoroutinesAreCountedAndOnlyThem starts goroutines before and after
// ownGoroutines: only those after (and their children) count.
func TestOwnGoroutinesAreCountedAndOnlyThem(t *testing.T) {
	testparallel.BesideWaiting(t)
	stop := make(chan struct{})
	defer close(stop)
	for range 3 {
		go func() { <-stop }() // another test's, as far as the count knows
	}
	own := ownGoroutines(t)
	if n, stacks := own(); n != 1 {
		t.Fatalf("%d goroutines before any was started, want the test's own:\n%s", n, stacks)
	}
	started := make(chan struct{})
	for range 2 {
		go func() {
			go func() { <-stop }() // a child's child carries the label too
			started <- struct{}{}
			<-stop
		}()
	}
	<-started
	<-started
	n, stacks := own()
	if n != 5 {
		t.Fatalf("%d goroutines counted, want the test's and the 4 it started:\n%s", n, stacks)
	}
	if !strings.Contains(stacks, "TestOwnGoroutinesAreCountedAndOnlyThem") {
		t.Fatalf("the stacks do not show where the goroutines wait:\n%s", stacks)
	}
}
