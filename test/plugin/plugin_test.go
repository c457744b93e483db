// Package plugin runs kubectl-frontline against a real apiserver whose
// watches time out every second or two, as watches through load balancers
// and apiserver restarts do in an incident.
package plugin

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/frontline-dev/frontline/internal/cli"
	"github.com/frontline-dev/frontline/test/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	testenv.Main(m, &env, func(e *envtest.Environment) {
		// Watches end after 1-2 s instead of 30-60 min.
		e.ControlPlane.GetAPIServer().Configure().Set("min-request-timeout", "1")
	})
}

// top --watch outlives the server closing its watches, sees a queue
// created after several closures, and ends with its summary.
func TestTopWatchSurvivesClosedWatches(t *testing.T) {
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "plugin-"}}
	if err := env.Client.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, testenv.MinimalQueue(ns.Name, "first")); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(5 * time.Second) // past a few watch timeouts
		_ = env.Client.Create(ctx, testenv.MinimalQueue(ns.Name, "late"))
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
