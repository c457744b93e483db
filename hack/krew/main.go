// Command krew packages the kubectl plugin for a release, reproducibly:
// the same binaries and SOURCE_DATE_EPOCH give the same bytes.
//
//	krew archives --version V --epoch E --license LICENSE --out dist linux/amd64=bin/kubectl-frontline ...
//	    kubectl-frontline_<V>_<os>_<arch>.tar.gz (windows: .zip) holding the
//	    plugin and LICENSE: entries in name order, owner 0, mtime E, gzip
//	    without name or mtime.
//	krew manifest --version vX.Y.Z --base-url URL --out dist/frontline.yaml ARCHIVE...
//	    the krew Plugin manifest: one platform per archive, its URL and sha256.
//	krew repack --epoch E FILE.tgz
//	    rewrites a tar.gz (the chart `helm package` writes) with every
//	    timestamp E and a gzip header without name or mtime, entries and
//	    contents unchanged.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "archives":
		err = archivesCmd(os.Args[2:])
	case "manifest":
		err = manifestCmd(os.Args[2:])
	case "repack":
		err = repackCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "krew:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: krew archives|manifest|repack ... (see go doc ./hack/krew)")
	os.Exit(2)
}

func archivesCmd(args []string) error {
	fs := flag.NewFlagSet("archives", flag.ExitOnError)
	version := fs.String("version", "", "release version, in the archive names")
	epoch := fs.Int64("epoch", 0, "SOURCE_DATE_EPOCH: every file's mtime")
	license := fs.String("license", "LICENSE", "license file put next to the plugin")
	out := fs.String("out", "dist", "directory to write the archives to")
	_ = fs.Parse(args)
	if *version == "" || fs.NArg() == 0 {
		return fmt.Errorf("archives: --version and at least one os/arch=binary are required")
	}
	lic, err := os.ReadFile(*license)
	if err != nil {
		return err
	}
	for _, arg := range fs.Args() {
		platform, bin, ok := strings.Cut(arg, "=")
		goos, goarch, ok2 := strings.Cut(platform, "/")
		if !ok || !ok2 {
			return fmt.Errorf("archives: %q: want os/arch=binary", arg)
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		name := PluginArchiveName(*version, goos, goarch)
		f, err := os.Create(filepath.Join(*out, name))
		if err != nil {
			return err
		}
		if err := WritePluginArchive(f, goos, data, lic, *epoch); err != nil {
			_ = f.Close()
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Println(filepath.Join(*out, name))
	}
	return nil
}

func manifestCmd(args []string) error {
	fs := flag.NewFlagSet("manifest", flag.ExitOnError)
	version := fs.String("version", "", "krew version: v and a semantic version")
	baseURL := fs.String("base-url", "", "where the archives are published: URL = base-url/archive name")
	out := fs.String("out", "dist/frontline.yaml", "manifest to write")
	_ = fs.Parse(args)
	if *version == "" || *baseURL == "" || fs.NArg() == 0 {
		return fmt.Errorf("manifest: --version, --base-url and archives are required")
	}
	m, err := Manifest(*version, *baseURL, fs.Args())
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, m, 0o644); err != nil {
		return err
	}
	fmt.Println(*out)
	return nil
}

func repackCmd(args []string) error {
	fs := flag.NewFlagSet("repack", flag.ExitOnError)
	epoch := fs.Int64("epoch", 0, "SOURCE_DATE_EPOCH: every entry's mtime")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		return fmt.Errorf("repack: one .tgz file")
	}
	return RepackFile(fs.Arg(0), *epoch)
}
