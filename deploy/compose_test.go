package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Profiles    []string          `yaml:"profiles"`
		Entrypoint  []string          `yaml:"entrypoint"`
	} `yaml:"services"`
}

var resolved sync.Map // profile → []byte: docker-compose takes seconds

// config is docker-compose.yml as docker-compose resolves it with the
// example environment.
func config(t *testing.T, profile string) (composeFile, map[string]string) {
	t.Helper()
	out, err := resolve(t, profile)
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(out, &f); err != nil {
		t.Fatalf("docker-compose config printed no compose file: %v\n%s", err, out)
	}
	envs := map[string]string{}
	raw, err := os.ReadFile("env.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			envs[k] = v
		}
	}
	return f, envs
}

func resolve(t *testing.T, profile string) ([]byte, error) {
	t.Helper()
	if out, ok := resolved.Load(profile); ok {
		return out.([]byte), nil
	}
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Skip("docker-compose is not installed (.ci/run installs Debian's): skipping the compose check")
	}
	cmd := exec.Command(bin, "--env-file", "env.example", "-f", "../docker-compose.yml", "config")
	cmd.Env = append(os.Environ(), "COMPOSE_PROFILES="+profile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("docker-compose config: %v\n%s", err, stderr.String())
	}
	resolved.Store(profile, out)
	return out, nil
}

// The application's Meilisearch key is not the master key: verbatim's
// environment holds no master key (neither the variable nor its value),
// it reads its key from the file the meili-key service writes, and that
// service creates a key limited to verbatim's index that cannot manage
// keys.
func TestComposeAppKeyIsNotTheMasterKey(t *testing.T) {
	f, envs := config(t, "single")
	master := envs["MEILI_MASTER_KEY"]
	if master == "" {
		t.Fatal("env.example sets no MEILI_MASTER_KEY")
	}
	app, ok := f.Services["verbatim"]
	if !ok {
		t.Fatal("no verbatim service")
	}
	for k, v := range app.Environment {
		if v == master || strings.Contains(k, "MASTER") {
			t.Errorf("verbatim's environment %s=%q is the master key", k, v)
		}
	}
	if _, ok := app.Environment["VERBATIM_MEILI_KEY"]; ok {
		t.Errorf("verbatim gets VERBATIM_MEILI_KEY; want VERBATIM_MEILI_KEY_FILE from meili-key")
	}
	keyFile := app.Environment["VERBATIM_MEILI_KEY_FILE"]
	init, ok := f.Services["meili-key"]
	if !ok {
		t.Fatal("no meili-key service")
	}
	if keyFile == "" || init.Environment["KEY_FILE"] != keyFile {
		t.Errorf("verbatim reads its key from %q, meili-key writes %q; want the same file", keyFile, init.Environment["KEY_FILE"])
	}
	if init.Environment["MEILI_MASTER_KEY"] != master {
		t.Errorf("meili-key does not get the master key it needs to create the application key")
	}
	// Both mount the same volume at the key file's directory.
	dir := keyFile[:strings.LastIndex(keyFile, "/")]
	vol := func(vs []string) string {
		for _, v := range vs {
			if parts := strings.Split(v, ":"); len(parts) >= 2 && parts[1] == dir {
				return parts[0]
			}
		}
		return ""
	}
	if v := vol(app.Volumes); v == "" || v != vol(init.Volumes) {
		t.Errorf("verbatim mounts %q at %s, meili-key %q; want one volume", v, dir, vol(init.Volumes))
	}

	var key struct {
		Actions []string `json:"actions"`
		Indexes []string `json:"indexes"`
	}
	raw, err := os.ReadFile("meili-key.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &key); err != nil {
		t.Fatalf("meili-key.json: %v", err)
	}
	for _, a := range key.Actions {
		if a == "*" || strings.HasPrefix(a, "keys.") || a == "dumps.create" || a == "snapshots.create" {
			t.Errorf("the application key may %q", a)
		}
	}
	if len(key.Indexes) == 0 || slices.Contains(key.Indexes, "*") {
		t.Errorf("the application key's indexes = %v; want verbatim's only", key.Indexes)
	}
	for _, ix := range key.Indexes {
		if !strings.HasPrefix(ix, "@INDEX@") {
			t.Errorf("the application key's index %q is not verbatim's", ix)
		}
	}
}

// Meilisearch is pinned to the version whose API the adapter is
// validated against (internal/meili, v1.53).
func TestComposePinsMeilisearch(t *testing.T) {
	f, _ := config(t, "single")
	for _, name := range []string{"meilisearch", "meili-key"} {
		if img := f.Services[name].Image; img != "getmeili/meilisearch:v1.53" {
			t.Errorf("%s image = %q; want getmeili/meilisearch:v1.53", name, img)
		}
	}
}

// The scale profile runs SeaweedFS, pinned to the version the tests build
// (tools/seaweedfs), and verbatim can be pointed at it.
func TestComposeScaleProfile(t *testing.T) {
	f, _ := config(t, "scale")
	sw, ok := f.Services["seaweedfs"]
	if !ok {
		t.Fatal("no seaweedfs service")
	}
	if !slices.Contains(sw.Profiles, "scale") || sw.Image != "chrislusf/seaweedfs:4.53" {
		t.Errorf("seaweedfs: profiles %v, image %q; want [scale], chrislusf/seaweedfs:4.53", sw.Profiles, sw.Image)
	}
	if vg := f.Services["versitygw"]; !slices.Contains(vg.Profiles, "single") {
		t.Errorf("versitygw profiles = %v; want single, so that scale runs SeaweedFS in its place", vg.Profiles)
	}
	mod, err := os.ReadFile("../tools/seaweedfs/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), "github.com/seaweedfs/seaweedfs v0.0.0-20261109003541-7506e5f91cd6") {
		t.Errorf("tools/seaweedfs no longer pins the commit of SeaweedFS 4.53: update the compose image with it")
	}
}
