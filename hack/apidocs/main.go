// Command apidocs writes docs/api.md, the API reference, from the generated
// CRDs (which come from the Go types' doc comments and markers), so the
// reference cannot drift from the API. Run by `make manifests`.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: apidocs CRD_DIR OUT.md")
		os.Exit(2)
	}
	files, err := filepath.Glob(filepath.Join(os.Args[1], "*.yaml"))
	if err != nil {
		fail(err)
	}
	sort.Strings(files)
	var b strings.Builder
	b.WriteString("# API reference: support.frontline.dev/v1alpha1\n\n")
	b.WriteString("Generated from the CRDs by `make manifests` (hack/apidocs); do not edit by hand.\n")
	b.WriteString("`kubectl explain` shows the same text.\n")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			fail(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(raw, &crd); err != nil {
			fail(fmt.Errorf("%s: %w", f, err))
		}
		v := crd.Spec.Versions[0]
		fmt.Fprintf(&b, "\n## %s\n\n", crd.Spec.Names.Kind)
		fmt.Fprintf(&b, "Short name `%s`, categories `%s`, namespaced.\n\n", strings.Join(crd.Spec.Names.ShortNames, "`, `"), strings.Join(crd.Spec.Names.Categories, "`, `"))
		if d := v.Schema.OpenAPIV3Schema.Description; d != "" {
			b.WriteString(oneLine(d) + "\n\n")
		}
		for _, part := range []string{"spec", "status"} {
			s, ok := v.Schema.OpenAPIV3Schema.Properties[part]
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "### %s\n\n| field | type | description |\n|---|---|---|\n", part)
			walk(&b, part, s)
			b.WriteString("\n")
		}
	}
	if err := os.WriteFile(os.Args[2], []byte(b.String()), 0o644); err != nil {
		fail(err)
	}
}

func walk(b *strings.Builder, path string, s apiextensionsv1.JSONSchemaProps) {
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	for _, n := range names {
		p := s.Properties[n]
		full := path + "." + n
		typ := p.Type
		if typ == "array" && p.Items != nil && p.Items.Schema != nil {
			typ = "[]" + p.Items.Schema.Type
		}
		var notes []string
		if req[n] {
			notes = append(notes, "**required**")
		}
		if p.Default != nil {
			notes = append(notes, "default `"+strings.TrimSpace(string(p.Default.Raw))+"`")
		}
		if len(p.Enum) > 0 {
			var vals []string
			for _, e := range p.Enum {
				vals = append(vals, strings.Trim(string(e.Raw), `"`))
			}
			notes = append(notes, "one of `"+strings.Join(vals, "`, `")+"`")
		}
		if p.Minimum != nil {
			notes = append(notes, fmt.Sprintf("min %v", *p.Minimum))
		}
		if p.Maximum != nil {
			notes = append(notes, fmt.Sprintf("max %v", *p.Maximum))
		}
		for _, r := range p.XValidations {
			notes = append(notes, "rule: "+r.Message)
		}
		desc := oneLine(p.Description)
		if len(notes) > 0 {
			desc += " (" + strings.Join(notes, "; ") + ")"
		}
		if strings.HasPrefix(full, "spec.agents.template.") || strings.HasPrefix(full, "spec.chatbot.template.") {
			// The pod template's nested Kubernetes types are documented upstream.
			if strings.Count(full, ".") > 3 {
				continue
			}
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", full, typ, strings.ReplaceAll(desc, "|", "\\|"))
		child := p
		if p.Type == "array" && p.Items != nil && p.Items.Schema != nil {
			child = *p.Items.Schema
		}
		if len(child.Properties) > 0 && !strings.HasSuffix(full, "conditions") {
			walk(b, full, child)
		}
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
