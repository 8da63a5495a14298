package columnar

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// A batch is never changed once built or decoded, so the queries that share a
// cached segment read it at once (run with -race).
func TestConcurrentReadsOfOneBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	conv, err := BuildConversations(randConversations(rng, 2*blockRecords))
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := BuildMessages(randMessages(rng, 2*blockRecords))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := conv.Records(); err != nil {
				t.Error(err)
			}
			if _, err := msgs.Records(); err != nil {
				t.Error(err)
			}
			for i := range conv.Len() {
				_ = conv.MetadataKeys(i)
				if col := conv.Metadata("channel"); col != nil {
					_, _ = col.Text(i)
				}
			}
			_ = conv.Encode()
			_ = conv.Size() + msgs.Size()
		})
	}
	wg.Wait()
}

func TestCountsADecodedRecordCannotHaveAreRefused(t *testing.T) {
	for name, c := range map[string]exportapi.Conversation{
		"negative":          {ID: "c", StartTime: base, UserMessageCount: -1, HasUserMessages: true},
		"beyond 32 bits":    {ID: "c", StartTime: base, UserMessageCount: 1 << 33, HasUserMessages: true},
		"a value, no count": {ID: "c", StartTime: base, UserMessageCount: 3},
	} {
		if _, err := BuildConversations([]exportapi.Conversation{c}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
