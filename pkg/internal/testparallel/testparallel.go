// Package testparallel sets how many parallel tests a test binary runs at once
// when its parallel tests mostly wait (on a rate limit, a deadline, a lease
// another replica holds) rather than compute: go test's default, one per core,
// leaves the cores idle while they wait.
package testparallel

import (
	"flag"
	"strconv"
)

// Default makes n the number of parallel tests run at once unless the command
// line chose one (-parallel). Call it from TestMain before m.Run.
func Default(n int) {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(n))
	}
}
