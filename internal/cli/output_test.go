package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// kubectlRefusal is kubectl's message for an -o it has no printer for.
const kubectlRefusal = `unable to match a printer suitable for the output format "xml", allowed formats are: `

// objectFormats are the -o values top and surge status print through
// printers, what each prints for the golden queue and plans, and whether
// the output is exactly that (else it contains each line).
var objectFormats = []struct {
	name, format string
	noHeaders    bool
	top          string // for top's List of the queue and both plans
	plans        string // for surge status -A (a SurgePlanList)
}{
	{"name", "name", false,
		"supportqueue.support.frontline.dev/retail-chat\nsurgeplan.support.frontline.dev/btc-crash\nsurgeplan.support.frontline.dev/listing-day\n",
		"surgeplan.support.frontline.dev/btc-crash\nsurgeplan.support.frontline.dev/listing-day\n"},
	{"jsonpath", "jsonpath={range .items[*]}{.kind}/{.metadata.name} {end}", false,
		"SupportQueue/retail-chat SurgePlan/btc-crash SurgePlan/listing-day ",
		"SurgePlan/btc-crash SurgePlan/listing-day "},
	{"jsonpath-as-json", "jsonpath-as-json={.items[*].metadata.namespace}", false,
		"[\n    \"exchange\",\n    \"exchange\",\n    \"exchange-jp\"\n]\n",
		"[\n    \"exchange\",\n    \"exchange-jp\"\n]\n"},
	{"go-template", `go-template={{range .items}}{{.kind}} {{.metadata.name}}{{"\n"}}{{end}}`, false,
		"SupportQueue retail-chat\nSurgePlan btc-crash\nSurgePlan listing-day\n",
		"SurgePlan btc-crash\nSurgePlan listing-day\n"},
	{"custom-columns", "custom-columns=KIND:.kind,NAME:.metadata.name,PHASE:.status.phase", false,
		"KIND           NAME          PHASE\nSupportQueue   retail-chat   <none>\nSurgePlan      btc-crash     Active\nSurgePlan      listing-day   Disabled\n",
		"KIND        NAME          PHASE\nSurgePlan   btc-crash     Active\nSurgePlan   listing-day   Disabled\n"},
	{"custom-columns --no-headers", "custom-columns=NAME:{.metadata.name}", true,
		"retail-chat\nbtc-crash\nlisting-day\n",
		"btc-crash\nlisting-day\n"},
}

func goldenQueues() []supportv1alpha1.SupportQueue {
	return []supportv1alpha1.SupportQueue{{ObjectMeta: metav1.ObjectMeta{Namespace: "exchange", Name: "retail-chat"},
		Spec: supportv1alpha1.SupportQueueSpec{Channel: "chat"}}}
}

// TestObjectOutputFormats: every -o kubectl get users reach for, through
// cli-runtime's printers (custom columns as kubectl aligns them), for top
// and surge status alike; json and yaml print the objects with their kind.
func TestObjectOutputFormats(t *testing.T) {
	for _, tc := range objectFormats {
		t.Run(tc.name, func(t *testing.T) {
			pf := newObjectPrintFlags()
			pf.print.OutputFormat, pf.noHeaders = &tc.format, tc.noHeaders
			var top, plans bytes.Buffer
			if err := printTopObjects(&top, pf, goldenQueues(), goldenPlans()); err != nil {
				t.Fatal(err)
			}
			if top.String() != tc.top {
				t.Errorf("top -o %s:\n%q\nwant\n%q", tc.format, top.String(), tc.top)
			}
			if err := printPlans(&plans, pf, goldenPlans(), false, true, goldenNow); err != nil {
				t.Fatal(err)
			}
			if plans.String() != tc.plans {
				t.Errorf("surge status -o %s:\n%q\nwant\n%q", tc.format, plans.String(), tc.plans)
			}
		})
	}
	for _, format := range []string{"json", "yaml"} {
		pf := newObjectPrintFlags()
		pf.print.OutputFormat = &format
		var out bytes.Buffer
		if err := printTopObjects(&out, pf, goldenQueues(), goldenPlans()); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"List", "SupportQueue", "SurgePlan", "support.frontline.dev/v1alpha1", "retail-chat", "listing-day"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("top -o %s lacks %q", format, want)
			}
		}
	}
}

// custom-columns-file: a line of headers over a line of paths, as kubectl.
func TestCustomColumnsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cols.txt")
	if err := os.WriteFile(file, []byte("NAME        REASON\n.metadata.name   {.status.reason}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pf := newObjectPrintFlags()
	format := "custom-columns-file=" + file
	pf.print.OutputFormat = &format
	var out bytes.Buffer
	if err := printPlans(&out, pf, goldenPlans(), false, false, goldenNow); err != nil {
		t.Fatal(err)
	}
	if want := "NAME          REASON\nbtc-crash     ManualOn\nlisting-day   ModeNever\n"; out.String() != want {
		t.Errorf("%q, want %q", out.String(), want)
	}
}

// A bad -o is refused before the cluster is asked: an unknown format in
// kubectl's words, naming every format (wide and custom-columns among
// them); a bad template or column spec by its parser. Both exit 2.
func TestObjectOutputRefused(t *testing.T) {
	for _, tc := range []struct {
		format, want string
	}{
		{"xml", kubectlRefusal + "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,wide,yaml"},
		{"custom-columns=NAME", "expected <header>:<json-path-expr>"},
		{"custom-columns=", "no custom columns given"},
		{"custom-columns=A:{.a}}", "unexpected path string"},
		{"custom-columns-file=/nonexistent/cols", "error reading template /nonexistent/cols"},
		{"jsonpath={.items", "--output"},
		{"go-template={{.items", "--output"},
	} {
		for _, cmd := range [][]string{{"top"}, {"top", "--watch"}, {"surge", "status"}} {
			args := append(append([]string{}, cmd...), "-o", tc.format, "--kubeconfig", "/nonexistent/kubeconfig")
			code, _, errOut := run(args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("%v: exit %d %q, want exit 2 and %q", args, code, errOut, tc.want)
			}
		}
	}
	if code, _, errOut := run("top", "--watch", "-o", "json", "--kubeconfig", "/nonexistent/kubeconfig"); code != exitUsage || !strings.Contains(errOut, "only wide goes with --watch") {
		t.Errorf("top --watch -o json: exit %d %q", code, errOut)
	}
}

// TestDataOutputFormats: plan's and simulate's -o. Their results are not
// API objects: json and yaml print the data, jsonpath and go-template run
// over its JSON keys through cli-runtime's printers, custom-columns prints
// a row per plan or per queue and policy; wide and name are refused in
// kubectl's words, listing what applies.
func TestDataOutputFormats(t *testing.T) {
	plan := []string{"plan", "--inflow-per-hour", "200", "--aht", "3m"}
	sim := []string{"simulate", "-f", samples, "--queue", "retail-chat", "--scenario", "calm"}
	cols := filepath.Join(t.TempDir(), "cols.txt")
	if err := os.WriteFile(cols, []byte("AGENTS MODEL\nagents model\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		// check gets stdout.
		check func(string) error
	}{
		{"plan table", plan, contains("Agents working:", "Service level:")},
		{"plan json", append(plan, "-o", "json"), jsonWith("agents", "serviceLevel")},
		{"plan yaml", append(plan, "-o", "yaml"), contains("agents: 14\n", "model: erlang-c\n")},
		{"plan jsonpath", append(plan, "-o", "jsonpath={.agents}/{.scheduledAgents}"), equals("14/20")},
		{"plan jsonpath-as-json", append(plan, "-o", "jsonpath-as-json={.model}"), equals("[\n    \"erlang-c\"\n]\n")},
		{"plan go-template", append(plan, "-o", "go-template={{.agents}} agents, {{.model}}"), equals("14 agents, erlang-c")},
		{"plan custom-columns", append(plan, "-o", "custom-columns=AGENTS:.agents,SCHEDULED:.scheduledAgents,MODEL:.model"),
			equals("AGENTS   SCHEDULED   MODEL\n14       20          erlang-c\n")},
		{"plan custom-columns --no-headers", append(plan, "-o", "custom-columns=AGENTS:.agents", "--no-headers"), equals("14\n")},
		{"plan custom-columns-file", append(plan, "-o", "custom-columns-file="+cols), equals("AGENTS   MODEL\n14       erlang-c\n")},
		{"simulate table", sim, contains("POLICY", "cheapest-foresight")},
		{"simulate json", append(sim, "-o", "json"), jsonWith("results", "queue")},
		{"simulate yaml", append(sim, "-o", "yaml"), contains("results:\n", "policy: keda-hpa\n")},
		{"simulate jsonpath", append(sim, "-o", "jsonpath={.results[*].policy}"),
			equals("frontline keda-hpa cheapest-foresight perfect-foresight static-minimum")},
		{"simulate go-template", append(sim, "-o", `go-template={{range .results}}{{.policy}}{{"\n"}}{{end}}`),
			equals("frontline\nkeda-hpa\ncheapest-foresight\nperfect-foresight\nstatic-minimum\n")},
		{"simulate custom-columns", append(sim, "-o", "custom-columns=QUEUE:.queue,POLICY:.policy,SURGES:.surgeActivations"),
			equals("QUEUE         POLICY               SURGES\nretail-chat   frontline            0\nretail-chat   keda-hpa             0\n" +
				"retail-chat   cheapest-foresight   0\nretail-chat   perfect-foresight    0\nretail-chat   static-minimum       0\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if err := tc.check(out); err != nil {
				t.Error(err)
			}
		})
	}
	allowed := kubectlRefusal + "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,table,template,templatefile,yaml"
	for _, cmd := range [][]string{plan, sim} {
		for _, format := range []string{"wide", "name", "xml"} {
			args := append(append([]string{}, cmd...), "-o", format)
			code, out, errOut := run(args...)
			want := strings.Replace(allowed, `"xml"`, `"`+format+`"`, 1)
			if code != exitUsage || strings.TrimSpace(errOut) != "error: "+want || out != "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, code, out, errOut, want)
			}
		}
	}
	for _, args := range [][]string{{"plan", "--help"}, {"simulate", "--help"}} {
		_, out, _ := run(args...)
		for _, want := range []string{"jsonpath=TEMPLATE", "go-template=TEMPLATE", "custom-columns=NAME:.key", "wide and name do not apply", "--no-headers"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v lacks %q", args, want)
			}
		}
	}
}

func contains(want ...string) func(string) error {
	return func(out string) error {
		for _, w := range want {
			if !strings.Contains(out, w) {
				return errors.New("output lacks " + w + ":\n" + out)
			}
		}
		return nil
	}
}

func equals(want string) func(string) error {
	return func(out string) error {
		if out != want {
			return errors.New("output " + strconvQuote(out) + ", want " + strconvQuote(want))
		}
		return nil
	}
}

func jsonWith(keys ...string) func(string) error {
	return func(out string) error {
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			return err
		}
		for _, k := range keys {
			if _, ok := got[k]; !ok {
				return errors.New("no key " + k)
			}
		}
		return nil
	}
}

func strconvQuote(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

// --template alone means go-template, as in kubectl.
func TestTemplateFlagAlone(t *testing.T) {
	pf := newObjectPrintFlags()
	tmpl := "{{range .items}}{{.metadata.name}} {{end}}"
	*pf.print.TemplatePrinterFlags.TemplateArgument = tmpl // as --template sets it
	if pf.isTable() {
		t.Fatal("--template alone printed the table")
	}
	var out bytes.Buffer
	if err := printPlans(&out, pf, goldenPlans(), false, false, goldenNow); err != nil {
		t.Fatal(err)
	}
	if out.String() != "btc-crash listing-day " {
		t.Errorf("%q", out.String())
	}
}

// --no-headers drops the header lines of the tables too, as in kubectl.
func TestNoHeadersTables(t *testing.T) {
	for _, format := range []string{"", "wide"} {
		pf := newObjectPrintFlags()
		pf.print.OutputFormat, pf.noHeaders = &format, true
		var out bytes.Buffer
		if err := printPlans(&out, pf, goldenPlans(), false, false, goldenNow); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "btc-crash") {
			t.Errorf("surge status -o %q --no-headers:\n%s", format, out.String())
		}
	}
	seen := &extremes{maxAgents: map[string]int32{}, maxBots: map[string]int32{}, maxInflow: map[string]int64{}, minSL: map[string]string{}}
	var out bytes.Buffer
	if err := renderTop(&out, goldenQueues(), goldenPlans(), goldenNow, seen, topStyle{noHeaders: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "QUEUE") || strings.Contains(out.String(), "PLAN") || !strings.Contains(out.String(), "retail-chat") {
		t.Errorf("top --no-headers:\n%s", out.String())
	}
}
