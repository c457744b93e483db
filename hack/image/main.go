// Command image writes the manager's container image without Docker: the
// static manager binary as the only layer on an empty base (no shell, no
// package manager), user 65532, entrypoint /manager, OCI labels. Timestamps
// are fixed, so the same binary gives the same image digest. The output is
// a tarball `docker load`, `podman load`, `crane push` and kind/k3d
// importers read.
//
//	go run ./hack/image --binary bin/image/manager --tag frontline:dev --out bin/frontline-image.tar
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/frontline-dev/frontline/hack/image/build"
)

func main() {
	var o build.Options
	var out string
	flag.StringVar(&o.Binary, "binary", "", "Static manager binary (CGO_ENABLED=0).")
	flag.StringVar(&o.Tag, "tag", "frontline:dev", "Image reference written into the tarball.")
	flag.StringVar(&o.Version, "version", "dev", "org.opencontainers.image.version label.")
	flag.StringVar(&o.Revision, "revision", "", "org.opencontainers.image.revision label (the git commit).")
	flag.StringVar(&o.Arch, "arch", "amd64", "Image architecture (the binary's GOARCH).")
	flag.StringVar(&out, "out", "bin/frontline-image.tar", "Tarball to write.")
	flag.Parse()
	if o.Binary == "" {
		fmt.Fprintln(os.Stderr, "image: --binary is required")
		os.Exit(2)
	}
	digest, err := build.WriteTarball(o, out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
	fmt.Printf("%s %s (%s)\n", out, o.Tag, digest)
}
