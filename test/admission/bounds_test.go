package admission

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/internal/scheme"
	"github.com/frontline-dev/frontline/test/testenv"
)

// durationPattern is the pattern every duration field carries.
const durationPattern = `^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`

var durationMax = regexp.MustCompile(`duration\(self\) <= duration\('([^']+)'\)`)

// boundedField is one spec field the operator decodes, with its largest
// admitted value and the smallest refused one.
type boundedField struct {
	path           []string // "[]" steps into an array's first item
	largest, above any
}

func (f boundedField) String() string { return strings.Join(f.path, ".") }

// spec fields whose Go types cannot overflow on decode are not walked: the
// workload template is core Kubernetes types, validated as the apiserver
// validates pods.
var notWalked = map[string]bool{"template": true}

// boundedFields walks a CRD's spec schema, generated from the Go types, so
// a field added later cannot escape: every duration needs an upper bound in
// CEL and every 32-bit integer a maximum, or the walk fails.
func boundedFields(t *testing.T, s apiextensionsv1.JSONSchemaProps, path []string) []boundedField {
	t.Helper()
	var out []boundedField
	switch s.Type {
	case "object":
		for name, p := range s.Properties {
			if notWalked[name] {
				continue
			}
			out = append(out, boundedFields(t, p, append(append([]string{}, path...), name))...)
		}
	case "array":
		if s.Items != nil && s.Items.Schema != nil {
			out = append(out, boundedFields(t, *s.Items.Schema, append(append([]string{}, path...), "[]"))...)
		}
	case "string":
		if s.Pattern != durationPattern {
			return nil
		}
		for _, v := range s.XValidations {
			if m := durationMax.FindStringSubmatch(v.Rule); m != nil {
				return []boundedField{{path: path, largest: m[1], above: m[1] + "1s"}}
			}
		}
		t.Errorf("%s: a duration without an upper bound (add duration(self) <= duration('…') to its CEL rule)", strings.Join(path, "."))
	case "integer":
		if s.Format != "int32" {
			return nil // int64: the apiserver refuses what does not fit
		}
		if s.Maximum == nil {
			t.Errorf("%s: a 32-bit integer without a maximum", strings.Join(path, "."))
			return nil
		}
		return []boundedField{{path: path, largest: int64(*s.Maximum), above: int64(*s.Maximum) + 1}}
	}
	return out
}

// setAt puts v at path in obj; the fixture must already hold the path's
// parents (and a first item for each array).
func setAt(obj map[string]any, path []string, v any) error {
	cur := any(obj)
	for i, step := range path {
		last := i == len(path)-1
		switch node := cur.(type) {
		case map[string]any:
			if last {
				node[step] = v
				return nil
			}
			next, ok := node[step]
			if !ok {
				return fmt.Errorf("the fixture has no %s", strings.Join(path[:i+1], "."))
			}
			cur = next
		case []any:
			if step != "[]" || len(node) == 0 {
				return fmt.Errorf("the fixture has no item at %s", strings.Join(path[:i+1], "."))
			}
			if last {
				node[0] = v
				return nil
			}
			cur = node[0]
		default:
			return fmt.Errorf("%s is not an object", strings.Join(path[:i], "."))
		}
	}
	return nil
}

func fixture(t *testing.T, kind string) *unstructured.Unstructured {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "full-"+strings.ToLower(kind)+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(raw, &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestEveryDecodedFieldIsBoundedAtAdmission: for every duration and 32-bit
// integer in every kind's spec, the apiserver admits its maximum and
// refuses the next value up, and the operator's decoder reads the maximum
// back (no overflow, no decode error).
func TestEveryDecodedFieldIsBoundedAtAdmission(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) != 3 {
		t.Fatalf("CRDs: %v %v", files, err)
	}
	ns := newNamespace(t)
	decoder := serializer.NewCodecFactory(scheme.New()).UniversalDeserializer()
	walked := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(raw, &crd); err != nil {
			t.Fatal(err)
		}
		kind := crd.Spec.Names.Kind
		spec := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
		for _, field := range boundedFields(t, spec, []string{"spec"}) {
			walked++
			t.Run(kind+"/"+field.String(), func(t *testing.T) {
				for _, tc := range []struct {
					value any
					admit bool
				}{{field.largest, true}, {field.above, false}} {
					obj := fixture(t, kind)
					obj.SetNamespace(ns)
					if err := setAt(obj.Object, field.path, tc.value); err != nil {
						t.Fatalf("%v: add it to testdata/full-%s.yaml", err, strings.ToLower(kind))
					}
					err := env.Client.Create(context.Background(), obj, client.DryRunAll)
					switch {
					case tc.admit && err != nil:
						t.Fatalf("its maximum %v was refused: %v", tc.value, err)
					case !tc.admit && err == nil:
						t.Fatalf("%v, above its maximum, was admitted", tc.value)
					case !tc.admit && !apierrors.IsInvalid(err):
						t.Fatalf("%v refused, but not as invalid: %v", tc.value, err)
					}
					if !tc.admit {
						continue
					}
					body, err := json.Marshal(obj.Object)
					if err != nil {
						t.Fatal(err)
					}
					typed, _, err := decoder.Decode(body, nil, nil)
					if err != nil {
						t.Fatalf("the operator cannot decode the maximum: %v", err)
					}
					if d, ok := typed.(interface{ DecodeError() error }); !ok || d.DecodeError() != nil {
						t.Fatalf("the operator cannot decode the maximum: %v", d.DecodeError())
					}
					if s, ok := tc.value.(string); ok {
						if _, err := time.ParseDuration(s); err != nil {
							t.Fatalf("maximum %s does not fit a Go duration: %v", s, err)
						}
					}
				}
			})
		}
	}
	if walked < 20 {
		t.Fatalf("walked %d fields; the walk is not reaching the schema", walked)
	}
	t.Logf("walked %d bounded fields", walked)
}
