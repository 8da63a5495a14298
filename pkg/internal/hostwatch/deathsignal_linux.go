package hostwatch

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// deathSignal is what Linux sends this process when its parent dies: a signal
// nothing else sends a plugin, so that it is never taken for a request to stop.
var deathSignal os.Signal = syscall.SIGUSR2

func armDeathSignal() {
	// Without it the poll still notices, a little later.
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGUSR2), 0, 0, 0)
}
