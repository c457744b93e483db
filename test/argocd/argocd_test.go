// Package argocd runs Frontline's Argo CD health checks and resource
// actions (config/argocd) in a Lua VM, against objects built from the API
// types, so the scripts and the status they read cannot drift apart.
package argocd

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/surge"
	"github.com/frontline-dev/frontline/test/testenv"
)

func script(t *testing.T, kind string, parts ...string) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(append([]string{root, "config", "argocd", "support.frontline.dev", kind}, parts...)...)
}

// run executes a script with `obj` set and returns what it returned.
func run(t *testing.T, path string, obj any) map[string]any {
	t.Helper()
	out, err := runWith(path, obj, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// runWith runs a script with Argo CD's actionParams (nil: a version
// without action parameters).
func runWith(path string, obj any, params map[string]string) (map[string]any, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("obj", toLua(L, m))
	if params != nil {
		p := map[string]any{}
		for k, v := range params {
			p[k] = v
		}
		L.SetGlobal("actionParams", toLua(L, p))
	}
	if err := L.DoFile(path); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	out, ok := fromLua(L.Get(-1)).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s returned %v", path, L.Get(-1))
	}
	return out, nil
}

func toLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case map[string]any:
		tb := L.NewTable()
		for k, e := range x {
			tb.RawSetString(k, toLua(L, e))
		}
		return tb
	case []any:
		tb := L.NewTable()
		for _, e := range x {
			tb.Append(toLua(L, e))
		}
		return tb
	case string:
		return lua.LString(x)
	case float64:
		return lua.LNumber(x)
	case bool:
		return lua.LBool(x)
	}
	return lua.LNil
}

func fromLua(v lua.LValue) any {
	switch x := v.(type) {
	case *lua.LTable:
		if x.Len() > 0 {
			var out []any
			x.ForEach(func(_, e lua.LValue) { out = append(out, fromLua(e)) })
			return out
		}
		out := map[string]any{}
		x.ForEach(func(k, e lua.LValue) { out[k.String()] = fromLua(e) })
		return out
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return float64(x)
	case lua.LBool:
		return bool(x)
	}
	return nil
}

func cond(typ string, status metav1.ConditionStatus, reason, msg string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg, LastTransitionTime: metav1.Now()}
}

func queue(gen, observed int64, conds ...metav1.Condition) *supportv1alpha1.SupportQueue {
	q := &supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Name: "retail-chat", Generation: gen}}
	q.Status.ObservedGeneration = observed
	q.Status.Conditions = conds
	q.Status.Agents = supportv1alpha1.ReplicaStatus{DesiredReplicas: 14, ReadyReplicas: 14, Summary: "14/14"}
	q.Status.Chatbot = supportv1alpha1.ReplicaStatus{DesiredReplicas: 6, ReadyReplicas: 6, Summary: "6/6"}
	return q
}

func TestSupportQueueHealth(t *testing.T) {
	path := script(t, "SupportQueue", "health.lua")
	ready := cond("Ready", "True", "Succeeded", "children applied")
	surging := queue(3, 3, ready, cond("Surging", "True", "SurgeActive", "btc-crash"), cond("MetricsAvailable", "False", "QueryFailed", "down"))
	for _, tc := range []struct {
		name    string
		obj     any
		status  string
		message string
	}{
		{"no status yet", &supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Generation: 1}}, "Progressing", ""},
		{"old generation", queue(4, 3, ready), "Progressing", "Waiting for the operator to observe generation 4"},
		{"ready", queue(3, 3, ready), "Healthy", "Agents 14/14, bots 6/6"},
		{"surging with a metrics gap is still healthy", surging, "Healthy", "Agents 14/14, bots 6/6 (surging)"},
		{"scaling", queue(3, 3, ready, cond("Reconciling", "True", "Scaling", "agents 3/14")), "Progressing", "agents 3/14"},
		{"stalled", queue(3, 3, cond("Ready", "False", "SLAPolicyNotFound", "x"), cond("Stalled", "True", "SLAPolicyNotFound", `SLAPolicy "retail" not found`)),
			"Degraded", `SLAPolicyNotFound: SLAPolicy "retail" not found`},
	} {
		got := run(t, path, tc.obj)
		if got["status"] != tc.status || (tc.message != "" && got["message"] != tc.message) {
			t.Errorf("%s: got %v, want %s %q", tc.name, got, tc.status, tc.message)
		}
	}
}

func TestSLAPolicyHealth(t *testing.T) {
	p := &supportv1alpha1.SLAPolicy{}
	p.Status.Conditions = []metav1.Condition{cond("Ready", "True", "Succeeded", ""), cond("SLABreached", "True", "BelowTarget", "")}
	p.Status.QueueCount, p.Status.BreachedCount = 3, 1
	got := run(t, script(t, "SLAPolicy", "health.lua"), p)
	if got["status"] != "Healthy" || got["message"] != "3 queues, 1 predicted below target" {
		t.Errorf("got %v", got)
	}
}

func TestSurgePlanHealthAndActions(t *testing.T) {
	p := &supportv1alpha1.SurgePlan{ObjectMeta: metav1.ObjectMeta{Name: "btc-crash", Generation: 2}}
	p.Spec.Mode = supportv1alpha1.SurgeModeAuto
	p.Status.ObservedGeneration = 2
	p.Status.Phase = supportv1alpha1.SurgePhaseActive
	p.Status.Message = "trigger fired: btc-move=0.08"
	got := run(t, script(t, "SurgePlan", "health.lua"), p)
	if got["status"] != "Healthy" || got["message"] != "Active: trigger fired: btc-move=0.08" {
		t.Errorf("an Active plan: %v", got)
	}

	actions := run(t, script(t, "SurgePlan", "actions", "discovery.lua"), p)
	names := make([]string, 0, len(actions))
	for k := range actions {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) != 3 || actions["surge-auto"].(map[string]any)["disabled"] != true || actions["surge-on"].(map[string]any)["disabled"] != false {
		t.Errorf("actions %v", actions)
	}

	on := run(t, script(t, "SurgePlan", "actions", "surge-on", "action.lua"), p)
	ann := on["metadata"].(map[string]any)["annotations"].(map[string]any)
	until, err := time.Parse(time.RFC3339, fmt.Sprint(ann[supportv1alpha1.AnnotationSurgeOverrideUntil]))
	if err != nil || ann[supportv1alpha1.AnnotationSurgeOverride] != "Always" || time.Until(until) < 29*time.Minute || time.Until(until) > 31*time.Minute {
		t.Errorf("surge-on: %v (%v)", ann, err)
	}
	if mode, _ := on["spec"].(map[string]any)["mode"].(string); mode != string(p.Spec.Mode) {
		t.Errorf("surge-on changed spec.mode, which Git owns: %v", on["spec"])
	}
	// The result must still be a valid SurgePlan, and the operator must
	// read the override it wrote.
	raw, _ := json.Marshal(on)
	var back supportv1alpha1.SurgePlan
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Errorf("surge-on result does not decode as a SurgePlan: %v", err)
	}
	if o, err := surge.OverrideOf(back.Annotations); err != nil || !o.InForce(time.Now()) || o.Mode != surge.ModeAlways {
		t.Errorf("the operator reads surge-on's override as %+v (%v)", o, err)
	}
	back.Status.Phase = supportv1alpha1.SurgePhaseActive
	if acts := run(t, script(t, "SurgePlan", "actions", "discovery.lua"), &back); acts["surge-on"].(map[string]any)["disabled"] != true ||
		acts["surge-auto"].(map[string]any)["disabled"] != false {
		t.Errorf("actions with an override: %v", acts)
	}
	off := run(t, script(t, "SurgePlan", "actions", "surge-off", "action.lua"), &back)
	offAnn := off["metadata"].(map[string]any)["annotations"].(map[string]any)
	if offAnn[supportv1alpha1.AnnotationSurgeOverride] != "Never" || offAnn[supportv1alpha1.AnnotationSurgeOverrideUntil] != nil {
		t.Errorf("surge-off: %v", offAnn)
	}
	auto := run(t, script(t, "SurgePlan", "actions", "surge-auto", "action.lua"), &back)
	if _, ok := auto["metadata"].(map[string]any)["annotations"].(map[string]any)[supportv1alpha1.AnnotationSurgeOverride]; ok {
		t.Errorf("surge-auto left the override: %v", auto["metadata"])
	}

	// Argo CD's action parameters: a duration and a reason.
	acts := run(t, script(t, "SurgePlan", "actions", "discovery.lua"), p)
	if params := fmt.Sprint(acts["surge-on"].(map[string]any)["params"]); !strings.Contains(params, "duration") || !strings.Contains(params, "30m") {
		t.Errorf("surge-on params %s", params)
	}
	on45, err := runWith(script(t, "SurgePlan", "actions", "surge-on", "action.lua"), p, map[string]string{"duration": "45m", "reason": "BTC -18%"})
	if err != nil {
		t.Fatal(err)
	}
	ann45 := on45["metadata"].(map[string]any)["annotations"].(map[string]any)
	until45, _ := time.Parse(time.RFC3339, fmt.Sprint(ann45[supportv1alpha1.AnnotationSurgeOverrideUntil]))
	if time.Until(until45) < 44*time.Minute || time.Until(until45) > 46*time.Minute || ann45[supportv1alpha1.AnnotationSurgeOverrideReason] != "BTC -18%" {
		t.Errorf("surge-on with parameters: %v", ann45)
	}
	for _, bad := range []string{"soon", "30", "0m", "9999h"} {
		if _, err := runWith(script(t, "SurgePlan", "actions", "surge-on", "action.lua"), p, map[string]string{"duration": bad}); err == nil {
			t.Errorf("duration %q accepted", bad)
		}
	}

	// Disabled is Suspended; an unreadable override is Degraded.
	p.Status.Phase = supportv1alpha1.SurgePhaseDisabled
	if got := run(t, script(t, "SurgePlan", "health.lua"), p); got["status"] != "Suspended" {
		t.Errorf("a Disabled plan: %v", got)
	}
	p.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: metav1.ConditionFalse, Reason: supportv1alpha1.ReasonInvalidOverride, Message: "bad"}}
	if got := run(t, script(t, "SurgePlan", "health.lua"), p); got["status"] != "Degraded" {
		t.Errorf("an unreadable override: %v", got)
	}
}
