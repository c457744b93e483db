package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportFileHasItsMarkers: docs/simulate-report.md holds each block's
// markers once, so `make simulate-report` can fill them; filling a block
// with what it holds changes nothing, and the hand-written text around the
// markers is kept.
func TestReportFileHasItsMarkers(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", reportFile))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	blocks := map[string]string{}
	for _, name := range []string{"simulate-example", "simulate-report", "simulate-before-after"} {
		begin, end := "<!-- "+name+" -->", "<!-- /"+name+" -->"
		i, j := strings.Index(text, begin), strings.Index(text, end)
		if i < 0 || j < i {
			t.Fatalf("%s: markers %s … %s missing or out of order", reportFile, begin, end)
		}
		blocks[name] = text[i+len(begin) : j]
	}
	same, err := fill(text, blocks)
	if err != nil {
		t.Fatal(err)
	}
	if same != text {
		t.Error("filling each block with its own content changed the file")
	}
	filled, err := fill(text, map[string]string{"simulate-report": "\nnew\n"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(filled, "<!-- simulate-report -->\nnew\n<!-- /simulate-report -->") || !strings.HasPrefix(filled, "# `simulate` report\n") {
		t.Error("fill did not replace only the block")
	}
	if _, err := fill("no markers", map[string]string{"simulate-report": "x"}); err == nil {
		t.Error("fill accepted a file without markers")
	}
}
