//go:build mage
// +build mage

package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	// mage:import
	build "github.com/grafana/grafana-plugin-sdk-go/build"
)

const pluginID = "agentx-export-datasource"

func init() {
	// plugin.json lives at the repository root, not in src/.
	_ = build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		cfg.PluginJSONPath = "."
		return cfg, nil
	})
}

// Default builds the backend for every platform Grafana runs on.
var Default = build.BuildAll

// Server builds what `npm run server` runs in Docker, for Linux on this machine's
// architecture (the one Docker runs here), not every platform: the backend into
// dist/, and the simulator as a static binary into .server/, so the compose
// file's simulator needs no Go toolchain or module download inside Docker.
func Server() error {
	if err := (build.Build{}).Custom("linux", runtime.GOARCH); err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(".server", "simulator"), "./pkg/cmd/simulator")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the simulator: %w", err)
	}
	fmt.Printf("built the backend and the simulator for linux/%s\n", runtime.GOARCH)
	return nil
}

// Archive checks dist/ (run `npm run build` and `mage buildAll` first) against the
// plugin validator's rules that can be checked offline, then packs it as
// agentx-export-datasource-<version>.zip with the plugin id as its top folder.
func Archive() error {
	meta, err := checkDist("dist")
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s.zip", pluginID, meta.Info.Version)
	if err := zipDir("dist", name, pluginID); err != nil {
		return err
	}
	fmt.Println("wrote", name)
	return nil
}

type pluginMeta struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Name       string `json:"name"`
	Executable string `json:"executable"`
	Backend    bool   `json:"backend"`
	Info       struct {
		Description string                        `json:"description"`
		Keywords    []string                      `json:"keywords"`
		Version     string                        `json:"version"`
		Updated     string                        `json:"updated"`
		Author      struct{ Name string }         `json:"author"`
		Logos       struct{ Small, Large string } `json:"logos"`
		Links       []struct{ Name, URL string }  `json:"links"`
	} `json:"info"`
	Dependencies struct {
		GrafanaDependency string `json:"grafanaDependency"`
	} `json:"dependencies"`
	Includes []struct{ Type, Name, Path string } `json:"includes"`
}

var (
	semver   = regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)
	isoDate  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	platform = []string{"linux_amd64", "linux_arm", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64.exe"}
)

// checkDist applies the validator's offline rules: complete metadata, a release
// version and date, logos and included files present, every platform's binary
// under the executable's name, and no debug build.
func checkDist(dir string) (pluginMeta, error) {
	var meta pluginMeta
	raw, err := os.ReadFile(filepath.Join(dir, "plugin.json"))
	if err != nil {
		return meta, fmt.Errorf("dist has no plugin.json: run npm run build first")
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return meta, fmt.Errorf("dist/plugin.json: %w", err)
	}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if meta.ID != pluginID || meta.Type != "datasource" || meta.Name == "" || !meta.Backend {
		fail("id, type, name or backend is wrong")
	}
	if meta.Info.Description == "" || len(meta.Info.Keywords) == 0 || meta.Info.Author.Name == "" {
		fail("description, keywords and author are required")
	}
	if !semver.MatchString(meta.Info.Version) {
		fail("version %q is not semantic", meta.Info.Version)
	}
	if !isoDate.MatchString(meta.Info.Updated) {
		fail("updated %q is not a date", meta.Info.Updated)
	}
	if !strings.HasPrefix(meta.Dependencies.GrafanaDependency, ">=") {
		fail("grafanaDependency %q should be a lower bound", meta.Dependencies.GrafanaDependency)
	}
	for _, l := range meta.Info.Links {
		if !strings.HasPrefix(l.URL, "https://") {
			fail("link %q is not https", l.URL)
		}
	}
	for _, f := range []string{meta.Info.Logos.Small, meta.Info.Logos.Large, "module.js", "README.md", "CHANGELOG.md", "LICENSE"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			fail("%s is missing", f)
		}
	}
	for _, inc := range meta.Includes {
		if _, err := os.Stat(filepath.Join(dir, inc.Path)); err != nil {
			fail("included %s %q is missing", inc.Type, inc.Path)
		}
	}
	if !strings.HasPrefix(meta.Executable, "gpx_") {
		fail("executable %q should start with gpx_", meta.Executable)
	}
	for _, p := range platforms() {
		if _, err := os.Stat(filepath.Join(dir, meta.Executable+"_"+p)); err != nil {
			fail("no backend binary for %s: run mage buildAll", p)
		}
	}
	if readme, err := os.ReadFile(filepath.Join(dir, "README.md")); err == nil {
		// The validator warns on comments: the catalog shows the README as it is.
		if strings.Contains(string(readme), "<!--") {
			fail("README.md contains an HTML comment")
		}
		for _, link := range relativeLinks(string(readme)) {
			fail("README.md links to %q: the catalog page and Grafana's plugin overview show dist/README.md, where only https:// links and #anchors work", link)
		}
	}
	// Users read the changelog and the licence on the catalog page.
	if changelog, err := os.ReadFile(filepath.Join(dir, "CHANGELOG.md")); err == nil && trackerWords.Match(changelog) {
		fail("CHANGELOG.md speaks of %q: say what changed for users", trackerWords.Find(changelog))
	}
	if license, err := os.ReadFile(filepath.Join(dir, "LICENSE")); err == nil && !copyrightLine.Match(license) {
		fail("LICENSE has no copyright line")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		// mage's debug targets build binaries for a debugger; they must not ship.
		if strings.Contains(e.Name(), "debug") || strings.Contains(e.Name(), "dlv") {
			fail("debug file %s must not ship", e.Name())
		}
	}
	if len(problems) > 0 {
		return meta, fmt.Errorf("dist does not pass the plugin checks:\n  %s", strings.Join(problems, "\n  "))
	}
	return meta, nil
}

var (
	trackerWords  = regexp.MustCompile(`(?i)\b(issue|task|ticket) #?\d+`)
	copyrightLine = regexp.MustCompile(`(?m)^Copyright \d{4} \S`)
)

// markdownLink finds the targets of [text](target), ![alt](target) and HTML
// src/href attributes.
var markdownLink = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)|(?:src|href)\s*=\s*["']([^"']+)["']`)

// relativeLinks lists the README's links that only work inside the repository.
func relativeLinks(readme string) []string {
	var out []string
	for _, m := range markdownLink.FindAllStringSubmatch(readme, -1) {
		target := m[1] + m[2]
		if strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		out = append(out, target)
	}
	return out
}

// platforms are the binaries the archive must hold: every platform Grafana runs
// on, or, for a quick check of everything else (the test command builds only
// linux_amd64: six cold cross-compiles take ten minutes on two cores), the
// comma-separated list in AGENTX_ARCHIVE_PLATFORMS.
func platforms() []string {
	if only := os.Getenv("AGENTX_ARCHIVE_PLATFORMS"); only != "" {
		return strings.Split(only, ",")
	}
	return platform
}

func zipDir(dir, target, top string) error {
	out, err := os.Create(target)
	if err != nil {
		return err
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	err = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(filepath.Join(top, rel))
		hdr.Method = zip.Deflate
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}
