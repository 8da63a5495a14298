package query_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/query/typescript"
	settingsts "github.com/agentx-support/agentx-export-datasource/pkg/settings/typescript"
)

// TestTheGeneratedFileIsCurrent fails when the registry or pkg/settings/fields.go
// changed and nobody ran `go generate ./pkg/query`: the TypeScript files and the
// README's type table. It lives here, beside the go:generate line, rather than
// in the generators' packages: a test binary fewer to link on every run.
func TestTheGeneratedFileIsCurrent(t *testing.T) {
	root := filepath.Join("..", "..")
	for path, want := range map[string][]byte{typescript.Path: typescript.Generate(), settingsts.Path: settingsts.Generate()} {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("%s is stale: run `go generate ./pkg/query` and commit the result", path)
		}
	}
	readme, err := os.ReadFile(filepath.Join(root, typescript.ReadmePath))
	if err != nil {
		t.Fatal(err)
	}
	want, err := typescript.ReadmeTypes(readme)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(readme) {
		t.Fatalf("the query type table of %s is stale: run `go generate ./pkg/query` and commit the result", typescript.ReadmePath)
	}
}
