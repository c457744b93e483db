// Command image writes Frontline's container images without Docker: a
// static binary (the manager, or frontline-ingest with --entrypoint
// /frontline-ingest) on an empty base, with the Mozilla CA bundle from a
// pinned Go module at /etc/ssl/certs/ca-certificates.crt so HTTPS works
// (no shell, no package manager), user 65532, OCI labels. Timestamps are
// fixed, so the same binary gives the same image digest and the same
// tarball bytes. The output is a tarball `docker load`, `podman load`,
// `crane push` and kind/k3d importers read.
//
//	go run ./hack/image --binary bin/image/manager --tag frontline:dev --out bin/frontline-image.tar
//	go run ./hack/image --binary bin/image/frontline-ingest --entrypoint /frontline-ingest \
//	  --title frontline-ingest --tag frontline-ingest:dev --out bin/frontline-ingest-image.tar
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
	flag.StringVar(&o.Binary, "binary", "", "Static binary (CGO_ENABLED=0).")
	flag.StringVar(&o.Entrypoint, "entrypoint", build.Entrypoint, "Path of the binary in the image, and the entrypoint.")
	flag.StringVar(&o.Title, "title", "frontline", "org.opencontainers.image.title label.")
	flag.StringVar(&o.Description, "description", "", "org.opencontainers.image.description label.")
	flag.StringVar(&o.Tag, "tag", "frontline:dev", "Image reference written into the tarball.")
	flag.StringVar(&o.Version, "version", "dev", "org.opencontainers.image.version label.")
	flag.StringVar(&o.Revision, "revision", "", "org.opencontainers.image.revision label (the git commit).")
	flag.StringVar(&o.Arch, "arch", "amd64", "Image architecture (the binary's GOARCH).")
	flag.BoolVar(&o.NoCABundle, "no-ca-bundle", false, "Leave out the CA bundle.")
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
