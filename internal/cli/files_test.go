package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func runWithStdin(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// samplesStream is config/samples as `cat config/samples/*.yaml` gives it
// (the FAQ ConfigMap and the kustomization included).
func samplesStream(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(samples, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(raw)
	}
	return b.String()
}

// -f reads what kubectl reads: a stream of documents, a List (as
// `kubectl get -o yaml` prints), a kustomization (-k), nested directories
// (-R); each way sizes the same queue.
func TestFilesReadAsKubectlReads(t *testing.T) {
	want := func(t *testing.T, code int, out, errOut string) {
		t.Helper()
		if code != 0 || !strings.Contains(out, "retail-chat") {
			t.Errorf("exit %d, stderr %q, stdout %q", code, errOut, out)
		}
	}
	plan := []string{"plan", "--queue", "retail-chat", "--inflow-per-hour", "1200", "-o", "json"}
	stream := samplesStream(t)
	t.Run("stream", func(t *testing.T) {
		code, out, errOut := runWithStdin(stream, append(plan, "-f", "-")...)
		want(t, code, out, errOut)
	})
	t.Run("List", func(t *testing.T) {
		var items []any
		for _, doc := range strings.Split(stream, "---\n") {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				t.Fatal(err)
			}
			if obj != nil {
				items = append(items, obj)
			}
		}
		list, err := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runWithStdin(string(list), append(plan, "-f", "-")...)
		want(t, code, out, errOut)
	})
	t.Run("kustomize", func(t *testing.T) {
		code, out, errOut := run(append(plan, "-k", samples)...)
		want(t, code, out, errOut)
	})
	t.Run("recursive", func(t *testing.T) {
		dir := t.TempDir()
		nested := filepath.Join(dir, "desk", "retail")
		if err := os.MkdirAll(nested, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(nested, "all.yaml"), []byte(stream), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := run(append(plan, "-f", dir)...); code == 0 {
			t.Error("without -R a nested directory was read")
		}
		code, out, errOut := run(append(plan, "-f", dir, "-R")...)
		want(t, code, out, errOut)
	})
}

// A Frontline kind under another apiVersion is refused, naming the file
// and the object; a document that does not decode names its object too.
func TestFilesNameTheBadDocument(t *testing.T) {
	stream := samplesStream(t)
	other := strings.Replace(stream, "apiVersion: support.frontline.dev/v1alpha1\nkind: SupportQueue\nmetadata:\n  name: retail-chat",
		"apiVersion: totally.other/v9\nkind: SupportQueue\nmetadata:\n  name: retail-chat", 1)
	if other == stream {
		t.Fatal("the sample queue's header was not found")
	}
	code, _, errOut := runWithStdin(other, "plan", "--queue", "retail-chat", "--inflow-per-hour", "100", "-f", "-")
	if code == 0 || !strings.Contains(errOut, `SupportQueue "retail-chat"`) || !strings.Contains(errOut, "totally.other/v9") {
		t.Errorf("exit %d, %q", code, errOut)
	}
	bad := strings.Replace(stream, "maxReplicas: 60", "maxReplicas: 60\n    maxReplicaz: 3", 1)
	code, _, errOut = runWithStdin(bad, "plan", "--queue", "retail-chat", "--inflow-per-hour", "100", "-f", "-")
	if code == 0 || !strings.Contains(errOut, `SupportQueue "retail-chat"`) || !strings.Contains(errOut, "maxReplicaz") {
		t.Errorf("unknown field: exit %d, %q", code, errOut)
	}
}
