// Package image checks the image `make image` writes (hack/image): built
// from the real manager binary, read back from the tarball as a runtime
// would.
package image

import (
	"archive/tar"
	"io"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/frontline-dev/frontline/hack/image/build"
	"github.com/frontline-dev/frontline/test/testenv"
)

func TestImage(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "manager")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -buildid=", "-o", bin, ".")
	cmd.Dir = root
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	o := build.Options{Binary: bin, Tag: "frontline:test", Version: "v0.0.0-test", Revision: "abc123", Arch: "amd64"}
	first, err := build.WriteTarball(o, filepath.Join(dir, "a.tar"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := build.WriteTarball(o, filepath.Join(dir, "b.tar"))
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("two builds of the same binary: %s and %s, want one digest", first, second)
	}

	img, err := tarball.ImageFromPath(filepath.Join(dir, "a.tar"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532", c.User)
	}
	if len(c.Entrypoint) != 1 || c.Entrypoint[0] != "/manager" || len(c.Cmd) != 0 {
		t.Errorf("entrypoint %v cmd %v, want [/manager]", c.Entrypoint, c.Cmd)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("platform %s/%s", cf.OS, cf.Architecture)
	}
	for k, want := range map[string]string{"org.opencontainers.image.version": "v0.0.0-test", "org.opencontainers.image.revision": "abc123",
		"org.opencontainers.image.source": "https://github.com/frontline-dev/frontline"} {
		if c.Labels[k] != want {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], want)
		}
	}

	// One layer holding the manager alone: no shell, nothing to exec into.
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rc.Close() }()
	tr := tar.NewReader(rc)
	var files []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, h.Name)
		if h.Name == "manager" && (h.Mode&0o111 == 0 || h.Size < 1<<20) {
			t.Errorf("manager mode %o size %d: want an executable binary", h.Mode, h.Size)
		}
	}
	if len(files) != 1 || files[0] != "manager" {
		t.Errorf("layer holds %v, want only the manager", files)
	}
}
