// Package crds checks properties every CRD must have, read from the
// generated manifests users apply.
package crds

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// yaml11Booleans are the words YAML 1.1 readers (kubectl's among them)
// turn into true/false: an enum value among them cannot be typed bare.
var yaml11Booleans = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true}

// conditionStatus is metav1.Condition's status (True, False, Unknown): a
// Kubernetes-wide convention that only controllers write, as JSON; no user
// types it. It is the one exemption.
const conditionStatus = ".status.conditions[].status"

// TestNoEnumValueIsAYAMLBoolean walks every schema of every CRD and fails
// on an enum value that YAML 1.1 reads as a boolean, in any case.
func TestNoEnumValueIsAYAMLBoolean(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs found (%v)", err)
	}
	enums := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(raw, &crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, v := range crd.Spec.Versions {
			if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				continue
			}
			walk(v.Schema.OpenAPIV3Schema, crd.Spec.Names.Kind+"."+v.Name, func(path string, value string) {
				enums++
				if yaml11Booleans[strings.ToLower(value)] && !strings.HasSuffix(path, conditionStatus) {
					t.Errorf("%s: enum value %q at %s is a YAML 1.1 boolean word", filepath.Base(f), value, path)
				}
			})
		}
	}
	if enums == 0 {
		t.Fatal("no enum values found: the walk is broken")
	}
	t.Logf("%d enum values checked in %d CRDs", enums, len(files))
}

func walk(s *apiextensionsv1.JSONSchemaProps, path string, visit func(path, value string)) {
	for _, e := range s.Enum {
		var v any
		if err := yaml.Unmarshal(e.Raw, &v); err == nil {
			if str, ok := v.(string); ok {
				visit(path, str)
			}
		}
	}
	for name, p := range s.Properties {
		walk(&p, path+"."+name, visit)
	}
	if s.Items != nil && s.Items.Schema != nil {
		walk(s.Items.Schema, path+"[]", visit)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		walk(s.AdditionalProperties.Schema, path+"{}", visit)
	}
}
