package cli

import (
	"bytes"
	"errors"
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

func TestDocumentError(t *testing.T) {
	for _, tc := range []struct {
		src       string
		validated int
		err       string
		want      string
	}{
		{stdinName, 2, "error parsing standard input: error converting YAML to JSON: yaml: line 4: did not find expected ',' or ']'",
			"standard input, document 3: error converting YAML to JSON: yaml: line 4: did not find expected ',' or ']'"},
		{stdinName, 3, `unable to decode "standard input": Object 'Kind' is missing in '{}'`,
			"standard input, document 3: Object 'Kind' is missing in '{}'"},
		{"dir/b.yaml", 0, "error parsing dir/b.yaml: yaml: mapping values are not allowed in this context",
			"dir/b.yaml, document 1: yaml: mapping values are not allowed in this context"},
		{"dir/b.yaml", 0, "open dir/b.yaml: permission denied", "open dir/b.yaml: permission denied"},
		{"dir/b.yaml", 1, `unable to decode "other.yaml": x`, `unable to decode "other.yaml": x`},
	} {
		if got := documentError(tc.src, tc.validated, errors.New(tc.err)).Error(); got != tc.want {
			t.Errorf("documentError(%q, %d, %q) = %q, want %q", tc.src, tc.validated, tc.err, got, tc.want)
		}
	}
}

// sampleDocs are the sample retail policy and queue, two documents ahead
// of the one a test breaks.
func sampleDocs(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, f := range []string{"support_v1alpha1_slapolicy_retail.yaml", "support_v1alpha1_supportqueue_retail_chat.yaml"} {
		raw, err := os.ReadFile(filepath.Join(samples, f))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(raw)
	}
	return b.String()
}

// A stream whose third document is bad fails naming "document 3" of its
// source, however it is bad: not YAML, no kind, a Frontline kind of
// another group, a field the CRD does not have. The same in a file names
// the file; in a List, the item.
func TestFilesNameTheThirdDocument(t *testing.T) {
	plan, err := os.ReadFile(filepath.Join(samples, "support_v1alpha1_surgeplan_btc_crash.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	head := sampleDocs(t)
	for _, tc := range []struct {
		name, third, want string
	}{
		{"not YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [faq\n", "document 3: error converting YAML to JSON: yaml: line 4"},
		{"no kind", "apiVersion: v1\nmetadata:\n  name: faq\n", "document 3: Object 'Kind' is missing"},
		{"another group", strings.Replace(string(plan), "support.frontline.dev/v1alpha1", "totally.other/v9", 1),
			`document 3: SurgePlan "btc-crash": apiVersion "totally.other/v9": this plugin reads support.frontline.dev/v1alpha1`},
		{"unknown field", strings.Replace(string(plan), "  mode: Auto\n", "  mode: Auto\n  moed: Always\n", 1),
			`document 3: SurgePlan "btc-crash": `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stream := head + "---\n" + tc.third
			args := []string{"plan", "--queue", "retail-chat", "--inflow-per-hour", "100"}
			code, _, errOut := runWithStdin(stream, append(args, "-f", "-")...)
			if code != exitFailed || !strings.Contains(errOut, "error: standard input, "+tc.want) {
				t.Errorf("-f -: exit %d, %q, want 1 and %q", code, errOut, "standard input, "+tc.want)
			}
			file := filepath.Join(t.TempDir(), "desk.yaml")
			if err := os.WriteFile(file, []byte(stream), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, errOut = run(append(args, "-f", file)...)
			if code != exitFailed || !strings.Contains(errOut, "error: "+file+", "+tc.want) {
				t.Errorf("-f %s: exit %d, %q, want 1 and %q", file, code, errOut, file+", "+tc.want)
			}
		})
	}
	t.Run("unknown field names the field", func(t *testing.T) {
		bad := strings.Replace(string(plan), "  mode: Auto\n", "  mode: Auto\n  moed: Always\n", 1)
		_, _, errOut := runWithStdin(head+"---\n"+bad, "plan", "--queue", "retail-chat", "--inflow-per-hour", "100", "-f", "-")
		if !strings.Contains(errOut, "moed") {
			t.Errorf("%q does not name the field", errOut)
		}
	})
	t.Run("List item", func(t *testing.T) {
		list := "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: faq}\n" +
			"- apiVersion: totally.other/v9\n  kind: SurgePlan\n  metadata: {name: btc-crash}\n"
		code, _, errOut := runWithStdin(head+"---\n"+list, "plan", "--queue", "retail-chat", "--inflow-per-hour", "100", "-f", "-")
		if want := `standard input, document 3, item 2: SurgePlan "btc-crash": apiVersion "totally.other/v9"`; code != exitFailed || !strings.Contains(errOut, want) {
			t.Errorf("exit %d, %q, want %q", code, errOut, want)
		}
	})
	t.Run("every bad source", func(t *testing.T) {
		dir := t.TempDir()
		for name, body := range map[string]string{"a.yaml": head, "b.yaml": head + "---\nkind: [\n", "c.yaml": "apiVersion: v1\nmetadata: {}\n"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		code, _, errOut := run("plan", "--queue", "retail-chat", "--inflow-per-hour", "100", "-f", dir)
		for _, want := range []string{filepath.Join(dir, "b.yaml") + ", document 3: ", filepath.Join(dir, "c.yaml") + ", document 1: Object 'Kind' is missing"} {
			if code != exitFailed || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, %q, want %q", code, errOut, want)
			}
		}
	})
	t.Run("a missing path is a usage error", func(t *testing.T) {
		code, _, errOut := run("plan", "--queue", "retail-chat", "--inflow-per-hour", "100", "-f", "/nonexistent/queue.yaml")
		if code != exitUsage || !strings.Contains(errOut, `the path "/nonexistent/queue.yaml" does not exist`) {
			t.Errorf("exit %d, %q", code, errOut)
		}
	})
}
