package typescript

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTheGeneratedFileIsCurrent fails when the registry changed and nobody ran
// `go generate ./pkg/query`: the TypeScript files and the README's type table.
func TestTheGeneratedFileIsCurrent(t *testing.T) {
	for path, want := range map[string][]byte{Path: Generate()} {
		got, err := os.ReadFile(filepath.Join("..", "..", "..", path))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("%s is stale: run `go generate ./pkg/query` and commit the result", path)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", ReadmePath))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadmeTypes(readme)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(readme) {
		t.Fatalf("the query type table of %s is stale: run `go generate ./pkg/query` and commit the result", ReadmePath)
	}
}
