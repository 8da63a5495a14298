package columnar

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// sizes cover an empty batch, one record, and batches over one text block.
var sizes = []int{0, 1, 7, blockRecords - 1, blockRecords, 3*blockRecords + 5}

func stableByStart(recs []exportapi.Conversation) []exportapi.Conversation {
	out := slices.Clone(recs)
	slices.SortStableFunc(out, func(a, b exportapi.Conversation) int { return a.StartTime.Compare(b.StartTime) })
	return out
}

func stableByTime(recs []exportapi.Message) []exportapi.Message {
	out := slices.Clone(recs)
	slices.SortStableFunc(out, func(a, b exportapi.Message) int { return a.Time.Compare(b.Time) })
	return out
}

// checkUTC fails unless every time is in UTC, as the decoder gives them: a
// rebuilt record must be the decoder's record, location included.
func checkUTC(t *testing.T, what string, ts ...time.Time) {
	t.Helper()
	for _, ts := range ts {
		if !ts.IsZero() && ts.Location() != time.UTC {
			t.Fatalf("%s: time %v not in UTC", what, ts)
		}
	}
}

func TestConversationsRebuildAndGroupLikeStructs(t *testing.T) {
	for seed := range uint64(4) {
		for _, n := range sizes {
			rng := rand.New(rand.NewPCG(seed, uint64(n)))
			recs := randConversations(rng, n)
			if seed%2 == 1 {
				// Ids like the API's, which the wire stores as bytes.
				for i := range recs {
					recs[i].ID = fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())
				}
			}
			b, err := BuildConversations(recs)
			if err != nil {
				t.Fatal(err)
			}
			want := stableByStart(recs)
			checkConversations(t, b, want)
			decoded, err := DecodeConversations(b.Encode())
			if err != nil {
				t.Fatalf("%d records: %v", n, err)
			}
			checkConversations(t, decoded, want)
		}
	}
}

// checkConversations compares a batch with the records it must hold, field by
// field, and its columns with what pkg/selection makes of the structs.
func checkConversations(t *testing.T, b *Conversations, want []exportapi.Conversation) {
	t.Helper()
	if b.Len() != len(want) {
		t.Fatalf("%d records, want %d", b.Len(), len(want))
	}
	got, err := b.Records()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("rebuilt records differ (-want +got):\n%s", diff)
	}
	byTag := selection.Grouper{By: query.GroupTag}
	byLocale := selection.Grouper{By: query.GroupLocale}
	keys := append(slices.Clone(metaKeys), "never-seen", "rare1")
	for i := range want {
		c := &want[i]
		if i%37 == 0 || i == len(want)-1 {
			one, err := b.Conversation(i)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(*c, one); diff != "" {
				t.Fatalf("record %d rebuilt alone differs:\n%s", i, diff)
			}
		}
		checkUTC(t, "conversation", got[i].StartTime, got[i].LastActionAt)
		if b.Start[i] != c.StartTime.UnixNano() {
			t.Fatalf("record %d: start %d, want %d", i, b.Start[i], c.StartTime.UnixNano())
		}
		if i > 0 && b.Start[i] < b.Start[i-1] {
			t.Fatalf("record %d out of order", i)
		}
		// Tag groups: the distinct codes, (none) for no tag.
		var tagGroups []string
		for j, codes := 0, b.Tags.Of(i); j < codes.Len(); j++ {
			if g := b.Tags.Values.At(int(codes.At(j))); !slices.Contains(tagGroups, g) {
				tagGroups = append(tagGroups, g)
			}
		}
		if len(tagGroups) == 0 {
			tagGroups = []string{selection.NoneGroup}
		}
		if diff := cmp.Diff(byTag.Conversation(c, nil), tagGroups); diff != "" {
			t.Fatalf("record %d tag groups differ:\n%s", i, diff)
		}
		if g := byLocale.Conversation(c, nil); g[0] != selection.OrNone(b.Locale.At(i)) {
			t.Fatalf("record %d locale group %q, columns say %q", i, g[0], b.Locale.At(i))
		}
		for _, k := range keys {
			wantText, wantOK := c.MetadataText(k)
			var text string
			var ok bool
			if col := b.Metadata(k); col != nil {
				text, ok = col.Text(i)
			}
			if text != wantText || ok != wantOK {
				t.Fatalf("record %d metadata %q of %q: (%q, %v), want (%q, %v)", i, k, c.Metadata, text, ok, wantText, wantOK)
			}
			g := selection.Grouper{By: query.GroupMetadata, MetadataKey: k}.Conversation(c, nil)
			if g[0] != selection.OrNone(text) {
				t.Fatalf("record %d metadata group of %q: %q, columns say %q", i, k, g[0], text)
			}
		}
		if diff := cmp.Diff(c.MetadataKeys(), b.MetadataKeys(i)); diff != "" {
			t.Fatalf("record %d metadata keys of %q differ:\n%s", i, c.Metadata, diff)
		}
		if n, ok := b.UserMessages.At(i); n != c.UserMessageCount || ok != c.HasUserMessages {
			t.Fatalf("record %d count (%d, %v)", i, n, ok)
		}
	}
}

func TestMessagesRebuild(t *testing.T) {
	for seed := range uint64(4) {
		for _, n := range sizes {
			rng := rand.New(rand.NewPCG(seed, uint64(n)))
			recs := randMessages(rng, n)
			b, err := BuildMessages(recs)
			if err != nil {
				t.Fatal(err)
			}
			checkMessages(t, b, stableByTime(recs))
			decoded, err := DecodeMessages(b.Encode())
			if err != nil {
				t.Fatalf("%d records: %v", n, err)
			}
			checkMessages(t, decoded, stableByTime(recs))
		}
	}
}

func checkMessages(t *testing.T, b *Messages, want []exportapi.Message) {
	t.Helper()
	got, err := b.Records()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("rebuilt messages differ (-want +got):\n%s", diff)
	}
	byType := selection.Grouper{By: query.GroupType}
	for i := range want {
		if i%37 == 0 || i == len(want)-1 {
			one, err := b.Message(i)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want[i], one); diff != "" {
				t.Fatalf("message %d rebuilt alone differs:\n%s", i, diff)
			}
		}
		checkUTC(t, "message", got[i].Time)
		if g := byType.Message(&want[i], nil, nil); g[0] != selection.OrNone(b.Type.At(i)) {
			t.Fatalf("message %d type group %q, columns say %q", i, g[0], b.Type.At(i))
		}
		if b.ConversationID.At(i) != want[i].ConversationID {
			t.Fatalf("message %d conversation %q", i, b.ConversationID.At(i))
		}
	}
}

func TestTimesBeyondNanosecondsAreRefused(t *testing.T) {
	far := time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := BuildConversations([]exportapi.Conversation{{ID: "c", StartTime: far}}); err == nil {
		t.Error("a start time beyond Unix nanoseconds was accepted")
	}
	if _, err := BuildMessages([]exportapi.Message{{ID: "m", Time: far}}); err == nil {
		t.Error("a message time beyond Unix nanoseconds was accepted")
	}
}

// TestManyMetadataKeys covers records with more keys than a scan handles, repeats included.
func TestManyMetadataKeys(t *testing.T) {
	var recs []exportapi.Conversation
	for r := range 3 {
		meta := []byte{'{'}
		for k := range 60 {
			if k > 0 {
				meta = append(meta, ',')
			}
			meta = fmt.Appendf(meta, `"k%d":%d`, k%(40+r), k)
		}
		recs = append(recs, exportapi.Conversation{ID: fmt.Sprint(r), StartTime: base, Metadata: append(meta, '}')})
	}
	b, err := BuildConversations(recs)
	if err != nil {
		t.Fatal(err)
	}
	checkConversations(t, b, recs)
	for i := range recs {
		for k := range 45 {
			key := fmt.Sprintf("k%d", k)
			want, wantOK := recs[i].MetadataText(key)
			var got string
			var ok bool
			if col := b.Metadata(key); col != nil {
				got, ok = col.Text(i)
			}
			if got != want || ok != wantOK {
				t.Fatalf("record %d key %s: (%q, %v), want (%q, %v)", i, key, got, ok, want, wantOK)
			}
		}
	}
}

func TestRowsOfAWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	recs := randMessages(rng, 300)
	b, err := BuildMessages(recs)
	if err != nil {
		t.Fatal(err)
	}
	w := exportapi.Window{From: base.Add(10 * time.Minute), To: base.Add(20*time.Minute + time.Millisecond)}
	i, j := b.Rows(w.From, w.To)
	for k := range b.Len() {
		if in := k >= i && k < j; in != w.Contains(fromNanos(b.Time[k])) {
			t.Fatalf("record %d at %v: in rows %v", k, fromNanos(b.Time[k]), in)
		}
	}
	far := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	if i, j := b.Rows(time.Time{}, far); i != 0 || j != b.Len() {
		t.Fatalf("a window over every record gives rows [%d, %d)", i, j)
	}
	if i, j := b.Rows(far, far.Add(time.Hour)); i != j {
		t.Fatalf("a window after every record gives rows [%d, %d)", i, j)
	}
}

// TestWideCodes covers dictionaries that need 2 and 4 bytes a code.
func TestWideCodes(t *testing.T) {
	for _, distinct := range []int{300, 1<<16 + 1} {
		recs := make([]exportapi.Message, distinct+10)
		for i := range recs {
			recs[i] = exportapi.Message{ID: fmt.Sprint(i), Time: base.Add(time.Duration(i)), ConversationID: fmt.Sprint(i % distinct), Type: exportapi.TypeBotMessage}
		}
		b, err := BuildMessages(recs)
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := DecodeMessages(b.Encode())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []*Messages{b, decoded} {
			codes := m.ConversationID.Codes.Widen(nil)
			for i := range recs {
				if codes[i] != m.ConversationID.Codes.At(i) || m.ConversationID.At(i) != recs[i].ConversationID {
					t.Fatalf("%d distinct, record %d: code %d, value %q", distinct, i, codes[i], m.ConversationID.At(i))
				}
			}
		}
		checkMessages(t, decoded, recs)
	}
}
