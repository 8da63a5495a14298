package exportapi

import (
	"testing"
	"time"
)

func TestWindowIntersect(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	w := Window{From: t0, To: t0.Add(10 * time.Hour)}
	if got := w.Intersect(Window{From: t0.Add(-time.Hour), To: t0.Add(2 * time.Hour)}); got != (Window{From: t0, To: t0.Add(2 * time.Hour)}) {
		t.Fatalf("overlap %v", got)
	}
	if got := w.Intersect(Window{From: t0.Add(10 * time.Hour), To: t0.Add(11 * time.Hour)}); !got.Empty() {
		t.Fatalf("touching windows share %v", got)
	}
}
