//go:build bench

package bench

import (
	"k8s.io/client-go/kubernetes"

	"github.com/frontline-dev/frontline/test/testenv"
)

func envtestClientset(env *testenv.Env) (*kubernetes.Clientset, error) {
	return kubernetes.NewForConfig(env.Config)
}
