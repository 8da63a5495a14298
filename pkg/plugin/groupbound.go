package plugin

import (
	"context"
)

// groupBound stops a query's read once its aggregation refused a group (more
// groups than a query answers): nothing read after that can make an answer, so
// the read ends there rather than paying for the rest of the range, and the
// query fails with the aggregation's error.
type groupBound struct {
	ctx    context.Context
	cancel context.CancelFunc
	over   func() error
}

// boundGroups returns the context the query's read runs under; over is the
// aggregation's Err. The caller must call cancel.
func boundGroups(ctx context.Context, over func() error) *groupBound {
	ctx, cancel := context.WithCancel(ctx)
	return &groupBound{ctx: ctx, cancel: cancel, over: over}
}

// check ends the read once the aggregation is over its bound; call it after each page.
func (b *groupBound) check() {
	if b.over() != nil {
		b.cancel()
	}
}

// err is the query's error: the aggregation's when it went over its bound (the
// read's own error is then only that it was stopped), else the read's.
func (b *groupBound) err(readErr error) error {
	if e := b.over(); e != nil {
		return badQuery(e)
	}
	return readErr
}
