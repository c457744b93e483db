// Command kustomize renders a kustomization as `kubectl kustomize` does,
// from the sigs.k8s.io/kustomize/api module pinned in go.mod, so a release
// needs no kubectl. --image overrides an image as a kustomization's
// images: field would, in an overlay over DIR.
//
//	go run ./hack/kustomize --image ghcr.io/frontline-dev/frontline=ghcr.io/frontline-dev/frontline:v0.2.0 config/default >install.yaml
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

type images []string

func (i *images) String() string     { return strings.Join(*i, ",") }
func (i *images) Set(v string) error { *i = append(*i, v); return nil }

func main() {
	var set images
	flag.Var(&set, "image", "name=newName[:newTag] (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: kustomize [--image name=ref]... DIR")
		os.Exit(2)
	}
	out, err := render(flag.Arg(0), set)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kustomize:", err)
		os.Exit(1)
	}
	_, _ = os.Stdout.Write(out)
}

func render(dir string, set []string) ([]byte, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	root := abs
	if len(set) > 0 {
		// An overlay in a temporary directory: resources: [DIR], images: ...
		k := types.Kustomization{TypeMeta: types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind}}
		for _, s := range set {
			name, ref, ok := strings.Cut(s, "=")
			if !ok || name == "" || ref == "" {
				return nil, fmt.Errorf("--image %q: want name=newName[:newTag]", s)
			}
			img := types.Image{Name: name, NewName: ref}
			// A tag follows the last colon after the last slash (a
			// registry may carry a port).
			if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
				img.NewName, img.NewTag = ref[:i], ref[i+1:]
			}
			k.Images = append(k.Images, img)
		}
		root, err = os.MkdirTemp("", "kustomize-overlay-")
		if err != nil {
			return nil, err
		}
		defer func() { _ = os.RemoveAll(root) }()
		// kustomize takes a base outside the overlay by relative path only.
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return nil, err
		}
		k.Resources = []string{filepath.ToSlash(rel)}
		raw, err := yaml.Marshal(k)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(root, "kustomization.yaml"), raw, 0o644); err != nil {
			return nil, err
		}
	}
	// Namespaces and CRDs first, as `kubectl kustomize` orders them.
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionLegacy
	m, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), root)
	if err != nil {
		return nil, err
	}
	return m.AsYaml()
}
