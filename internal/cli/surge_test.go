package cli

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var goldenNow = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

// goldenPlans are two plans in two namespaces: one forced on by on-call
// with a Korean reason and preparing for a scheduled event, one disabled
// with a Japanese message.
func goldenPlans() []supportv1alpha1.SurgePlan {
	since := metav1.NewTime(goldenNow.Add(-(7*time.Minute + 30*time.Second)))
	armed := metav1.NewTime(goldenNow.Add(-26 * time.Hour))
	crash := supportv1alpha1.SurgePlan{
		ObjectMeta: metav1.ObjectMeta{Namespace: "exchange", Name: "btc-crash", Annotations: map[string]string{
			supportv1alpha1.AnnotationSurgeOverride:       "Always",
			supportv1alpha1.AnnotationSurgeOverrideUntil:  "2026-11-24T15:30:00Z",
			supportv1alpha1.AnnotationSurgeOverrideReason: "BTC 급락: 10분 만에 -18%",
			supportv1alpha1.AnnotationChangedBy:           "jane@exchange.example",
		}},
		Spec: supportv1alpha1.SurgePlanSpec{Mode: supportv1alpha1.SurgeModeAuto},
		Status: supportv1alpha1.SurgePlanStatus{Phase: supportv1alpha1.SurgePhaseActive, Since: &since, Reason: "ManualOn",
			Message: "surge forced on by jane@exchange.example until 2026-11-24T15:30:00Z: BTC 급락: 10분 만에 -18%, 출금 문의가 급증하고 있습니다",
			Queues:  []string{"retail-chat", "withdrawals-email"}, Added: supportv1alpha1.SurgeAdded{ChatbotReplicas: 6, AgentReplicas: 20}},
	}
	listing := supportv1alpha1.SurgePlan{
		ObjectMeta: metav1.ObjectMeta{Namespace: "exchange-jp", Name: "listing-day"},
		Spec:       supportv1alpha1.SurgePlanSpec{Mode: supportv1alpha1.SurgeModeNever},
		Status: supportv1alpha1.SurgePlanStatus{Phase: supportv1alpha1.SurgePhaseDisabled, Since: &armed, Reason: "ModeNever",
			Message: "mode Never: 上場日のメンテナンスのため、サージ計画を停止しています"},
	}
	// The forced plan also prepares for a known event.
	crash.Status.Events = []supportv1alpha1.ScheduledEventStatus{{Name: "us-cpi", Stage: supportv1alpha1.EventPreparing,
		Opens: metav1.NewTime(goldenNow.Add(-5 * time.Minute)), ReadyBy: metav1.NewTime(goldenNow.Add(5 * time.Minute)),
		Start: metav1.NewTime(goldenNow.Add(20 * time.Minute)), End: metav1.NewTime(goldenNow.Add(80 * time.Minute))}}
	crash.Status.NextEvent = &supportv1alpha1.UpcomingEvent{Name: "fomc", Start: metav1.NewTime(goldenNow.Add(50 * time.Hour)), ReadyBy: metav1.NewTime(goldenNow.Add(49*time.Hour + 45*time.Minute))}
	return []supportv1alpha1.SurgePlan{crash, listing}
}

func TestSurgeStatusGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		output string
		single bool
		all    bool
	}{
		{"table", "", false, false},
		{"table-all-namespaces", "", false, true},
		{"wide", "wide", false, true},
		{"yaml-one", "yaml", true, false},
		{"json-list", "json", false, false},
		{"name", "name", false, false},
		{"jsonpath", "jsonpath={.items[*].status.phase}", false, false},
		{"go-template", `go-template={{range .items}}{{.metadata.name}}={{.status.phase}}{{"\n"}}{{end}}`, false, false},
		{"custom-columns", "custom-columns=NAME:.metadata.name,PHASE:.status.phase,QUEUES:.status.queues[*],BY:{.metadata.annotations.support\\.frontline\\.dev/changed-by}", false, true},
		{"custom-columns-one", "custom-columns=NAME:metadata.name,REASON:{.status.reason}", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pf := newObjectPrintFlags()
			output := tc.output // as typed after -o, parsed by cli-runtime
			pf.print.OutputFormat = &output
			plans := goldenPlans()
			if tc.single {
				plans = plans[:1]
			}
			var out bytes.Buffer
			if err := printPlans(&out, pf, plans, tc.single, tc.all, goldenNow); err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(out.Bytes()) {
				t.Errorf("output is not valid UTF-8")
			}
			golden := filepath.Join("testdata", "surge-status-"+tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cli -run TestSurgeStatusGolden -update)", err)
			}
			if out.String() != string(want) {
				t.Errorf("output differs from %s:\n%s\nwant:\n%s", golden, out.String(), want)
			}
		})
	}
}

func TestTruncateKeepsRunes(t *testing.T) {
	for _, s := range []string{"BTC 급락: 10분 만에 -18%, 출금 문의가 급증", "上場日のメンテナンスのため、サージ計画を停止しています", "plain ascii reason that is long enough"} {
		for n := 4; n < 30; n++ {
			got := truncate(s, n)
			if !utf8.ValidString(got) || utf8.RuneCountInString(got) > n {
				t.Fatalf("truncate(%q, %d) = %q", s, n, got)
			}
		}
	}
}

// TestSurgeFlagDefaults: on and off each have their own --for.
func TestSurgeFlagDefaults(t *testing.T) {
	root := NewRootCommand(Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}})
	for _, tc := range []struct{ cmd, want string }{{"on", "30m0s"}, {"off", "0s"}} {
		c, _, err := root.Find([]string{"surge", tc.cmd})
		if err != nil {
			t.Fatal(err)
		}
		if f := c.Flags().Lookup("for"); f == nil || f.Value.String() != tc.want {
			t.Errorf("surge %s --for defaults to %v, want %s", tc.cmd, f, tc.want)
		}
	}
}

// TestTopGolden: top's view across namespaces, with Korean and Japanese
// plan messages cut on rune boundaries.
func TestTopGolden(t *testing.T) {
	inflow := int64(2400)
	queues := []supportv1alpha1.SupportQueue{{
		ObjectMeta: metav1.ObjectMeta{Namespace: "exchange", Name: "retail-chat"},
		Spec:       supportv1alpha1.SupportQueueSpec{Channel: "chat", Chatbot: &supportv1alpha1.ChatbotSpec{}},
		Status: supportv1alpha1.SupportQueueStatus{
			Measured:         &supportv1alpha1.QueueMeasurements{InflowPerHour: &inflow},
			Prediction:       &supportv1alpha1.QueuePrediction{ServiceLevel: "0.912", TargetServiceLevel: "0.800"},
			Agents:           supportv1alpha1.ReplicaStatus{Summary: "38/40", DesiredReplicas: 40},
			Chatbot:          supportv1alpha1.ReplicaStatus{Summary: "6/6", DesiredReplicas: 6},
			ActiveSurgePlans: []string{"btc-crash"},
			Conditions:       []metav1.Condition{{Type: supportv1alpha1.ConditionMetricsAvailable, Status: metav1.ConditionTrue, Reason: "MetricsOK"}},
		},
	}}
	for _, all := range []bool{false, true} {
		var out bytes.Buffer
		seen := &extremes{maxAgents: map[string]int32{}, maxBots: map[string]int32{}, maxInflow: map[string]int64{}, minSL: map[string]string{}}
		if err := renderTop(&out, queues, goldenPlans(), goldenNow, seen, topStyle{allNamespaces: all}); err != nil {
			t.Fatal(err)
		}
		name := map[bool]string{false: "top", true: "top-all-namespaces"}[all]
		checkGolden(t, name, out.Bytes())
	}
	sized, backlog := int64(2900), int64(12)
	queues[0].Status.Measured.SizedForInflowPerHour, queues[0].Status.Measured.Backlog = &sized, &backlog
	var wide bytes.Buffer
	seen := &extremes{maxAgents: map[string]int32{}, maxBots: map[string]int32{}, maxInflow: map[string]int64{}, minSL: map[string]string{}}
	if err := renderTop(&wide, queues, goldenPlans(), goldenNow, seen, topStyle{wide: true}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "top-wide", wide.Bytes())
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	if !utf8.Valid(got) {
		t.Errorf("%s: output is not valid UTF-8", name)
	}
	golden := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s:\n%s\nwant:\n%s", golden, got, want)
	}
}

// TestOverrideInEffect: --wait returns once the operator has recorded the
// very override written (mode, who, why, until) and the plan is in the
// phase it forces; auto once no override is recorded any more.
func TestOverrideInEffect(t *testing.T) {
	until := goldenNow.Add(45 * time.Minute)
	mt := metav1.NewTime(until)
	on := manualRecord{mode: supportv1alpha1.SurgeModeAlways, by: "jane", reason: "BTC -18%", until: &until}
	off := manualRecord{mode: supportv1alpha1.SurgeModeNever, by: "jane"}
	auto := manualRecord{mode: supportv1alpha1.SurgeModeAuto, by: "jane"}
	plan := func(phase supportv1alpha1.SurgePhase, m *supportv1alpha1.ManualChange) *supportv1alpha1.SurgePlan {
		return &supportv1alpha1.SurgePlan{Status: supportv1alpha1.SurgePlanStatus{Phase: phase, Manual: m}}
	}
	recordedOn := &supportv1alpha1.ManualChange{Mode: supportv1alpha1.SurgeModeAlways, By: "jane", Reason: "BTC -18%", Until: &mt}
	with := func(f func(*supportv1alpha1.ManualChange)) *supportv1alpha1.ManualChange {
		m := recordedOn.DeepCopy()
		f(m)
		return m
	}
	for _, tc := range []struct {
		name string
		plan *supportv1alpha1.SurgePlan
		want manualRecord
		done bool
	}{
		{"on: recorded and Active", plan(supportv1alpha1.SurgePhaseActive, recordedOn), on, true},
		{"on: not yet recorded", plan(supportv1alpha1.SurgePhaseArmed, nil), on, false},
		{"on: recorded, still Armed", plan(supportv1alpha1.SurgePhaseArmed, recordedOn), on, false},
		{"on: someone else's override", plan(supportv1alpha1.SurgePhaseActive, with(func(m *supportv1alpha1.ManualChange) { m.By = "joe" })), on, false},
		{"on: the previous reason", plan(supportv1alpha1.SurgePhaseActive, with(func(m *supportv1alpha1.ManualChange) { m.Reason = "drill" })), on, false},
		{"on: the previous end time", plan(supportv1alpha1.SurgePhaseActive, with(func(m *supportv1alpha1.ManualChange) { m.Until = nil })), on, false},
		{"on: expired", plan(supportv1alpha1.SurgePhaseActive, with(func(m *supportv1alpha1.ManualChange) { m.Expired = true })), on, false},
		{"off: recorded and Disabled", plan(supportv1alpha1.SurgePhaseDisabled, &supportv1alpha1.ManualChange{Mode: supportv1alpha1.SurgeModeNever, By: "jane"}), off, true},
		{"off: recorded, still Active", plan(supportv1alpha1.SurgePhaseActive, &supportv1alpha1.ManualChange{Mode: supportv1alpha1.SurgeModeNever, By: "jane"}), off, false},
		{"off: the on still recorded", plan(supportv1alpha1.SurgePhaseDisabled, recordedOn), off, false},
		{"auto: never overridden", plan(supportv1alpha1.SurgePhaseArmed, nil), auto, true},
		{"auto: recorded", plan(supportv1alpha1.SurgePhaseActive, &supportv1alpha1.ManualChange{Mode: supportv1alpha1.SurgeModeAuto, By: "joe"}), auto, true},
		{"auto: the override still recorded", plan(supportv1alpha1.SurgePhaseActive, recordedOn), auto, false},
	} {
		if got := overrideInEffect(tc.plan, tc.want); got != tc.done {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.done)
		}
	}
}

func TestSurgeWaitFlags(t *testing.T) {
	code, _, errOut := run("surge", "on", "btc-crash", "--wait", "--timeout", "0s", "--kubeconfig", "/nonexistent/kubeconfig")
	if code != exitUsage || !strings.Contains(errOut, "--timeout: must be a positive duration") {
		t.Errorf("--timeout 0s: exit %d %q", code, errOut)
	}
}

// A watch error event: an expired resourceVersion means list again; any
// other (RBAC refusing the watch, say) is reported, not retried forever.
func TestExpiredOr(t *testing.T) {
	for _, tc := range []struct {
		err     error
		relists bool
	}{
		{apierrors.NewResourceExpired("too old resource version: 1 (2)"), true},
		{&apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: 410, Reason: metav1.StatusReasonGone}}, true},
		{apierrors.NewForbidden(schema.GroupResource{Group: "support.frontline.dev", Resource: "surgeplans"}, "", errors.New("cannot watch")), false},
		{apierrors.NewInternalError(errors.New("boom")), false},
	} {
		st := tc.err.(apierrors.APIStatus).Status()
		err := expiredOr(watch.Event{Type: watch.Error, Object: &st})
		if (err == nil) != tc.relists {
			t.Errorf("%v: expiredOr = %v, relist %v", tc.err, err, tc.relists)
		}
	}
}
