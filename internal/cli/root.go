// Package cli implements kubectl-frontline's commands. Commands write to the
// given streams and return errors; Run turns an error into one line on
// stderr and a non-zero exit code.
package cli

import (
	"errors"
	goflag "flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/klog/v2"

	"github.com/frontline-dev/frontline/internal/version"
)

// Streams are where a command reads and writes.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// NewRootCommand builds `kubectl frontline` and its subcommands.
func NewRootCommand(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "kubectl-frontline",
		Short:         "Plan and operate Frontline support queues",
		Long:          "kubectl frontline sizes support queues with queueing math and lets on-call staff drive surge plans.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.Version,
		// Help and usage name the command as users type it.
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl frontline"},
	}
	// --version without the -v shorthand cobra would add: kubectl users
	// read -v as verbosity.
	root.Flags().Bool("version", false, "Print the version and exit.")
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	// A value pflag cannot parse is a usage error like any other bad flag.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	flags := genericclioptions.NewConfigFlags(true)
	flags.AddFlags(root.PersistentFlags())
	addVerbosityFlag(root)
	kube := newSurgeOptions(s, flags, time.Now)
	root.AddCommand(newPlanCommand(s, kube), newSurgeCommand(kube), newTopCommand(kube), newSimulateCommand(s))
	return root
}

// addVerbosityFlag adds kubectl's -v/--v: client-go's request logging
// (klog), e.g. -v=6 for every request and its status, -v=8 with bodies.
func addVerbosityFlag(root *cobra.Command) {
	fs := goflag.NewFlagSet("klog", goflag.ContinueOnError)
	klog.InitFlags(fs)
	v := pflag.PFlagFromGoFlag(fs.Lookup("v"))
	v.Shorthand = "v"
	v.Usage = "Log level for client requests, as kubectl's: 6 shows each request, 8 their bodies."
	root.PersistentFlags().AddFlag(v)
}

// Exit codes, one policy for every command: 0 done; 1 the command ran and
// failed (the API refused, a plan was not found, the operator did not act
// within --timeout); 2 the command line is wrong (an unknown command or
// flag, a bad flag value, missing or extra arguments); 3 a gate the user
// set was not met (simulate --min-sla-met).
const (
	exitFailed = 1
	exitUsage  = 2
	exitGate   = 3
)

// CompletionName is the name kubectl (1.26 and later) runs to complete a
// plugin's arguments: kubectl_complete-<plugin>.
const CompletionName = "kubectl_complete-frontline"

// Args are the plugin's arguments when the binary runs as name: under
// CompletionName it answers cobra's completion request for the words.
func Args(name string, args []string) []string {
	if name == CompletionName || name == CompletionName+".exe" {
		return append([]string{cobra.ShellCompRequestCmd}, args...)
	}
	return args
}

// Run executes the plugin with args and returns the process exit code.
func Run(args []string, in io.Reader, out, errOut io.Writer) int {
	root := NewRootCommand(Streams{In: in, Out: out, Err: errOut})
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		// Several errors (one per bad file, say) go one to a line, as
		// kubectl prints them.
		var agg utilerrors.Aggregate
		if errors.As(err, &agg) {
			for _, e := range agg.Errors() {
				_, _ = fmt.Fprintln(errOut, "error:", e)
			}
		} else {
			_, _ = fmt.Fprintln(errOut, "error:", err)
		}
		var fe *flagError
		var ue *usageError
		var ge *gateError
		if errors.As(err, &ge) {
			return exitGate
		}
		if errors.As(err, &fe) || errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") {
			return exitUsage
		}
		return exitFailed
	}
	return 0
}

// flagError names the flag whose value is wrong.
type flagError struct {
	flag   string
	reason string
}

func (e *flagError) Error() string { return fmt.Sprintf("--%s: %s", e.flag, e.reason) }

// gateError is a result below a threshold the user set.
type gateError struct{ msg string }

func (e *gateError) Error() string { return e.msg }

// usageError is a command line that could not be parsed.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }

// usageArgs makes an argument-count error a usage error (exit 2) like a
// bad flag.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &usageError{fmt.Errorf("%s: %w", cmd.CommandPath(), err)}
		}
		return nil
	}
}
func (e *usageError) Unwrap() error { return e.err }
