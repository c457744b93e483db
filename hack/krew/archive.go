package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"sort"
	"time"
)

// Plugin is the plugin's binary name; on Windows with .exe.
const Plugin = "kubectl-frontline"

// PluginArchiveName is kubectl-frontline_<version>_<os>_<arch>.tar.gz, or
// .zip for Windows.
func PluginArchiveName(version, goos, goarch string) string {
	ext := ".tar.gz"
	if goos == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("%s_%s_%s_%s%s", Plugin, version, goos, goarch, ext)
}

// PluginBinary is the binary's name inside the archive.
func PluginBinary(goos string) string {
	if goos == "windows" {
		return Plugin + ".exe"
	}
	return Plugin
}

type entry struct {
	name string
	mode int64
	data []byte
}

// WritePluginArchive writes the plugin and LICENSE: a zip for Windows, a
// tar.gz otherwise, reproducibly.
func WritePluginArchive(w io.Writer, goos string, bin, license []byte, epoch int64) error {
	entries := []entry{{PluginBinary(goos), 0o755, bin}, {"LICENSE", 0o644, license}}
	if goos == "windows" {
		return writeZip(w, entries, epoch)
	}
	return writeTarGz(w, entries, epoch)
}

func mtime(epoch int64) time.Time { return time.Unix(epoch, 0).UTC() }

// writeTarGz: entries in name order, owner root (numeric, no names), one
// mtime, USTAR headers (no PAX times); gzip with no name and no mtime.
func writeTarGz(w io.Writer, entries []entry, epoch int64) error {
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), ModTime: mtime(epoch),
			Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(e.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func writeZip(w io.Writer, entries []entry, epoch int64) error {
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	zw := zip.NewWriter(w)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: mtime(epoch)}
		h.SetMode(os.FileMode(e.mode))
		f, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := f.Write(e.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// Repack rewrites a tar.gz with every timestamp the epoch, no user or
// group names, and a gzip header without name or mtime; entry order, names,
// modes and contents are kept (Helm reads the chart as before). The gzip
// extra field (Helm marks its archives there) is kept.
func Repack(in io.Reader, out io.Writer, epoch int64) error {
	zr, err := gzip.NewReader(in)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(out, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.Extra = zr.Extra
	tr := tar.NewReader(zr)
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeDir {
			return fmt.Errorf("%s: unexpected entry type %q", h.Name, h.Typeflag)
		}
		nh := &tar.Header{Name: h.Name, Mode: h.Mode, Size: h.Size, ModTime: mtime(epoch), Typeflag: h.Typeflag}
		if err := tw.WriteHeader(nh); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// RepackFile repacks path in place.
func RepackFile(path string, epoch int64) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := Repack(bytes.NewReader(raw), &out, epoch); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}
