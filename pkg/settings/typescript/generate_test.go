package typescript

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTheGeneratedFileIsCurrent fails when pkg/settings/fields.go changed and
// nobody ran `go generate ./pkg/query`.
func TestTheGeneratedFileIsCurrent(t *testing.T) {
	got, err := os.ReadFile(filepath.Join("..", "..", "..", Path))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(Generate()) {
		t.Fatalf("%s is stale: run `go generate ./pkg/query` and commit the result", Path)
	}
}
