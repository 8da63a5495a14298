// Package hostwatch tells a process when the process that started it is gone.
//
// Grafana starts a plugin as its child and stops it over gRPC. When Grafana is
// killed instead, nothing stops the plugin: it would keep running, holding its
// store's file lock, and the next plugin process would start without its disk
// cache. A child sees its parent die as a change of its parent process id (it is
// handed to init or a subreaper); Linux also signals it at once when asked to
// (PR_SET_PDEATHSIG).
package hostwatch

import (
	"os"
	"os/signal"
	"time"
)

// pollEvery is how often the parent process id is checked, where no signal comes
// or one was missed.
const pollEvery = time.Second

// Watch calls gone, once, from a goroutine of its own, when the parent process of
// this one has gone. A process whose parent is already init (pid 1) when Watch is
// called has no host to outlive, and is not watched.
func Watch(gone func()) {
	parent := os.Getppid()
	if parent <= 1 {
		return
	}
	sig := make(chan os.Signal, 1)
	if deathSignal != nil {
		signal.Notify(sig, deathSignal)
		// Asked for after the parent id was read: a parent that died in between
		// shows as a changed id at the first check.
		armDeathSignal()
	}
	go func() {
		tick := time.NewTicker(pollEvery)
		defer tick.Stop()
		for {
			select {
			case <-sig:
			case <-tick.C:
			}
			// The signal also comes when only the thread that started this process
			// ends; the parent id tells whether the parent itself is gone.
			if os.Getppid() != parent {
				signal.Stop(sig)
				gone()
				return
			}
		}
	}()
}
