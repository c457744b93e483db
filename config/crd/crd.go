// Package crd embeds the generated CustomResourceDefinitions, so tools that
// read resources from files (the simulator) default them exactly as the
// apiserver does, from the same schemas.
package crd

import "embed"

// Bases holds bases/*.yaml, as controller-gen writes them.
//
//go:embed bases/*.yaml
var Bases embed.FS
