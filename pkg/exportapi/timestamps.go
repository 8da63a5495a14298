package exportapi

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// parseEpochSeconds reads a Unix time in seconds written as an integer or a decimal
// ("1744651778.652"). It parses the digits itself rather than through float64 so a
// millisecond timestamp lands on exactly the nanosecond it names: a record at
// 10:00:00.000 must never be counted in the bucket before 10:00.
func parseEpochSeconds(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("empty timestamp")
	}
	if strings.ContainsAny(s, "eE") {
		return parseExponentSeconds(s)
	}
	intPart, fracPart, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	sec, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || sec > 1e15 || sec < -1e15 {
		return time.Time{}, fmt.Errorf("timestamp %q is not a number of seconds", s)
	}
	var nanos int64
	if fracPart != "" {
		if len(fracPart) > 9 {
			fracPart = fracPart[:9]
		}
		n, err := strconv.ParseUint(fracPart, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("timestamp %q is not a number of seconds", s)
		}
		for i := len(fracPart); i < 9; i++ {
			n *= 10
		}
		nanos = int64(n)
		if neg {
			nanos = -nanos
		}
	}
	return time.Unix(sec, nanos).UTC(), nil
}

// parseExponentSeconds reads the rare "1.744651778652e9" form exactly, as a rational.
func parseExponentSeconds(s string) (time.Time, error) {
	r, ok := new(big.Rat).SetString(s)
	if !ok || len(s) > 64 {
		return time.Time{}, fmt.Errorf("timestamp %q is not a number of seconds", s)
	}
	nanos := new(big.Int).Quo(new(big.Int).Mul(r.Num(), big.NewInt(1e9)), r.Denom())
	if !nanos.IsInt64() || nanos.Int64()/1e9 > 1e10 || nanos.Int64()/1e9 < -1e10 {
		return time.Time{}, fmt.Errorf("timestamp %q is out of range", s)
	}
	return time.Unix(0, nanos.Int64()).UTC(), nil
}

// actionTimeLayouts are the shapes lastActionAt has been seen in. The documented one
// carries no zone and microseconds; the API runs on UTC, so a zoneless value is UTC.
var actionTimeLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
}

// parseActionTime returns the zero time for a value it cannot read: a bad lastActionAt
// must not cost the whole page its other, valid fields.
func parseActionTime(s string) time.Time {
	for _, layout := range actionTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	if t, err := parseEpochSeconds(s); err == nil {
		return t
	}
	return time.Time{}
}
