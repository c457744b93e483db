package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// archiveName matches PluginArchiveName's output.
var archiveName = regexp.MustCompile(`^` + Plugin + `_.+_([a-z0-9]+)_([a-z0-9]+)\.(tar\.gz|zip)$`)

// krewVersion is what krew accepts: v and a semantic version.
var krewVersion = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

type plugin struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   metadata `json:"metadata"`
	Spec       spec     `json:"spec"`
}

type metadata struct {
	Name string `json:"name"`
}

type spec struct {
	Version          string     `json:"version"`
	Homepage         string     `json:"homepage"`
	ShortDescription string     `json:"shortDescription"`
	Description      string     `json:"description"`
	Platforms        []platform `json:"platforms"`
}

type platform struct {
	Selector selector `json:"selector"`
	URI      string   `json:"uri"`
	Sha256   string   `json:"sha256"`
	Bin      string   `json:"bin"`
	Files    []file   `json:"files"`
}

type selector struct {
	MatchLabels map[string]string `json:"matchLabels"`
}

type file struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Manifest is the krew Plugin manifest for the archives (paths), in the
// order given: each platform's os/arch from the archive name, its URI
// baseURL/name and its sha256.
func Manifest(version, baseURL string, archives []string) ([]byte, error) {
	if !krewVersion.MatchString(version) {
		return nil, fmt.Errorf("version %q: krew wants v and a semantic version", version)
	}
	p := plugin{
		APIVersion: "krew.googlecontainertools.github.com/v1alpha2",
		Kind:       "Plugin",
		Metadata:   metadata{Name: "frontline"},
		Spec: spec{
			Version:          version,
			Homepage:         "https://github.com/frontline-dev/frontline",
			ShortDescription: "Plan and operate Frontline support queues",
			Description: "Sizes a support queue from traffic and an SLA (plan), replays a market\n" +
				"crash against a queue (simulate), shows queues and surge plans live\n" +
				"(top) and drives SurgePlans by hand (surge on/off/auto/status).\n",
		},
	}
	for _, path := range archives {
		name := filepath.Base(path)
		m := archiveName.FindStringSubmatch(name)
		if m == nil {
			return nil, fmt.Errorf("%s: not a plugin archive name", name)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(raw)
		bin := PluginBinary(m[1])
		p.Spec.Platforms = append(p.Spec.Platforms, platform{
			Selector: selector{MatchLabels: map[string]string{"os": m[1], "arch": m[2]}},
			URI:      strings.TrimSuffix(baseURL, "/") + "/" + name,
			Sha256:   hex.EncodeToString(sum[:]),
			Bin:      bin,
			Files:    []file{{From: bin, To: "."}, {From: "LICENSE", To: "."}},
		})
	}
	return yaml.Marshal(p)
}
