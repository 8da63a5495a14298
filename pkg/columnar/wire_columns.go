package columnar

// How each column type is written and read back. Readers check what they read
// against the batch (a code below its dictionary's size, rows in order), so a
// value that decodes is one the accessors can serve without a fault.

// Sorted times: the first, then the gaps (never negative).
func (w *writer) sortedTimes(ts []int64) {
	prev := int64(0)
	for i, t := range ts {
		if i == 0 {
			w.sv(t)
		} else {
			w.uv(uint64(t - prev))
		}
		prev = t
	}
}

func (r *reader) sortedTimes(n int) []int64 {
	ts := make([]int64, n)
	for i := range ts {
		if i == 0 {
			ts[i] = r.sv()
			continue
		}
		gap := r.uv()
		next := ts[i-1] + int64(gap)
		if gap > 1<<62 || next < ts[i-1] {
			r.fail()
		}
		ts[i] = next
	}
	return ts
}

// Optional times, relative to the record's start: 0 none, 1 other (then the
// exceptions list), else the zigzag difference plus 2.
func (w *writer) optionalTimes(o *OptionalTimes, start []int64) {
	for i, v := range o.Nanos {
		switch v {
		case noTime:
			w.uv(0)
		case otherTime:
			w.uv(1)
		default:
			// Both lie within ±nearRange (buildOptionalTimes): no overflow.
			d := v - start[i]
			w.uv(uint64(d<<1^d>>63) + 2)
		}
	}
	w.uv(uint64(len(o.others)))
	for _, e := range o.others {
		w.uv(uint64(e.row))
		w.sv(e.t.Unix())
		w.uv(uint64(e.t.Nanosecond()))
	}
}

func (r *reader) optionalTimes(start []int64) OptionalTimes {
	o := OptionalTimes{Nanos: make([]int64, len(start))}
	others := 0
	for i := range o.Nanos {
		switch v := r.uv(); v {
		case 0:
		case 1:
			o.Nanos[i] = otherTime
			others++
		default:
			z := v - 2
			d := int64(z>>1) ^ -int64(z&1)
			o.Nanos[i] = start[i] + d
			if o.Nanos[i] == noTime || o.Nanos[i] == otherTime {
				r.fail()
			}
		}
	}
	if r.count() != others {
		r.fail()
		return o
	}
	o.others = make([]timeException, others)
	for j := range o.others {
		row := r.below(len(start))
		sec, nsec := r.sv(), r.uv()
		if nsec >= 1e9 || o.Nanos[row] != otherTime || (j > 0 && row <= o.others[j-1].row) {
			r.fail()
			return o
		}
		o.others[j] = timeException{row: row, t: unixUTC(sec, int64(nsec))}
	}
	return o
}

// Strings: each length (the bytes go to the strings stream).
func (w *writer) strings(s *Strings) {
	w.uv(uint64(s.Len()))
	for i := range s.Len() {
		w.str(s.At(i))
	}
}

func (r *reader) stringsCol() Strings {
	n := r.count()
	s := Strings{offsets: make([]uint32, n+1)}
	all := r.strs
	total := 0
	for i := range n {
		total += len(r.str())
		s.offsets[i+1] = uint32(total)
	}
	if r.err != nil {
		// Offsets into nothing would fault whoever reads on before the error is returned.
		return Strings{offsets: make([]uint32, n+1)}
	}
	s.all = all[:total]
	return s
}

// Codes: the width, then the codes as they are held, each checked against its dictionary.
func (w *writer) codes(c Codes) {
	w.uv(uint64(c.width))
	w.nums = append(w.nums, c.b...)
}

func (r *reader) codes(n, limit int) Codes {
	c := Codes{width: int(r.uv())}
	if (c.width != 1 && c.width != 2 && c.width != 4) || uint64(n)*uint64(c.width) > uint64(len(r.nums)) {
		r.fail()
		return Codes{width: 1, b: make([]byte, n)}
	}
	c.b = append([]byte(nil), r.nums[:n*c.width]...)
	r.nums = r.nums[n*c.width:]
	if !c.below(limit) {
		r.fail()
		return Codes{width: 1, b: make([]byte, n)}
	}
	return c
}

func (w *writer) dict(d *Dict) {
	w.strings(&d.Values)
	w.codes(d.Codes)
}

func (r *reader) dict(n int) Dict {
	d := Dict{Values: r.stringsCol()}
	d.Codes = r.codes(n, d.Values.Len())
	return d
}

// Lists: each record's length, then every code.
func (w *writer) lists(l *Lists) {
	w.strings(&l.Values)
	for i := range l.Offsets.Len() - 1 {
		w.uv(uint64(l.Offsets.At(i+1) - l.Offsets.At(i)))
	}
	w.codes(l.Codes)
}

func (r *reader) lists(n int) Lists {
	offsets := make([]uint32, n+1)
	var l Lists
	l.Values = r.stringsCol()
	for i := range n {
		offsets[i+1] = offsets[i] + uint32(r.count())
		if offsets[i+1] < offsets[i] {
			r.fail()
		}
	}
	l.Offsets = narrowAll(offsets)
	l.Codes = r.codes(int(offsets[n]), l.Values.Len())
	return l
}

// Counts: the validity words, then each valid record's value.
func (w *writer) counts(c *Counts) {
	for _, word := range c.valid {
		w.uv(word)
	}
	for i := range c.values.Len() {
		if c.Valid(i) {
			w.uv(uint64(c.values.At(i)))
		}
	}
}

func (r *reader) counts(n int) Counts {
	values := make([]uint32, n)
	c := Counts{valid: make([]uint64, (n+63)/64)}
	for i := range c.valid {
		c.valid[i] = r.uv()
	}
	if n%64 != 0 && len(c.valid) > 0 && c.valid[len(c.valid)-1]>>(n%64) != 0 {
		r.fail()
	}
	for i := range values {
		if c.Valid(i) {
			v := r.uv()
			if v > 1<<32-1 {
				r.fail()
			}
			values[i] = uint32(v)
		}
	}
	c.values = narrowAll(values)
	return c
}

// Metadata columns: key, values, then dense codes or the sparse rows (as gaps) and codes.
func (w *writer) meta(m *MetaColumn) {
	w.str(m.Key)
	w.strings(&m.Values)
	if !m.sparse {
		w.uv(0)
		w.codes(m.Codes)
		return
	}
	w.uv(1)
	w.uv(uint64(len(m.Rows)))
	prev := uint32(0)
	for j, row := range m.Rows {
		if j == 0 {
			w.uv(uint64(row))
		} else {
			w.uv(uint64(row - prev - 1))
		}
		prev = row
	}
	w.codes(m.Codes)
}

func (r *reader) meta(n int) MetaColumn {
	m := MetaColumn{Key: r.str(), Values: r.stringsCol()}
	if m.Values.Len() == 0 || m.Values.At(Absent) != "" {
		r.fail()
		return m
	}
	switch r.uv() {
	case 0:
		m.Codes = r.codes(n, m.Values.Len())
	case 1:
		m.sparse = true
		m.Rows = make([]uint32, r.count())
		next := uint64(0)
		for j := range m.Rows {
			next += r.uv()
			if next >= uint64(n) {
				r.fail()
				return m
			}
			m.Rows[j] = uint32(next)
			next++
		}
		m.Codes = r.codes(len(m.Rows), m.Values.Len())
		if m.Codes.Contains(Absent) {
			r.fail()
		}
	default:
		r.fail()
	}
	return m
}

func (w *writer) keySets(k *KeySets) {
	w.uv(uint64(len(k.Sets)))
	for _, set := range k.Sets {
		w.uv(uint64(len(set)))
		for _, c := range set {
			w.uv(uint64(c))
		}
	}
	w.codes(k.Codes)
}

func (r *reader) keySets(n, columns int) KeySets {
	k := KeySets{Sets: make([][]uint32, r.count())}
	for i := range k.Sets {
		k.Sets[i] = make([]uint32, r.count())
		for j := range k.Sets[i] {
			k.Sets[i][j] = r.below(columns)
		}
	}
	if len(k.Sets) == 0 || len(k.Sets[0]) != 0 {
		r.fail()
		return k
	}
	k.Codes = r.codes(n, len(k.Sets))
	return k
}

// Text columns: block count, then each block's length and bytes.
func appendText(out []byte, t *textColumn) []byte {
	w := writer{nums: out}
	w.uv(uint64(len(t.blocks)))
	for _, b := range t.blocks {
		w.uv(uint64(len(b)))
		w.nums = append(w.nums, b...)
	}
	return w.nums
}

func (r *reader) text(n int) textColumn {
	t := textColumn{n: n}
	blocks := r.count()
	if blocks != (n+blockRecords-1)/blockRecords {
		r.fail()
		return t
	}
	t.blocks = make([][]byte, blocks)
	for i := range t.blocks {
		t.blocks[i] = r.bytes()
	}
	return t
}
