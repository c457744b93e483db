// Package image checks the images `make image`, `make image-ingest` and
// `make release` write (hack/image): built from the real binaries, read
// back from the tarball as a runtime would.
package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/frontline-dev/frontline/hack/image/build"
	"github.com/frontline-dev/frontline/test/testenv"
)

func TestManagerImage(t *testing.T) {
	checkImage(t, ".", build.Options{Tag: "frontline:test", Version: "v0.0.0-test", Revision: "abc123", Arch: "amd64"},
		"/manager", "frontline")
}

func TestIngestImage(t *testing.T) {
	checkImage(t, "./cmd/frontline-ingest", build.Options{Tag: "ghcr.io/frontline-dev/frontline-ingest:v0.0.0-test", Version: "v0.0.0-test",
		Revision: "abc123", Arch: "amd64", Entrypoint: "/frontline-ingest", Title: "frontline-ingest"}, "/frontline-ingest", "frontline-ingest")
}

// TestCABundle: the bundle is the same bytes every time (it comes from a
// module pinned in go.sum, not from the build machine) and every block
// is a CA certificate Go parses.
func TestCABundle(t *testing.T) {
	a, b := build.CABundle(), build.CABundle()
	if !bytes.Equal(a, b) {
		t.Fatal("two CA bundles differ")
	}
	n := 0
	for rest := a; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			if len(bytes.TrimSpace(rest)) != 0 {
				t.Fatalf("trailing bytes after %d certificates", n)
			}
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatalf("certificate %d: %v", n, err)
		}
		if !c.IsCA {
			t.Errorf("%s is not a CA", c.Subject)
		}
		n++
	}
	if n < 100 {
		t.Errorf("%d roots, want the whole Mozilla store (over 100)", n)
	}
	if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM(a) {
		t.Error("crypto/x509 reads no certificate from the bundle")
	}
}

// checkImage builds pkg as the release does, writes its image twice, and
// reads it back.
func checkImage(t *testing.T, pkg string, o build.Options, entrypoint, title string) {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	o.Binary = filepath.Join(dir, filepath.Base(entrypoint))
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w -buildid=", "-o", o.Binary, pkg)
	cmd.Dir = root
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
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
	if sumFile(t, filepath.Join(dir, "a.tar")) != sumFile(t, filepath.Join(dir, "b.tar")) {
		t.Error("two tarballs of the same image differ: checksums.txt would not be reproducible")
	}

	tag, err := name.NewTag(o.Tag)
	if err != nil {
		t.Fatal(err)
	}
	img, err := tarball.ImageFromPath(filepath.Join(dir, "a.tar"), &tag)
	if err != nil {
		t.Fatalf("the tarball does not hold %s: %v", o.Tag, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532", c.User)
	}
	if len(c.Entrypoint) != 1 || c.Entrypoint[0] != entrypoint || len(c.Cmd) != 0 {
		t.Errorf("entrypoint %v cmd %v, want [%s]", c.Entrypoint, c.Cmd, entrypoint)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("platform %s/%s", cf.OS, cf.Architecture)
	}
	for k, want := range map[string]string{"org.opencontainers.image.version": "v0.0.0-test", "org.opencontainers.image.revision": "abc123",
		"org.opencontainers.image.source": "https://github.com/frontline-dev/frontline", "org.opencontainers.image.title": title,
		"org.opencontainers.image.licenses": "Apache-2.0"} {
		if c.Labels[k] != want {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], want)
		}
	}

	// One layer: the binary and the CA bundle, nothing to exec into.
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
		if h.Uid != 0 || h.Gid != 0 || h.ModTime.Unix() != 0 {
			t.Errorf("%s: owner %d:%d mtime %v, want root and the epoch", h.Name, h.Uid, h.Gid, h.ModTime)
		}
		switch h.Name {
		case entrypoint[1:]:
			if h.Mode&0o111 == 0 || h.Mode&0o222 != 0 || h.Size < 1<<20 {
				t.Errorf("%s mode %o size %d: want a read-only executable binary", h.Name, h.Mode, h.Size)
			}
		case build.CABundlePath[1:]:
			body, _ := io.ReadAll(tr)
			if !bytes.Equal(body, build.CABundle()) || h.Mode != 0o444 {
				t.Errorf("CA bundle mode %o, %d bytes: not the pinned bundle", h.Mode, len(body))
			}
		}
	}
	want := []string{"etc/", "etc/ssl/", "etc/ssl/certs/", "etc/ssl/certs/ca-certificates.crt", entrypoint[1:]}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("layer holds %v, want %v", files, want)
	}
}

func sumFile(t *testing.T, path string) [32]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(raw)
}
