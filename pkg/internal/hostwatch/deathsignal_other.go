//go:build !linux

package hostwatch

import "os"

// Elsewhere there is no parent-death signal: the poll alone notices.
var deathSignal os.Signal

func armDeathSignal() {}
