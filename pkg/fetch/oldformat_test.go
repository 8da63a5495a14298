package fetch_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// TestAStoreOfTheGobFormatIsReadAsAMiss: a real disk store written as the plugin
// wrote it before segments were columns (gob records in the same frame, under
// the same lanes) is never decoded as columns: each value is a miss, counted
// and warned of, dropped, read from the API exactly and written again, so the
// next process reads the range from disk with 0 requests.
func TestAStoreOfTheGobFormatIsReadAsAMiss(t *testing.T) {
	// Sequential: it counts the process's tier read errors, which the damaged
	// and tampered stores of the parallel tests add to.
	f := newTierFixture(t)
	dir := t.TempDir()
	// Final time (older than a day), in whole chunks.
	from := f.now.Add(-6 * 24 * time.Hour).Truncate(fetch.ChunkSize)
	to := f.now.Add(-2 * 24 * time.Hour).Truncate(fetch.ChunkSize)
	w := exportapi.Window{From: from, To: to}
	wantC, wantM := f.want(w)

	client, err := exportapi.New(exportapi.Config{BaseURL: f.url, APIKey: tierKey, Limiters: (&exportapi.LimiterPool{}).Acquire(f.url, tierKey, 1000)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	var convs []exportapi.Conversation
	var msgs []exportapi.Message
	req := exportapi.Request{Bot: "bot", Window: w}
	if _, err := client.Conversations(t.Context(), req, func(p []exportapi.Conversation) error { convs = append(convs, p...); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Messages(t.Context(), req, func(p []exportapi.Message) error { msgs = append(msgs, p...); return nil }); err != nil {
		t.Fatal(err)
	}
	// Half the records: were a value misread rather than refused, the counts would say so.
	convs, msgs = convs[:len(convs)/2], msgs[:len(msgs)/2]

	store := diskcache.Open(dir, 1<<30, newTestLog(t))
	t.Cleanup(func() { _ = store.Close() })
	src := f.process(t, store)
	ctx := context.Background()
	for _, v := range []struct {
		lane string
		data []byte
	}{
		{src.ConversationLane("bot"), fetch.OldFormat(src.ConversationLane("bot"), from, to, convs)},
		{src.MessageLane("bot"), fetch.OldFormat(src.MessageLane("bot"), from, to, msgs)},
	} {
		if err := store.Save(ctx, v.lane, []fetch.Stored{{From: from, To: to, Data: v.data}}, f.now); err != nil {
			t.Fatal(err)
		}
	}

	errorsBefore, before := fetch.TierReadErrors(), f.requests()
	c, m, st := counts(t, src, w)
	same(t, "conversations", c, wantC)
	same(t, "messages", m, wantM)
	if n := f.requests() - before; n == 0 || len(st.Warnings) == 0 || st.TierHits != 0 {
		t.Fatalf("a store of the old format cost %d requests, %d tier hits, warnings %q", n, st.TierHits, st.Warnings)
	}
	if n := fetch.TierReadErrors() - errorsBefore; n != 2 {
		t.Fatalf("%v tier read errors counted, want one per old value (2)", n)
	}

	// Written again as columns: a new process on the store pays nothing.
	before = f.requests()
	c, m, st = counts(t, f.process(t, store), w)
	same(t, "read again, conversations", c, wantC)
	same(t, "read again, messages", m, wantM)
	if n := f.requests() - before; n != 0 || len(st.Warnings) != 0 || st.TierHits == 0 {
		t.Fatalf("read again: %d requests, %d tier hits, warnings %q", n, st.TierHits, st.Warnings)
	}
}
