// Command gen-typescript writes src/generated/queryModel.ts from the query
// registry, the README's query type table from the same registry, and
// src/generated/settings.ts from the settings' fields; `go generate ./pkg/query` runs it.
package main

import (
	"log"
	"os"
	"path/filepath"

	"github.com/agentx-support/agentx-export-datasource/pkg/query/typescript"
	settingsts "github.com/agentx-support/agentx-export-datasource/pkg/settings/typescript"
)

func main() {
	// go generate runs in pkg/query; the file's path is from the repository's root.
	root := filepath.Join("..", "..")
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	for rel, content := range map[string][]byte{typescript.Path: typescript.Generate(), settingsts.Path: settingsts.Generate()} {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	readme := filepath.Join(root, typescript.ReadmePath)
	old, err := os.ReadFile(readme)
	if err != nil {
		log.Fatal(err)
	}
	content, err := typescript.ReadmeTypes(old)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(readme, content, 0o644); err != nil {
		log.Fatal(err)
	}
}
