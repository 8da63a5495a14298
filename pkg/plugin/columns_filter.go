package plugin

import (
	"slices"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// columnFilter is the conversation filters of a query evaluated on a batch's
// codes: each filter's strings are matched against the batch's dictionaries once
// (selection.Selects' rules, (none) included), then each record is a few index
// lookups. Its buffers are reused from batch to batch; fetch calls a scan's
// function from one goroutine at a time.
type columnFilter struct {
	f       *query.Filters
	any     bool
	require []string // distinct required tags
	exclude []string

	rows []int32

	// Per batch: bit k of tagBits[code*words+w] says the code's value is required tag 64w+k.
	words     int
	tagBits   []uint64
	noTagBits []uint64 // the required tags a record without tags has: (none)
	acc       []uint64
	excluded  []bool
	noTagOut  bool // a record without tags is excluded
	locales   []bool
	meta      []metaTest
	offsets   []uint32
	tagCodes  []uint32
	localeIDs []uint32
}

// metaTest is one metadata filter on a batch: whether each code passes.
type metaTest struct {
	pass  []bool
	codes []uint32
	all   bool // no record has the key: every record reads as missing
	allOK bool
}

func newColumnFilter(f *query.Filters) *columnFilter {
	cf := &columnFilter{f: f, any: selection.ConversationFilters(f)}
	for _, t := range f.Tags {
		if !slices.Contains(cf.require, t) {
			cf.require = append(cf.require, t)
		}
	}
	cf.exclude = f.ExcludeTags
	cf.words = (len(cf.require) + 63) / 64
	cf.meta = make([]metaTest, len(f.Metadata))
	return cf
}

// passing returns the rows of [from, to) of b that pass the filters, in order,
// in a buffer the next call reuses.
func (cf *columnFilter) passing(b *columnar.Conversations, from, to int) []int32 {
	rows := cf.rows[:0]
	if !cf.any {
		for i := from; i < to; i++ {
			rows = append(rows, int32(i))
		}
		cf.rows = rows
		return rows
	}
	if !cf.prepare(b) {
		cf.rows = rows
		return rows
	}
	for i := from; i < to; i++ {
		if cf.selects(i) {
			rows = append(rows, int32(i))
		}
	}
	cf.rows = rows
	return rows
}

// prepare resolves the filters to b's codes; false when no record can pass.
func (cf *columnFilter) prepare(b *columnar.Conversations) bool {
	f := cf.f
	tags := &b.Tags
	if len(cf.require) > 0 || len(cf.exclude) > 0 {
		cf.offsets = tags.Offsets.Widen(cf.offsets)
		cf.tagCodes = tags.Codes.Widen(cf.tagCodes)
	}
	if len(cf.require) > 0 {
		n := tags.Values.Len()
		cf.tagBits = grow(cf.tagBits, n*cf.words)
		cf.noTagBits = grow(cf.noTagBits, cf.words)
		cf.acc = grow(cf.acc, cf.words)
		for k, t := range cf.require {
			if t == selection.NoneGroup {
				cf.noTagBits[k/64] |= 1 << (k % 64)
			}
		}
		for code := range n {
			v := tags.Values.At(code)
			for k, t := range cf.require {
				if v == t {
					cf.tagBits[code*cf.words+k/64] |= 1 << (k % 64)
				}
			}
		}
	}
	if len(cf.exclude) > 0 {
		n := tags.Values.Len()
		cf.excluded = growBools(cf.excluded, n)
		for code := range n {
			cf.excluded[code] = slices.Contains(cf.exclude, tags.Values.At(code))
		}
		cf.noTagOut = slices.Contains(cf.exclude, selection.NoneGroup)
	}
	if len(f.Locales) > 0 || len(f.ExcludeLocales) > 0 {
		n := b.Locale.Values.Len()
		cf.locales = growBools(cf.locales, n)
		some := false
		for code := range n {
			locale := selection.OrNone(b.Locale.Values.At(code))
			cf.locales[code] = (len(f.Locales) == 0 || slices.Contains(f.Locales, locale)) && !slices.Contains(f.ExcludeLocales, locale)
			some = some || cf.locales[code]
		}
		if !some {
			return false
		}
		cf.localeIDs = b.Locale.Codes.Widen(cf.localeIDs)
	}
	for k, m := range f.Metadata {
		t := &cf.meta[k]
		want := m.Op == "="
		col := b.Metadata(m.Key)
		if col == nil {
			t.all, t.allOK = true, (selection.NoneGroup == selection.OrNone(m.Value)) == want
			if !t.allOK {
				return false
			}
			continue
		}
		t.all = false
		n := col.Values.Len()
		t.pass = growBools(t.pass, n)
		some := false
		for code := range n {
			t.pass[code] = (selection.OrNone(col.Values.At(code)) == selection.OrNone(m.Value)) == want
			some = some || t.pass[code]
		}
		if !some {
			return false
		}
		t.codes = col.Widen(b.Len(), t.codes)
	}
	return true
}

// selects is selection.Selects on record i of the prepared batch.
func (cf *columnFilter) selects(i int) bool {
	f := cf.f
	if len(cf.require) > 0 || len(cf.exclude) > 0 {
		from, to := cf.offsets[i], cf.offsets[i+1]
		codes := cf.tagCodes[from:to]
		if len(cf.require) > 0 {
			acc := cf.acc
			if len(codes) == 0 {
				copy(acc, cf.noTagBits)
			} else {
				clear(acc)
				for _, c := range codes {
					bits := cf.tagBits[int(c)*cf.words:]
					for w := range acc {
						acc[w] |= bits[w]
					}
				}
			}
			for w := range acc {
				if acc[w] != fullWord(len(cf.require), w) {
					return false
				}
			}
		}
		if len(cf.exclude) > 0 {
			if len(codes) == 0 && cf.noTagOut {
				return false
			}
			for _, c := range codes {
				if cf.excluded[c] {
					return false
				}
			}
		}
	}
	if (len(f.Locales) > 0 || len(f.ExcludeLocales) > 0) && !cf.locales[cf.localeIDs[i]] {
		return false
	}
	for k := range cf.meta {
		t := &cf.meta[k]
		if !t.all && !t.pass[t.codes[i]] {
			return false
		}
	}
	return true
}

// fullWord is word w of a mask with the first n bits set.
func fullWord(n, w int) uint64 {
	if rest := n - 64*w; rest < 64 {
		return 1<<rest - 1
	}
	return ^uint64(0)
}

// grow returns buf with n zeroed words.
func grow(buf []uint64, n int) []uint64 {
	if cap(buf) < n {
		return make([]uint64, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

func growBools(buf []bool, n int) []bool {
	if cap(buf) < n {
		return make([]bool, n)
	}
	return buf[:n]
}
