package diskcache

import (
	"errors"
	"syscall"

	bolterrors "go.etcd.io/bbolt/errors"
)

// errDamaged marks damage the store found itself: a page bbolt panicked on.
var errDamaged = errors.New("damaged")

// cause tells an error of access or space from damage, and says it in words for
// the health check and the log. Only a file that fails its checks (bbolt's own,
// or a page that panics) is damaged and may be moved aside; a file the plugin
// may not open, a read-only or full disk, or a lock another process holds is
// reported as what it is, and the store is left where it is. bbolt hands the
// operating system's errors on as they are, so an errno anywhere in the chain
// means the trouble is around the file, not in it.
func cause(err error) (words string, damaged bool) {
	if errors.Is(err, errDamaged) {
		return "the file is damaged", true
	}
	if errors.Is(err, bolterrors.ErrTimeout) {
		return "another process holds the file (is a second Grafana using the same directory?)", false
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return "the file is damaged", true
	}
	switch errno {
	case syscall.EACCES, syscall.EPERM:
		return "permission denied: the plugin's user may not read or write it", false
	case syscall.EROFS:
		return "the file system is read-only", false
	case syscall.ENOSPC:
		return "the disk is full", false
	case syscall.EDQUOT:
		return "the disk quota is exceeded", false
	case syscall.EISDIR:
		return "the store's path is a directory, not a file", false
	case syscall.ENOTDIR:
		return "a part of the path is a file, not a directory", false
	}
	return "the file cannot be used (" + errno.Error() + ")", false
}
