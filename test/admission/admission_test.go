package admission

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/test/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	var err error
	env, err = testenv.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping envtest:", err)
	}
	os.Exit(code)
}

func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "admission-"}}
	if err := env.Client.Create(context.Background(), ns); err != nil {
		t.Fatalf("creating namespace: %v", err)
	}
	return ns.Name
}

// TestSamplesAccepted applies every manifest in config/samples to a real
// apiserver: the samples are the first thing users copy.
func TestSamplesAccepted(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "config", "samples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ns := newNamespace(t)
	applied := 0
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(raw, &obj.Object); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		obj.SetNamespace(ns)
		if err := env.Client.Create(context.Background(), obj); err != nil {
			t.Errorf("%s rejected: %v", filepath.Base(f), err)
			continue
		}
		applied++
	}
	if applied < 7 {
		t.Fatalf("applied %d samples, want at least 7 (3 queues, 2 policies, 1 plan, 1 FAQ)", applied)
	}
}

// TestDefaultsApplied checks that a minimal queue gets the documented
// defaults from the apiserver, nested structs included.
func TestDefaultsApplied(t *testing.T) {
	ns := newNamespace(t)
	obj := parse(t, baseQueue)
	obj.SetNamespace(ns)
	if err := env.Client.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{
		"spec.priority":                              "standard",
		"spec.agents.minReplicas":                    "1",
		"spec.agents.concurrency":                    "1",
		"spec.agents.averageHandleTime":              "4m",
		"spec.metrics.pollInterval":                  "5s",
		"spec.metrics.onError":                       "Hold",
		"spec.metrics.fallbackAfter":                 "4",
		"spec.scaling.inflow.falseAlarmEvery":        "24h",
		"spec.scaling.inflow.horizon":                "1h",
		"spec.scaling.inflow.coverage":               "1m",
		"spec.scaling.scaleDown.stabilizationWindow": "30s",
		"spec.scaling.scaleDown.maxStepPercent":      "25",
	}
	for path, want := range got {
		v, found, err := unstructured.NestedFieldNoCopy(obj.Object, strings.Split(path, ".")...)
		if err != nil || !found {
			t.Errorf("%s: not defaulted (err %v)", path, err)
			continue
		}
		if s := fmt.Sprint(v); s != want {
			t.Errorf("%s = %s, want %s", path, s, want)
		}
	}
}

const baseQueue = `
apiVersion: support.frontline.dev/v1alpha1
kind: SupportQueue
metadata: {name: q}
spec:
  channel: chat
  languages: [en, ko]
  slaPolicyRef: {name: retail}
  agents:
    template: {image: agent:1}
    maxReplicas: 10
`

const baseQueueWithBot = `
apiVersion: support.frontline.dev/v1alpha1
kind: SupportQueue
metadata: {name: q}
spec:
  channel: chat
  slaPolicyRef: {name: retail}
  agents:
    template: {image: agent:1}
    maxReplicas: 10
  chatbot:
    template: {image: bot:1}
    maxReplicas: 20
    containment: "0.6"
`

const basePolicy = `
apiVersion: support.frontline.dev/v1alpha1
kind: SLAPolicy
metadata: {name: p}
spec:
  targets:
  - channel: chat
    serviceLevel: {percent: 80, within: 20s}
  - channel: email
    firstResponse: 4h
`

const basePlan = `
apiVersion: support.frontline.dev/v1alpha1
kind: SurgePlan
metadata: {name: s}
spec:
  queueSelector: {matchLabels: {desk: retail}}
  triggers:
    inflowSpike: {ratio: "3", window: 5m, baseline: 1h}
  actions:
    chatbots: {factor: "3", maxReplicas: 200}
    pinnedFAQs:
    - {id: btc-delay, question: "Why is my withdrawal delayed?", answer: "Network congestion."}
`

// TestInvalidRejected feeds the apiserver manifests with one mistake each and
// checks that admission rejects them with a message naming the field.
func TestInvalidRejected(t *testing.T) {
	type edit func(obj map[string]any)
	cases := []struct {
		name string
		base string
		edit edit
		want []string // substrings of the error, the field path first
	}{
		// SupportQueue
		{"queue: unknown channel", baseQueue, set("spec.channel", "fax"), []string{"spec.channel", "Unsupported value"}},
		{"queue: missing slaPolicyRef", baseQueue, del("spec.slaPolicyRef"), []string{"spec.slaPolicyRef", "Required"}},
		{"queue: missing agents", baseQueue, del("spec.agents"), []string{"spec.agents", "Required"}},
		{"queue: agents min above max", baseQueue, set("spec.agents.minReplicas", 11), []string{"spec.agents", "agents.minReplicas must be less than or equal to agents.maxReplicas"}},
		{"queue: agents maxReplicas zero", baseQueue, set("spec.agents.maxReplicas", 0), []string{"spec.agents.maxReplicas", "greater than or equal to 1"}},
		{"queue: negative minReplicas", baseQueue, set("spec.agents.minReplicas", -1), []string{"spec.agents.minReplicas", "greater than or equal to 0"}},
		{"queue: zero concurrency", baseQueue, set("spec.agents.concurrency", 0), []string{"spec.agents.concurrency", "greater than or equal to 1"}},
		{"queue: zero handle time", baseQueue, set("spec.agents.averageHandleTime", "0s"), []string{"spec.agents.averageHandleTime", "between 1s and 24h"}},
		{"queue: handle time not a duration", baseQueue, set("spec.agents.averageHandleTime", "four minutes"), []string{"spec.agents.averageHandleTime", "should match"}},
		{"queue: missing image", baseQueue, del("spec.agents.template.image"), []string{"spec.agents.template.image", "Required"}},
		{"queue: bad language tag", baseQueue, set("spec.languages", []any{"English!"}), []string{"spec.languages[0]", "should match"}},
		{"queue: duplicate language", baseQueue, set("spec.languages", []any{"en", "en"}), []string{"spec.languages[1]", "Duplicate value"}},
		{"queue: language with a trailing hyphen", baseQueue, set("spec.languages", []any{"en", "zh-Hant-"}), []string{"spec.languages[1]", "should match"}},
		{"queue: language with an underscore", baseQueue, set("spec.languages", []any{"zh_TW"}), []string{"spec.languages[0]", "should match"}},
		{"queue: singleton without a subtag", baseQueue, set("spec.languages", []any{"en-x"}), []string{"spec.languages[0]", "should match"}},
		{"queue: language too long", baseQueue, set("spec.languages", []any{"en-" + strings.Repeat("abcdefgh-", 7) + "x"}), []string{"spec.languages[0]", "Too long"}},
		{"queue: containment of 1", baseQueueWithBot, set("spec.chatbot.containment", "1"), []string{"spec.chatbot.containment", "fraction from 0 up to but excluding 1"}},
		{"queue: containment not a number", baseQueueWithBot, set("spec.chatbot.containment", "sixty"), []string{"spec.chatbot.containment", "should match"}},
		{"queue: chatbot min above max", baseQueueWithBot, set("spec.chatbot.minReplicas", 30), []string{"spec.chatbot", "chatbot.minReplicas must be less than or equal to chatbot.maxReplicas"}},
		{"queue: zero conversations per bot", baseQueueWithBot, set("spec.chatbot.conversationsPerReplica", 0), []string{"spec.chatbot.conversationsPerReplica", "greater than or equal to 1"}},
		{"queue: prometheus address not http", baseQueue, set("spec.metrics.prometheus.address", "ftp://prom:9090"), []string{"spec.metrics.prometheus.address", "should match"}},
		{"queue: prometheus source and address", baseQueue, set("spec.metrics.prometheus", map[string]any{"source": "mimir", "address": "http://mimir:8080"}), []string{"spec.metrics.prometheus", "exactly one of source or address"}},
		{"queue: prometheus with neither", baseQueue, set("spec.metrics.prometheus", map[string]any{}), []string{"spec.metrics.prometheus", "exactly one of source or address"}},
		{"queue: source not a DNS label", baseQueue, set("spec.metrics.prometheus.source", "Mimir_EU"), []string{"spec.metrics.prometheus.source", "should match"}},
		{"queue: poll interval too short", baseQueue, set("spec.metrics.pollInterval", "1s"), []string{"spec.metrics.pollInterval", "between 5s and 10m"}},
		{"queue: unknown onError", baseQueue, set("spec.metrics.onError", "Ignore"), []string{"spec.metrics.onError", "Unsupported value"}},
		{"queue: Fallback without replicas", baseQueue, set("spec.metrics.onError", "Fallback"), []string{"spec.metrics", "fallbackReplicas is required when metrics.onError is Fallback"}},
		{"queue: scale-down step over 100%", baseQueue, set("spec.scaling.scaleDown.maxStepPercent", 101), []string{"spec.scaling.scaleDown.maxStepPercent", "less than or equal to 100"}},
		{"queue: false-alarm budget too short", baseQueue, set("spec.scaling.inflow.falseAlarmEvery", "10m"), []string{"spec.scaling.inflow.falseAlarmEvery", "between 1h and 876000h"}},
		{"queue: inflow horizon too long", baseQueue, set("spec.scaling.inflow.horizon", "3h"), []string{"spec.scaling.inflow.horizon", "between 1m and 2h"}},
		{"queue: coverage of zero", baseQueue, set("spec.scaling.inflow.coverage", "0s"), []string{"spec.scaling.inflow.coverage", "between 10s and 1h"}},
		{"queue: bad category", baseQueue, set("spec.category", "Deposits & Withdrawals"), []string{"spec.category", "should match"}},
		// SLAPolicy
		{"policy: no targets", basePolicy, set("spec.targets", []any{}), []string{"spec.targets", "at least 1 items"}},
		{"policy: 100 percent", basePolicy, set("spec.targets.0.serviceLevel.percent", 100), []string{"spec.targets[0].serviceLevel.percent", "less than or equal to 99"}},
		{"policy: zero within", basePolicy, set("spec.targets.0.serviceLevel.within", "0s"), []string{"spec.targets[0].serviceLevel.within", "between 1s and 24h"}},
		{"policy: chat without serviceLevel", basePolicy, del("spec.targets.0.serviceLevel"), []string{"spec.targets[0]", "serviceLevel is required for chat and phone targets"}},
		{"policy: email without firstResponse", basePolicy, del("spec.targets.1.firstResponse"), []string{"spec.targets[1]", "firstResponse is required for email and social targets"}},
		{"policy: duplicate channel", basePolicy, set("spec.targets.1", map[string]any{"channel": "chat", "serviceLevel": map[string]any{"percent": 70, "within": "30s"}}), []string{"spec.targets[1]", "Duplicate value"}},
		{"policy: occupancy above 1", basePolicy, set("spec.maxOccupancy", "1.2"), []string{"spec.maxOccupancy", "greater than 0 and at most 1"}},
		{"policy: occupancy zero", basePolicy, set("spec.maxOccupancy", "0"), []string{"spec.maxOccupancy", "greater than 0 and at most 1"}},
		{"policy: shrinkage of 1", basePolicy, set("spec.shrinkage", "1"), []string{"spec.shrinkage", "up to but excluding 1"}},
		{"policy: negative shrinkage", basePolicy, set("spec.shrinkage", "-0.1"), []string{"spec.shrinkage", "should match"}},
		{"policy: headroom of 1", basePolicy, set("spec.headroom", "1"), []string{"spec.headroom", "up to but excluding 1"}},
		{"policy: target headroom of 1", basePolicy, set("spec.targets.0.headroom", "1"), []string{"spec.targets[0].headroom", "up to but excluding 1"}},
		{"policy: backlog target headroom of 1", basePolicy, set("spec.targets.1.headroom", "1.0"), []string{"spec.targets[1].headroom", "up to but excluding 1"}},
		{"policy: target headroom not a number", basePolicy, set("spec.targets.0.headroom", "most"), []string{"spec.targets[0].headroom", "should match"}},
		{"policy: firstResponse longer than resolution", basePolicy, set("spec.targets.1.resolution", "1h"), []string{"spec.targets[1]", "firstResponse must not be longer than resolution"}},
		// SurgePlan
		{"plan: unknown mode", basePlan, set("spec.mode", "Maybe"), []string{"spec.mode", "Unsupported value"}},
		{"plan: activeUntil in Auto", basePlan, set("spec.activeUntil", "2026-11-23T18:00:00Z"), []string{"spec", "activeUntil may only be set when mode is Always"}},
		{"plan: Auto without triggers", basePlan, del("spec.triggers"), []string{"spec", "triggers or schedule are required when mode is Auto"}},
		{"plan: event both once and repeating", basePlan, set("spec.schedule", []any{event(map[string]any{"at": "2026-12-10T12:00:00Z", "repeat": map[string]any{"days": []any{"Monday"}, "time": "12:00"}})}), []string{"spec.schedule[0]", "exactly one of at (once) or repeat"}},
		{"plan: event neither once nor repeating", basePlan, set("spec.schedule", []any{event(nil)}), []string{"spec.schedule[0]", "exactly one of at (once) or repeat"}},
		{"plan: event at without offset", basePlan, set("spec.schedule", []any{event(map[string]any{"at": "2026-12-10T12:00:00"})}), []string{"spec.schedule[0].at"}},
		{"plan: event day not spelled out", basePlan, set("spec.schedule", []any{event(map[string]any{"repeat": map[string]any{"days": []any{"Mon"}, "time": "12:00"}})}), []string{"spec.schedule[0].repeat.days[0]", "Unsupported value"}},
		{"plan: event time not HH:MM", basePlan, set("spec.schedule", []any{event(map[string]any{"repeat": map[string]any{"days": []any{"Monday"}, "time": "25:00"}})}), []string{"spec.schedule[0].repeat.time", "should match"}},
		{"plan: excluded dates on a one-off event", basePlan, set("spec.schedule", []any{event(map[string]any{"at": "2026-12-10T12:00:00Z", "excludeDates": []any{"2026-12-25"}})}), []string{"spec.schedule[0]", "excludeDates only apply to a repeating event"}},
		{"plan: event expects nothing", basePlan, set("spec.schedule", []any{event(map[string]any{"at": "2026-12-10T12:00:00Z", "expect": map[string]any{}})}), []string{"spec.schedule[0].expect", "expect must set factor, inflowPerHour or queues"}},
		{"plan: event factor and rate", basePlan, set("spec.schedule", []any{event(map[string]any{"at": "2026-12-10T12:00:00Z", "expect": map[string]any{"factor": "6", "inflowPerHour": 3000}})}), []string{"spec.schedule[0].expect", "factor or inflowPerHour, not both"}},
		{"plan: event factor below 1", basePlan, set("spec.schedule", []any{event(map[string]any{"at": "2026-12-10T12:00:00Z", "expect": map[string]any{"factor": "0.5"}})}), []string{"spec.schedule[0].expect.factor", "between 1 and 100"}},
		{"plan: event longer than a week", basePlan, set("spec.schedule", []any{event(map[string]any{"at": "2026-12-10T12:00:00Z", "duration": "200h"})}), []string{"spec.schedule[0].duration", "between 1m and 168h"}},
		{"plan: empty triggers", basePlan, del("spec.triggers.inflowSpike"), []string{"spec.triggers", "at least one of inflowSpike, backlog or external"}},
		{"plan: spike ratio of 1", basePlan, set("spec.triggers.inflowSpike.ratio", "1"), []string{"spec.triggers.inflowSpike.ratio", "greater than 1"}},
		{"plan: exitRatio above ratio", basePlan, set("spec.triggers.inflowSpike.exitRatio", "4"), []string{"spec.triggers.inflowSpike", "exitRatio must be lower than inflowSpike.ratio"}},
		{"plan: spike budget too short", basePlan, set("spec.triggers.inflowSpike.falseAlarmEvery", "30m"), []string{"spec.triggers.inflowSpike.falseAlarmEvery", "between 1h and 876000h"}},
		{"plan: window not shorter than baseline", basePlan, set("spec.triggers.inflowSpike.window", "2h"), []string{"spec.triggers.inflowSpike", "window must be shorter than inflowSpike.baseline"}},
		{"plan: backlog exit above entry", basePlan, set("spec.triggers.backlog", map[string]any{"above": 100, "exitBelow": 150}), []string{"spec.triggers.backlog", "exitBelow must be lower than backlog.above"}},
		{"plan: external without query", basePlan, set("spec.triggers.external", []any{map[string]any{"name": "btc", "above": "0.05"}}), []string{"spec.triggers.external[0].query", "Required"}},
		{"plan: duplicate external names", basePlan, set("spec.triggers.external", []any{map[string]any{"name": "btc", "query": "up", "above": "1"}, map[string]any{"name": "btc", "query": "up", "above": "2"}}), []string{"spec.triggers.external[1]", "Duplicate value"}},
		{"plan: duplicate FAQ ids", basePlan, set("spec.actions.pinnedFAQs", []any{map[string]any{"id": "a", "question": "q", "answer": "x"}, map[string]any{"id": "a", "question": "q2", "answer": "y"}}), []string{"spec.actions.pinnedFAQs[1]", "Duplicate value"}},
		{"plan: FAQ without answer", basePlan, del("spec.actions.pinnedFAQs.0.answer"), []string{"spec.actions.pinnedFAQs[0].answer", "Required"}},
		{"plan: FAQ language malformed", basePlan, set("spec.actions.pinnedFAQs.0.language", "en_US"), []string{"spec.actions.pinnedFAQs[0].language", "should match"}},
		{"plan: translation language malformed", basePlan, set("spec.actions.pinnedFAQs.0.translations", []any{faqTranslation("zh-Hant-TW-")}), []string{"spec.actions.pinnedFAQs[0].translations[0].language", "should match"}},
		{"plan: translation without answer", basePlan, set("spec.actions.pinnedFAQs.0.translations", []any{map[string]any{"language": "ko", "question": "q"}}), []string{"spec.actions.pinnedFAQs[0].translations[0].answer", "Required"}},
		{"plan: translation in the FAQ's own language", basePlan, set("spec.actions.pinnedFAQs.0.translations", []any{faqTranslation("EN")}), []string{"spec.actions.pinnedFAQs[0]", "must not repeat the FAQ's own language"}},
		{"plan: translations repeat a language", basePlan, set("spec.actions.pinnedFAQs.0.translations", []any{faqTranslation("ko"), faqTranslation("ko")}), []string{"spec.actions.pinnedFAQs[0].translations[1]", "Duplicate value"}},
		{"plan: translations repeat a language in another case", basePlan, set("spec.actions.pinnedFAQs.0.translations", []any{faqTranslation("zh-Hant"), faqTranslation("ZH-hant")}), []string{"spec.actions.pinnedFAQs[0].translations", "must not repeat a language"}},
		{"plan: bot factor below 1", basePlan, set("spec.actions.chatbots.factor", "0.5"), []string{"spec.actions.chatbots.factor", "between 1 and 100"}},
		{"plan: chatbots without factor or extra", basePlan, del("spec.actions.chatbots.factor"), []string{"spec.actions.chatbots", "must set factor or extraReplicas"}},
		{"plan: no actions", basePlan, set("spec.actions", map[string]any{}), []string{"spec.actions", "at least one of chatbots, agents or pinnedFAQs"}},
		{"plan: zero extra agents", basePlan, set("spec.actions.agents", map[string]any{"extraReplicas": 0}), []string{"spec.actions.agents.extraReplicas", "greater than or equal to 1"}},
		{"plan: maxDuration too short", basePlan, set("spec.maxDuration", "10s"), []string{"spec.maxDuration", "between 1m and 8760h"}},
		{"plan: prometheus source and address", basePlan, set("spec.prometheus", map[string]any{"source": "thanos", "address": "http://thanos:10902"}), []string{"spec.prometheus", "exactly one of source or address"}},
		{"plan: missing queueSelector", basePlan, del("spec.queueSelector"), []string{"spec.queueSelector", "Required"}},
	}
	if len(cases) < 25 {
		t.Fatalf("only %d invalid cases", len(cases))
	}
	ns := newNamespace(t)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := parse(t, tc.base)
			obj.SetNamespace(ns)
			obj.SetName(fmt.Sprintf("invalid-%d", i))
			tc.edit(obj.Object)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := env.Client.Create(ctx, obj, client.DryRunAll)
			if err == nil {
				t.Fatalf("accepted; want rejection mentioning %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestPrometheusSourceChoices: a queue or plan names a source, or writes
// an address (refused at run time unless the platform allows it), or
// neither (the default source).
func TestPrometheusSourceChoices(t *testing.T) {
	ns := newNamespace(t)
	for _, tc := range []struct {
		base, path string
		value      any
	}{
		{baseQueue, "spec.metrics.prometheus", map[string]any{"source": "mimir"}},
		{baseQueue, "spec.metrics.prometheus", map[string]any{"address": "http://prometheus.team-a:9090"}},
		{basePlan, "spec.prometheus", map[string]any{"source": "default"}},
	} {
		obj := parse(t, tc.base)
		obj.SetNamespace(ns)
		set(tc.path, tc.value)(obj.Object)
		if err := env.Client.Create(context.Background(), obj, client.DryRunAll); err != nil {
			t.Errorf("%s %s=%v rejected: %v", obj.GetKind(), tc.path, tc.value, err)
		}
	}
}

func faqTranslation(tag string) map[string]any {
	return map[string]any{"language": tag, "question": "q", "answer": "a"}
}

// TestLanguageTagsAccepted: well-formed BCP 47 tags of every shape are
// admitted on queues and on pinned FAQs and their translations, and a
// FAQ written before translations existed reads as English.
func TestLanguageTagsAccepted(t *testing.T) {
	ns := newNamespace(t)
	tags := []any{"en", "ko", "EN-us", "zh-Hant", "zh-Hant-TW", "es-419", "sr-Latn-RS", "de-CH-1901", "de-DE-u-co-phonebk", "ko-x-formal", "x-klingon", "yue-HK"}
	q := parse(t, baseQueue)
	q.SetNamespace(ns)
	set("spec.languages", tags)(q.Object)
	if err := env.Client.Create(context.Background(), q, client.DryRunAll); err != nil {
		t.Errorf("queue languages %v rejected: %v", tags, err)
	}
	p := parse(t, basePlan)
	p.SetNamespace(ns)
	if err := env.Client.Create(context.Background(), p, client.DryRunAll); err != nil {
		t.Fatal(err)
	}
	if lang, _, _ := unstructured.NestedString(p.Object["spec"].(map[string]any)["actions"].(map[string]any)["pinnedFAQs"].([]any)[0].(map[string]any), "language"); lang != "en" {
		t.Errorf("an untranslated FAQ's language defaulted to %q, want en", lang)
	}
	p = parse(t, basePlan)
	p.SetNamespace(ns)
	set("spec.actions.pinnedFAQs.0.language", "ko")(p.Object)
	var translations []any
	for _, tag := range tags {
		if tag != "ko" {
			translations = append(translations, faqTranslation(tag.(string)))
		}
	}
	set("spec.actions.pinnedFAQs.0.translations", translations)(p.Object)
	if err := env.Client.Create(context.Background(), p, client.DryRunAll); err != nil {
		t.Errorf("translations %v rejected: %v", translations, err)
	}
}

// TestValidBaseAccepted guards the table above: each base manifest must be
// valid, so a rejection is caused by the edit alone.
func TestValidBaseAccepted(t *testing.T) {
	ns := newNamespace(t)
	for _, base := range []string{baseQueue, baseQueueWithBot, basePolicy, basePlan} {
		obj := parse(t, base)
		obj.SetNamespace(ns)
		if err := env.Client.Create(context.Background(), obj, client.DryRunAll); err != nil {
			t.Errorf("base %s rejected: %v", obj.GetKind(), err)
		}
	}
}

func parse(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(s), &obj.Object); err != nil {
		t.Fatal(err)
	}
	return obj
}

// set and del edit a dotted path; numeric parts index lists, and missing
// maps on the way are created.
// event is a scheduled event with a name, a duration and an expected
// factor, and the given fields on top (nil values removed).
func event(fields map[string]any) map[string]any {
	ev := map[string]any{"name": "listing", "duration": "1h", "expect": map[string]any{"factor": "6"}}
	for k, v := range fields {
		ev[k] = v
	}
	return ev
}

func set(path string, value any) func(map[string]any) {
	return func(obj map[string]any) { walk(obj, strings.Split(path, "."), value, false) }
}

func del(path string) func(map[string]any) {
	return func(obj map[string]any) { walk(obj, strings.Split(path, "."), nil, true) }
}

func walk(node any, parts []string, value any, remove bool) {
	key, last := parts[0], len(parts) == 1
	switch n := node.(type) {
	case map[string]any:
		if last {
			if remove {
				delete(n, key)
			} else {
				n[key] = value
			}
			return
		}
		child, ok := n[key]
		if !ok {
			child = map[string]any{}
			n[key] = child
		}
		walk(child, parts[1:], value, remove)
	case []any:
		i, err := strconv.Atoi(key)
		if err != nil || i >= len(n) {
			panic(fmt.Sprintf("bad list index %q", key))
		}
		if last {
			n[i] = value
			return
		}
		walk(n[i], parts[1:], value, remove)
	default:
		panic(fmt.Sprintf("cannot walk into %T at %q", node, key))
	}
}

// TestQueueNameMakesValidChildren: a queue whose name cannot label its
// Deployments (over 63 characters) is refused at admission, and so is a
// queue with a chatbot whose name cannot name its Service (over 55
// characters, a dot, a leading digit); without a chatbot such a name
// makes valid children and is admitted. Once such queues reconciled up to
// the child and failed there.
func TestQueueNameMakesValidChildren(t *testing.T) {
	ns := newNamespace(t)
	for _, tc := range []struct {
		base, name string
		ok         bool
		says       string
	}{
		{baseQueueWithBot, "retail-chat", true, ""},
		{baseQueueWithBot, strings.Repeat("a", 55), true, ""},
		{baseQueueWithBot, strings.Repeat("a", 56), false, "its chatbot Service is named <name>-chatbot"},
		{baseQueueWithBot, "retail.chat", false, "its chatbot Service is named <name>-chatbot"},
		{baseQueueWithBot, "7x24-desk", false, "its chatbot Service is named <name>-chatbot"},
		{baseQueue, "7x24.desk", true, ""},
		{baseQueue, strings.Repeat("a", 63), true, ""},
		{baseQueue, strings.Repeat("a", 64), false, "it is the queue label of its Deployments"},
	} {
		obj := parse(t, tc.base)
		obj.SetNamespace(ns)
		obj.SetName(tc.name)
		err := env.Client.Create(context.Background(), obj)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%q refused: %v", tc.name, err)
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), tc.says)):
			t.Errorf("%q: %v, want it refused saying %q", tc.name, err, tc.says)
		}
	}
}

// A queue whose FAQ is its own merged knowledge base would feed pinned
// FAQs back into themselves: refused at admission, with the reason.
func TestSelfReferencingKnowledgeBaseRefused(t *testing.T) {
	ns := newNamespace(t)
	obj := parse(t, baseQueueWithBot)
	obj.SetNamespace(ns)
	set("spec.chatbot.knowledgeBase", map[string]any{"configMapRef": map[string]any{"name": "q-knowledge"}})(obj.Object)
	err := env.Client.Create(context.Background(), obj)
	if err == nil || !strings.Contains(err.Error(), "must not name the queue's own merged knowledge base") {
		t.Fatalf("self-referencing knowledge base: %v", err)
	}
	set("spec.chatbot.knowledgeBase", map[string]any{"configMapRef": map[string]any{"name": "faq"}})(obj.Object)
	if err := env.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("a plain FAQ reference was refused: %v", err)
	}
}
