// Package build assembles the manager image from a binary (see
// hack/image).
package build

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// User is the image's numeric user and group: non-root, as restricted
// Pod Security requires.
const User = "65532:65532"

// Entrypoint is where the manager lives in the image.
const Entrypoint = "/manager"

// Options describe one image.
type Options struct {
	Binary, Tag, Version, Revision, Arch string
}

// epoch is every timestamp in the image: reproducible builds.
var epoch = time.Unix(0, 0).UTC()

// Image builds the image in memory.
func Image(o Options) (v1.Image, error) {
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: Entrypoint[1:], Mode: 0o555, Size: int64(len(bin)), ModTime: epoch,
		Typeflag: tar.TypeReg, Uid: 0, Gid: 0, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	layerBytes := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerBytes)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
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
	cf.Config.Entrypoint = []string{Entrypoint}
	cf.Config.WorkingDir = "/"
	cf.Config.Labels = map[string]string{
		"org.opencontainers.image.title":    "frontline",
		"org.opencontainers.image.source":   "https://github.com/frontline-dev/frontline",
		"org.opencontainers.image.licenses": "Apache-2.0",
		"org.opencontainers.image.version":  o.Version,
		"org.opencontainers.image.revision": o.Revision,
		"org.opencontainers.image.created":  epoch.Format(time.RFC3339),
	}
	for i := range cf.History {
		cf.History[i].Created = v1.Time{Time: epoch}
	}
	return mutate.ConfigFile(img, cf)
}

// WriteTarball writes the image to path and returns its digest.
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
