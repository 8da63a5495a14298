package main

import (
	"net"
	"testing"
)

func TestProbeAnswersWhetherTheSimulatorListens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if got := probeListening(addr); got != 0 {
		t.Fatalf("probe of a listening address = %d, want 0", got)
	}
	_ = ln.Close()
	if got := probeListening(addr); got != 1 {
		t.Fatalf("probe of a closed address = %d, want 1", got)
	}
}
