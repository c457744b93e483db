// Package release runs `make release` (hack/release.sh) the way a
// release is cut and checks what it writes: the same inputs give the same
// bytes, and every artifact names the images `make print-image` and
// `make print-ingest-image` name. To stay within `make test`'s time it
// builds one platform (linux/amd64) of the plugin and of both images;
// `make release` itself builds them all.
package release

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/test/testenv"
)

const (
	version      = "v0.0.0-test.1"
	chartVersion = "0.0.0-test.1"
	helmBin      = "bin/helm-v3.22.0"
)

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s%s", name, args, err, out.String(), errOut.String())
	}
	return out.String()
}

// release runs make release for linux/amd64 into dist. epoch is
// SOURCE_DATE_EPOCH, which hack/release.sh otherwise reads from the last
// commit: fixed here so a commit landing between two runs changes nothing.
func release(t *testing.T, root, dist string, epoch int64) time.Duration {
	t.Helper()
	start := time.Now()
	run(t, root, "make", "-s", "--no-print-directory", "release", "DIST="+dist, "VERSION="+version,
		"PLATFORMS=linux/amd64", "IMAGE_ARCHES=amd64", "SOURCE_DATE_EPOCH="+strconv.FormatInt(epoch, 10))
	return time.Since(start)
}

func TestReleaseIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the release twice")
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, helmBin)); err != nil {
		t.Fatalf("%s missing: run `make test` (it installs the pinned helm)", helmBin)
	}
	epoch, err := strconv.ParseInt(strings.TrimSpace(run(t, root, "git", "log", "-1", "--format=%ct")), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	t.Logf("first release %v", release(t, root, a, epoch))
	t.Logf("second release %v", release(t, root, b, epoch))
	sumsA, sumsB := readFile(t, filepath.Join(a, "checksums.txt")), readFile(t, filepath.Join(b, "checksums.txt"))
	if !bytes.Equal(sumsA, sumsB) {
		t.Errorf("two releases of one tree differ:\n%s\n%s", sumsA, sumsB)
	}

	// checksums.txt lists every artifact once, with its sha256.
	listed := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(sumsA))
	for sc.Scan() {
		sum, file, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("checksums.txt line %q", sc.Text())
		}
		listed[file] = sum
	}
	entries, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if e.Name() == "checksums.txt" {
			continue
		}
		files = append(files, e.Name())
		got := sha256.Sum256(readFile(t, filepath.Join(a, e.Name())))
		if listed[e.Name()] != hex.EncodeToString(got[:]) {
			t.Errorf("%s: checksums.txt says %q", e.Name(), listed[e.Name()])
		}
	}
	wantFiles := []string{
		"frontline-" + chartVersion + ".tgz",
		"frontline-image_" + version + "_linux_amd64.tar",
		"frontline-ingest-image_" + version + "_linux_amd64.tar",
		"frontline.yaml",
		"install.yaml",
		"kubectl-frontline_" + version + "_linux_amd64.tar.gz",
	}
	sort.Strings(files)
	if fmt.Sprint(files) != fmt.Sprint(wantFiles) || len(listed) != len(files) {
		t.Errorf("dist holds %v (checksums.txt lists %d), want %v", files, len(listed), wantFiles)
	}

	manager := strings.TrimSpace(run(t, root, "make", "-s", "--no-print-directory", "print-image", "VERSION="+version))
	ingest := strings.TrimSpace(run(t, root, "make", "-s", "--no-print-directory", "print-ingest-image", "VERSION="+version))

	t.Run("images", func(t *testing.T) {
		for file, want := range map[string]struct{ ref, entrypoint string }{
			"frontline-image_" + version + "_linux_amd64.tar":        {manager, "/manager"},
			"frontline-ingest-image_" + version + "_linux_amd64.tar": {ingest, "/frontline-ingest"},
		} {
			tag, err := name.NewTag(want.ref)
			if err != nil {
				t.Fatal(err)
			}
			img, err := tarball.ImageFromPath(filepath.Join(a, file), &tag)
			if err != nil {
				t.Fatalf("%s does not hold %s: %v", file, want.ref, err)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cf.Config.User != "65532:65532" || fmt.Sprint(cf.Config.Entrypoint) != "["+want.entrypoint+"]" ||
				cf.Config.Labels["org.opencontainers.image.version"] != version || cf.Architecture != "amd64" {
				t.Errorf("%s: user %q entrypoint %v labels %v arch %s", file, cf.Config.User, cf.Config.Entrypoint, cf.Config.Labels, cf.Architecture)
			}
		}
	})

	archive := "kubectl-frontline_" + version + "_linux_amd64.tar.gz"
	t.Run("plugin archive", func(t *testing.T) {
		raw := readFile(t, filepath.Join(a, archive))
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if zr.Name != "" || !zr.ModTime.IsZero() {
			t.Errorf("gzip header carries name %q mtime %v", zr.Name, zr.ModTime)
		}
		tr := tar.NewReader(zr)
		var names []string
		dir := t.TempDir()
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, h.Name)
			if h.ModTime.Unix() != epoch || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
				t.Errorf("%s: mtime %v owner %d:%d %q:%q, want the last commit's time and root", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname)
			}
			body, _ := io.ReadAll(tr)
			switch h.Name {
			case "LICENSE":
				if !bytes.Equal(body, readFile(t, filepath.Join(root, "LICENSE"))) || !bytes.Contains(body, []byte("Apache License")) {
					t.Error("LICENSE in the archive is not the project's")
				}
			case "kubectl-frontline":
				if h.Mode != 0o755 {
					t.Errorf("plugin mode %o", h.Mode)
				}
				if err := os.WriteFile(filepath.Join(dir, h.Name), body, 0o755); err != nil {
					t.Fatal(err)
				}
			}
		}
		if fmt.Sprint(names) != "[LICENSE kubectl-frontline]" {
			t.Errorf("archive holds %v, want [LICENSE kubectl-frontline] in that order", names)
		}
		if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
			if out := run(t, dir, filepath.Join(dir, "kubectl-frontline"), "--version"); !strings.Contains(out, version) {
				t.Errorf("kubectl-frontline --version: %q, want %s", out, version)
			}
		}
	})

	t.Run("krew manifest", func(t *testing.T) {
		var m struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
			Spec struct {
				Version          string `json:"version"`
				ShortDescription string `json:"shortDescription"`
				Platforms        []struct {
					Selector struct {
						MatchLabels map[string]string `json:"matchLabels"`
					} `json:"selector"`
					URI    string `json:"uri"`
					Sha256 string `json:"sha256"`
					Bin    string `json:"bin"`
				} `json:"platforms"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(readFile(t, filepath.Join(a, "frontline.yaml")), &m); err != nil {
			t.Fatal(err)
		}
		if m.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || m.Kind != "Plugin" || m.Metadata.Name != "frontline" ||
			m.Spec.Version != "v"+chartVersion || m.Spec.ShortDescription == "" || len(m.Spec.Platforms) != 1 {
			t.Fatalf("manifest %+v", m)
		}
		p := m.Spec.Platforms[0]
		if p.Selector.MatchLabels["os"] != "linux" || p.Selector.MatchLabels["arch"] != "amd64" || p.Bin != "kubectl-frontline" ||
			p.URI != "https://github.com/frontline-dev/frontline/releases/download/"+version+"/"+archive || p.Sha256 != listed[archive] {
			t.Errorf("platform %+v, archive sha256 %s", p, listed[archive])
		}
	})

	t.Run("chart", func(t *testing.T) {
		chart := filepath.Join(a, "frontline-"+chartVersion+".tgz")
		out := run(t, root, filepath.Join(root, helmBin), "show", "chart", chart)
		if !strings.Contains(out, "appVersion: "+version+"\n") || !strings.Contains(out, "version: "+chartVersion+"\n") {
			t.Errorf("packaged Chart.yaml:\n%s", out)
		}
		images := renderImages(t, root, chart)
		if fmt.Sprint(images) != fmt.Sprint([]string{manager, ingest}) {
			t.Errorf("the released chart's default images %v, the release's [%s %s]", images, manager, ingest)
		}
	})

	t.Run("install.yaml", func(t *testing.T) {
		images := deploymentImages(t, readFile(t, filepath.Join(a, "install.yaml")))
		if fmt.Sprint(images) != fmt.Sprint([]string{manager}) {
			t.Errorf("install.yaml runs %v, the release publishes %s", images, manager)
		}
	})

	// Another registry: the chart and install.yaml follow it.
	t.Run("registry", func(t *testing.T) {
		c := filepath.Join(t.TempDir(), "c")
		vars := []string{"REGISTRY=registry.example.com:5000", "IMAGE_NAME=support/frontline", "INGEST_IMAGE_NAME=support/ingest"}
		run(t, root, "make", append([]string{"-s", "--no-print-directory", "release", "DIST=" + c, "VERSION=" + version,
			"PLATFORMS=", "IMAGE_ARCHES="}, vars...)...)
		m := strings.TrimSpace(run(t, root, "make", append([]string{"-s", "--no-print-directory", "print-image", "VERSION=" + version}, vars...)...))
		i := strings.TrimSpace(run(t, root, "make", append([]string{"-s", "--no-print-directory", "print-ingest-image", "VERSION=" + version}, vars...)...))
		if m != "registry.example.com:5000/support/frontline:"+version || i != "registry.example.com:5000/support/ingest:"+version {
			t.Fatalf("print-image %s, print-ingest-image %s", m, i)
		}
		if images := renderImages(t, root, filepath.Join(c, "frontline-"+chartVersion+".tgz")); fmt.Sprint(images) != fmt.Sprint([]string{m, i}) {
			t.Errorf("chart images %v, want [%s %s]", images, m, i)
		}
		if images := deploymentImages(t, readFile(t, filepath.Join(c, "install.yaml"))); fmt.Sprint(images) != fmt.Sprint([]string{m}) {
			t.Errorf("install.yaml runs %v, want %s", images, m)
		}
	})
}

// renderImages: the manager's and the ingest's image in the chart
// rendered with defaults (and the least the ingest needs).
func renderImages(t *testing.T, root, chart string) []string {
	t.Helper()
	out := run(t, root, filepath.Join(root, helmBin), "template", "frontline", chart, "--set", "ingest.enabled=true,ingest.existingSecret=s",
		"--set", "ingest.config.sources[0].name=s,ingest.config.sources[0].vendor=generic",
		"--set", "ingest.config.rules[0].target.namespace=n,ingest.config.rules[0].target.queue=q")
	return deploymentImages(t, []byte(out))
}

func deploymentImages(t *testing.T, manifests []byte) []string {
	t.Helper()
	var images []string
	for _, doc := range strings.Split(string(manifests), "\n---") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		if u.GetKind() != "Deployment" {
			continue
		}
		d := &appsv1.Deployment{}
		raw, _ := yaml.Marshal(u.Object)
		if err := yaml.Unmarshal(raw, d); err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			images = append(images, c.Image)
		}
	}
	return images
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
