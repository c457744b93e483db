package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scheme"
)

// FieldManager is the plugin's own field manager, distinct from the
// operator's and from GitOps tools'.
const FieldManager = "kubectl-frontline"

// annotationChangedBy mirrors controllers.AnnotationChangedBy.
const annotationChangedBy = "support.frontline.dev/changed-by"

type surgeOptions struct {
	flags  *genericclioptions.ConfigFlags
	s      Streams
	now    func() time.Time
	reason string
	dur    time.Duration
}

func newSurgeCommand(o *surgeOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "surge",
		Short: "Drive SurgePlans by hand: on, off, auto, status",
		Long: `surge lets on-call staff force a SurgePlan on (with automatic expiry), off
(wins over every trigger), or back to automatic, and shows what plans do.
Changes are patched with the field manager "kubectl-frontline" and recorded
in the plan's status and Events with who made them.`,
	}
	on := &cobra.Command{
		Use:     "on PLAN",
		Short:   "Force a plan Active until --for has passed",
		Example: `  kubectl frontline surge on btc-crash --for 45m --reason "BTC -18% in 10 min"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.dur <= 0 {
				return &flagError{"for", "must be a positive duration, e.g. 30m"}
			}
			until := metav1.NewTime(o.now().Add(o.dur).UTC().Truncate(time.Second))
			return o.setMode(cmd.Context(), args[0], supportv1alpha1.SurgeModeOn, &until)
		},
	}
	on.Flags().DurationVar(&o.dur, "for", 30*time.Minute, "How long the plan stays forced on; then it returns to automatic by itself.")
	on.Flags().StringVar(&o.reason, "reason", "", "Why, for the audit trail.")
	off := o.modeCommand("off PLAN", "Disable a plan; it wins over every trigger", supportv1alpha1.SurgeModeOff)
	auto := o.modeCommand("auto PLAN", "Return a plan to automatic triggers", supportv1alpha1.SurgeModeAuto)
	status := &cobra.Command{
		Use:   "status [PLAN]",
		Short: "Show plans: phase, since, reason, queues, capacity added",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.status(cmd.Context(), args)
		},
	}
	cmd.AddCommand(on, off, auto, status)
	return cmd
}

// modeCommand sets a plan's mode with no expiry (off, auto).
func (o *surgeOptions) modeCommand(use, short string, mode supportv1alpha1.SurgeMode) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.setMode(cmd.Context(), args[0], mode, nil)
		},
	}
	cmd.Flags().StringVar(&o.reason, "reason", "", "Why, for the audit trail.")
	return cmd
}

func newSurgeOptions(s Streams, flags *genericclioptions.ConfigFlags, now func() time.Time) *surgeOptions {
	return &surgeOptions{flags: flags, s: s, now: now}
}

func (o *surgeOptions) client() (client.Client, string, error) {
	cfg, err := o.flags.ToRESTConfig()
	if err != nil {
		return nil, "", err
	}
	ns, _, err := o.flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, "", err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme.New()})
	return c, ns, err
}

// whoAmI asks the apiserver who the caller is (SelfSubjectReview), so the
// audit trail names a person rather than a kubeconfig entry.
func whoAmI(ctx context.Context, c client.Client) string {
	r := &authenticationv1.SelfSubjectReview{}
	if err := c.Create(ctx, r); err != nil || r.Status.UserInfo.Username == "" {
		return "unknown"
	}
	return r.Status.UserInfo.Username
}

func (o *surgeOptions) setMode(ctx context.Context, name string, mode supportv1alpha1.SurgeMode, until *metav1.Time) error {
	c, ns, err := o.client()
	if err != nil {
		return err
	}
	plan := &supportv1alpha1.SurgePlan{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, plan); err != nil {
		return fmt.Errorf("surgeplan %s/%s: %w", ns, name, err)
	}
	who := whoAmI(ctx, c)
	spec := map[string]any{"mode": mode, "reason": o.reason, "activeUntil": nil}
	if until != nil {
		spec["activeUntil"] = until
	}
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"annotations": map[string]any{annotationChangedBy: who}},
		"spec":     spec,
	})
	if err != nil {
		return err
	}
	prevMode, prevUntil := plan.Spec.Mode, plan.Spec.ActiveUntil
	if err := c.Patch(ctx, plan, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(FieldManager)); err != nil {
		return fmt.Errorf("patching surgeplan %s/%s: %w", ns, name, err)
	}
	msg := fmt.Sprintf("surgeplan %s/%s: mode %s -> %s", ns, name, describeMode(prevMode, prevUntil), describeMode(mode, until))
	if o.reason != "" {
		msg += fmt.Sprintf(" (reason: %s)", o.reason)
	}
	_, err = fmt.Fprintf(o.s.Out, "%s by %s\n", msg, who)
	return err
}

func describeMode(m supportv1alpha1.SurgeMode, until *metav1.Time) string {
	if m == "" {
		m = supportv1alpha1.SurgeModeAuto
	}
	if m == supportv1alpha1.SurgeModeOn && until != nil {
		return fmt.Sprintf("On until %s", until.UTC().Format(time.RFC3339))
	}
	return string(m)
}

func (o *surgeOptions) status(ctx context.Context, args []string) error {
	c, ns, err := o.client()
	if err != nil {
		return err
	}
	var plans []supportv1alpha1.SurgePlan
	if len(args) == 1 {
		p := &supportv1alpha1.SurgePlan{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: args[0]}, p); err != nil {
			return fmt.Errorf("surgeplan %s/%s: %w", ns, args[0], err)
		}
		plans = append(plans, *p)
	} else {
		var list supportv1alpha1.SurgePlanList
		if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return err
		}
		plans = list.Items
	}
	if len(plans) == 0 {
		_, err := fmt.Fprintf(o.s.Out, "No surge plans in namespace %s.\n", ns)
		return err
	}
	w := tabwriter.NewWriter(o.s.Out, 0, 0, 2, ' ', 0)
	if _, err := fmt.Fprintln(w, "PLAN\tMODE\tPHASE\tSINCE\tREASON\tQUEUES\tBOTS+\tAGENTS+"); err != nil {
		return err
	}
	for _, p := range plans {
		since := "-"
		if p.Status.Since != nil {
			since = fmt.Sprintf("%s (%s ago)", p.Status.Since.UTC().Format("15:04:05"), o.now().Sub(p.Status.Since.Time).Round(time.Second))
		}
		reason := p.Status.Reason
		if p.Status.Message != "" {
			reason += ": " + p.Status.Message
		}
		if len(reason) > 60 {
			reason = reason[:57] + "..."
		}
		queues := strings.Join(p.Status.Queues, ",")
		if queues == "" {
			queues = "-"
		}
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", p.Name, describeMode(p.Spec.Mode, p.Spec.ActiveUntil),
			orDash(string(p.Status.Phase)), since, orDash(reason), queues, p.Status.Added.ChatbotReplicas, p.Status.Added.AgentReplicas); err != nil {
			return err
		}
	}
	return w.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
