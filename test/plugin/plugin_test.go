// Package plugin runs kubectl-frontline against a real apiserver whose
// watches time out every second or two, as watches through load balancers
// and apiserver restarts do in an incident.
package plugin

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/cli"
	"github.com/frontline-dev/frontline/test/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	var err error
	env, err = testenv.StartWith(func(e *envtest.Environment) {
		// Watches end after 1-2 s instead of 30-60 min.
		e.ControlPlane.GetAPIServer().Configure().Set("min-request-timeout", "1")
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = env.Stop()
	os.Exit(code)
}

func queue(ns, name string) *supportv1alpha1.SupportQueue {
	return &supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: supportv1alpha1.SupportQueueSpec{Channel: supportv1alpha1.ChannelChat, Languages: []string{"en"},
			SLAPolicyRef: supportv1alpha1.LocalObjectReference{Name: "p"},
			Agents: supportv1alpha1.AgentsSpec{Template: supportv1alpha1.WorkloadTemplate{Image: "agent:1"}, MaxReplicas: 10,
				AverageHandleTime: metav1.Duration{Duration: 3 * time.Minute}},
			Metrics: supportv1alpha1.MetricsSpec{PollInterval: metav1.Duration{Duration: 5 * time.Second},
				MaxSampleAge: metav1.Duration{Duration: 30 * time.Second}}}}
}

// top --watch outlives the server closing its watches, sees a queue
// created after several closures, and ends with its summary.
func TestTopWatchSurvivesClosedWatches(t *testing.T) {
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "plugin-"}}
	if err := env.Client.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, queue(ns.Name, "first")); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(5 * time.Second) // past a few watch timeouts
		_ = env.Client.Create(ctx, queue(ns.Name, "late"))
	}()
	var out, errOut bytes.Buffer
	kubeconfig := env.Kubeconfig(t, "oncall-test", "system:masters")
	code := cli.Run([]string{"top", "--watch", "--for", "9s", "--interval", "500ms", "--kubeconfig", kubeconfig, "-n", ns.Name},
		strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("top --watch exited %d: %s", code, errOut.String())
	}
	body, summary, found := strings.Cut(out.String(), "\nSummary")
	if !found {
		t.Fatalf("no summary:\n%s", out.String())
	}
	frames := strings.Split(body, "(watching,")
	if last := frames[len(frames)-1]; !strings.Contains(last, "late") || !strings.Contains(last, "first") {
		t.Errorf("the last frame does not show both queues:\n%s", last)
	}
	if !strings.Contains(summary, "late") {
		t.Errorf("the summary misses the queue created mid-watch:\n%s", summary)
	}
}
