package admission

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/frontline-dev/frontline/test/testenv"
)

var yamlBlock = regexp.MustCompile("(?s)```ya?ml\n(.*?)```")

// TestDocSnippetsAccepted extracts every YAML block from README.md and
// docs/*.md and creates each complete object in it (apiVersion and kind
// set) on a real apiserver with dry-run, read as kubectl reads YAML: what
// users copy from the docs must apply. Fragments (a field to add to a
// bigger object) are skipped; kinds whose CRDs are not installed here
// (Flux, Argo CD, Prometheus Operator) are skipped and named.
func TestDocSnippetsAccepted(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, filepath.Join(root, "README.md"))
	ns := newNamespace(t)
	frontline := 0
	for _, doc := range docs {
		raw, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range yamlBlock.FindAllSubmatch(raw, -1) {
			dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(m[1]), 4096)
			for {
				obj := &unstructured.Unstructured{}
				if err := dec.Decode(&obj.Object); err != nil {
					if errors.Is(err, io.EOF) {
						break
					}
					t.Errorf("%s, YAML block %d: %v", filepath.Base(doc), i+1, err)
					break
				}
				if obj.GetAPIVersion() == "" || obj.GetKind() == "" {
					continue // a fragment
				}
				obj.SetNamespace(ns)
				err := env.Client.Create(context.Background(), obj, client.DryRunAll)
				switch {
				case meta.IsNoMatchError(err):
					t.Logf("%s, YAML block %d: %s not served here (its CRD is not installed), skipped", filepath.Base(doc), i+1, obj.GetKind())
				case err != nil:
					t.Errorf("%s, YAML block %d: %s %s rejected: %v", filepath.Base(doc), i+1, obj.GetKind(), obj.GetName(), err)
				case obj.GroupVersionKind().Group == "support.frontline.dev":
					frontline++
				}
			}
		}
	}
	if frontline < 2 {
		t.Errorf("only %d Frontline objects found in the docs' YAML blocks; the extraction is broken", frontline)
	}
}
