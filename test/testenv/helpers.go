package testenv

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/cli"
)

// Eventually retries check every interval until it returns nil, and fails
// the test with the last error once timeout has passed.
func Eventually(t *testing.T, timeout, interval time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = check(); err == nil {
			return
		}
		time.Sleep(interval)
	}
	t.Fatalf("not true after %v: %v", timeout, err)
}

// Plugin runs `kubectl frontline ARGS` in-process against a cluster and
// returns its output; a non-zero exit fails the test.
func Plugin(t *testing.T, kubeconfig, namespace string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--kubeconfig", kubeconfig, "-n", namespace)
	if code := cli.Run(args, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("kubectl frontline %v: exit %d: %s", args, code, errOut.String())
	}
	return out.String()
}

// Kubeconfig writes a kubeconfig for a new user of the test apiserver in
// the given groups and returns its path.
func (e *Env) Kubeconfig(t *testing.T, user string, groups ...string) string {
	t.Helper()
	u, err := e.Env.AddUser(envtest.User{Name: user, Groups: groups}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := u.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Main runs a package's tests against an apiserver started with
// StartWith(configure), stored in *env, and exits with their code.
func Main(m *testing.M, env **Env, configure func(*envtest.Environment)) {
	e, err := StartWith(configure)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*env = e
	code := m.Run()
	_ = e.Stop()
	os.Exit(code)
}

// MinimalQueue is a chat SupportQueue with only what admission requires
// set (typed objects send zero durations, which the CRD's bounds refuse).
func MinimalQueue(ns, name string) *supportv1alpha1.SupportQueue {
	return &supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: supportv1alpha1.SupportQueueSpec{Channel: supportv1alpha1.ChannelChat, Languages: []string{"en"},
			SLAPolicyRef: supportv1alpha1.LocalObjectReference{Name: "p"},
			Agents: supportv1alpha1.AgentsSpec{Template: supportv1alpha1.WorkloadTemplate{Image: "agent:1"}, MaxReplicas: 10,
				AverageHandleTime: metav1.Duration{Duration: 3 * time.Minute}},
			Metrics: supportv1alpha1.MetricsSpec{PollInterval: metav1.Duration{Duration: 5 * time.Second},
				MaxSampleAge: metav1.Duration{Duration: 30 * time.Second}}}}
}
