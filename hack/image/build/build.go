// Package build assembles Frontline's container images from a static
// binary (see hack/image): the manager and frontline-ingest.
package build

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// User is the image's numeric user and group: non-root, as restricted
// Pod Security requires.
const User = "65532:65532"

// Entrypoint is where the manager lives in the image (the default of
// Options.Entrypoint).
const Entrypoint = "/manager"

// CABundlePath is where the CA bundle lives in the image: the first file
// Go's crypto/x509 (and OpenSSL on Debian-like systems) reads on Linux.
const CABundlePath = "/etc/ssl/certs/ca-certificates.crt"

// Options describe one image.
type Options struct {
	Binary, Tag, Version, Revision, Arch string
	// Entrypoint is the binary's absolute path in the image; /manager
	// when empty.
	Entrypoint string
	// Title is the org.opencontainers.image.title label; "frontline"
	// when empty.
	Title string
	// Description is the org.opencontainers.image.description label.
	Description string
	// NoCABundle leaves the CA bundle (CABundlePath) out.
	NoCABundle bool
}

// epoch is every timestamp in the image: reproducible builds.
var epoch = time.Unix(0, 0).UTC()

// CABundle is the Mozilla (NSS) root store as PEM, from the pinned
// golang.org/x/crypto/x509roots/fallback module: the same bytes for a
// given go.sum on every machine, unlike the build host's own bundle.
// Roots NSS trusts only with a constraint a PEM file cannot carry (a
// distrust-after date) are left out rather than trusted without it.
func CABundle() []byte {
	var b bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate})
	}
	return b.Bytes()
}

type file struct {
	mode int64
	data []byte // nil: a directory
}

// layer is a tar of files, with their parent directories, in name order,
// owned by root, every timestamp the epoch.
func layer(files map[string]file) ([]byte, error) {
	all := map[string]file{}
	for p, f := range files {
		all[p] = f
		for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
			all[d] = file{mode: 0o755}
		}
	}
	names := make([]string, 0, len(all))
	for p := range all {
		names = append(names, p)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, p := range names {
		f := all[p]
		h := &tar.Header{Name: p, Mode: f.mode, Size: int64(len(f.data)), ModTime: epoch, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if f.data == nil {
			h.Name, h.Typeflag = p+"/", tar.TypeDir
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Image builds the image in memory: one layer holding the binary (and the
// CA bundle), no shell, nothing else.
func Image(o Options) (v1.Image, error) {
	entrypoint := o.Entrypoint
	if entrypoint == "" {
		entrypoint = Entrypoint
	}
	if !strings.HasPrefix(entrypoint, "/") || path.Clean(entrypoint) != entrypoint {
		return nil, fmt.Errorf("entrypoint %q: want a clean absolute path", entrypoint)
	}
	title := o.Title
	if title == "" {
		title = "frontline"
	}
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return nil, err
	}
	files := map[string]file{entrypoint[1:]: {mode: 0o555, data: bin}}
	if !o.NoCABundle {
		files[CABundlePath[1:]] = file{mode: 0o444, data: CABundle()}
	}
	layerBytes, err := layer(files)
	if err != nil {
		return nil, err
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerBytes)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), l)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = o.Arch, "linux"
	cf.Created = v1.Time{Time: epoch}
	cf.Config.User = User
	cf.Config.Entrypoint = []string{entrypoint}
	cf.Config.WorkingDir = "/"
	cf.Config.Labels = map[string]string{
		"org.opencontainers.image.title":    title,
		"org.opencontainers.image.source":   "https://github.com/frontline-dev/frontline",
		"org.opencontainers.image.licenses": "Apache-2.0",
		"org.opencontainers.image.version":  o.Version,
		"org.opencontainers.image.revision": o.Revision,
		"org.opencontainers.image.created":  epoch.Format(time.RFC3339),
	}
	if o.Description != "" {
		cf.Config.Labels["org.opencontainers.image.description"] = o.Description
	}
	for i := range cf.History {
		cf.History[i].Created = v1.Time{Time: epoch}
	}
	return mutate.ConfigFile(img, cf)
}

// WriteTarball writes the image to path and returns its digest. The
// tarball's bytes, not only the digest, are the same for the same inputs.
func WriteTarball(o Options, path string) (string, error) {
	img, err := Image(o)
	if err != nil {
		return "", err
	}
	ref, err := name.ParseReference(o.Tag)
	if err != nil {
		return "", fmt.Errorf("--tag: %w", err)
	}
	if err := tarball.WriteToFile(path, ref, img); err != nil {
		return "", err
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	return d.String(), nil
}
