package fetch

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"reflect"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
)

// The records of a stored segment are its batch's bytes (columnar.Encode), inside
// a frame that binds them to their lane and span (frame.go).

// schemaOf fingerprints a record type's fields, so that records written before a
// field was added, removed or retyped are never decoded into the new type.
func schemaOf(t reflect.Type) uint32 {
	h := crc32.New(castagnoli)
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		fmt.Fprintf(h, "%s/%s;", t.Kind(), t.String())
		if t.Kind() == reflect.Struct {
			for i := range t.NumField() {
				f := t.Field(i)
				fmt.Fprintf(h, "%s:", f.Name)
				walk(f.Type)
			}
		}
	}
	walk(t)
	return h.Sum32()
}

// payloadSchema is the schema a frame of T's columns carries: the record type's
// fingerprint and the columns' format version. A lane keeps its name across a
// change of encoding (see laneID), so what an older encoding wrote there, gob
// records among them, is found, refused as a miss, dropped and written again,
// never decoded as columns.
func payloadSchema[T any]() uint32 {
	b := binary.BigEndian.AppendUint32([]byte("columnar/"), schemaFor[T]())
	return crc32.Checksum(append(b, columnar.FormatVersion), castagnoli)
}

// encodeBatch frames a segment's batch for the lane and span b.
func encodeBatch(bt batch, schema uint32, b binding) ([]byte, error) {
	return frame(b, schema, bt.Encode())
}
