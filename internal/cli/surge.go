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
	"github.com/frontline-dev/frontline/internal/surge"
)

// FieldManager is the plugin's own field manager, distinct from the
// operator's and from GitOps tools'.
const FieldManager = "kubectl-frontline"

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
(wins over every trigger), or back to the plan's own mode, and shows what
plans do. The override is written to the plan's annotations
(support.frontline.dev/surge-override, -until, -reason, changed-by) with
the field manager "kubectl-frontline", never to spec: a GitOps sync of the
plan's YAML leaves it alone. The operator records it in the plan's status
and Events with who set it.`,
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
			return o.setOverride(cmd.Context(), args[0], supportv1alpha1.SurgeModeAlways, o.dur)
		},
	}
	on.Flags().DurationVar(&o.dur, "for", 30*time.Minute, "How long the plan stays forced on; then it follows its own mode again by itself.")
	on.Flags().StringVar(&o.reason, "reason", "", "Why, for the audit trail.")
	off := &cobra.Command{
		Use:     "off PLAN",
		Short:   "Disable a plan; it wins over every trigger",
		Example: `  kubectl frontline surge off btc-crash --reason "false alarm: exchange feed glitch"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.dur < 0 {
				return &flagError{"for", "must not be negative"}
			}
			return o.setOverride(cmd.Context(), args[0], supportv1alpha1.SurgeModeNever, o.dur)
		},
	}
	off.Flags().DurationVar(&o.dur, "for", 0, "How long the plan stays off (0: until surge auto).")
	off.Flags().StringVar(&o.reason, "reason", "", "Why, for the audit trail.")
	auto := &cobra.Command{
		Use:   "auto PLAN",
		Short: "Clear the on-call override: the plan follows its own mode (spec.mode) again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.setOverride(cmd.Context(), args[0], supportv1alpha1.SurgeModeAuto, 0)
		},
	}
	auto.Flags().StringVar(&o.reason, "reason", "", "Why, for the audit trail.")
	status := &cobra.Command{
		Use:   "status [PLAN]",
		Short: "Show plans: mode, phase, since, reason, queues, capacity added",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.status(cmd.Context(), args)
		},
	}
	cmd.AddCommand(on, off, auto, status)
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

// setOverride writes (Always, Never) or clears (Auto) the plan's on-call
// override annotations, with who and why; spec is left to its owner.
func (o *surgeOptions) setOverride(ctx context.Context, name string, mode supportv1alpha1.SurgeMode, d time.Duration) error {
	c, ns, err := o.client()
	if err != nil {
		return err
	}
	plan := &supportv1alpha1.SurgePlan{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, plan); err != nil {
		return fmt.Errorf("surgeplan %s/%s: %w", ns, name, err)
	}
	who := whoAmI(ctx, c)
	var until *time.Time
	annotations := map[string]any{
		supportv1alpha1.AnnotationChangedBy:           who,
		supportv1alpha1.AnnotationSurgeOverride:       nil,
		supportv1alpha1.AnnotationSurgeOverrideUntil:  nil,
		supportv1alpha1.AnnotationSurgeOverrideReason: nil,
	}
	if o.reason != "" {
		annotations[supportv1alpha1.AnnotationSurgeOverrideReason] = o.reason
	}
	if mode != supportv1alpha1.SurgeModeAuto {
		annotations[supportv1alpha1.AnnotationSurgeOverride] = string(mode)
		if d > 0 {
			t := o.now().Add(d).UTC().Truncate(time.Second)
			until = &t
			annotations[supportv1alpha1.AnnotationSurgeOverrideUntil] = t.Format(time.RFC3339)
		}
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": annotations}})
	if err != nil {
		return err
	}
	before := effectiveMode(plan, o.now())
	if err := c.Patch(ctx, plan, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(FieldManager)); err != nil {
		return fmt.Errorf("patching surgeplan %s/%s: %w", ns, name, err)
	}
	after := describeMode(mode, until, true)
	if mode == supportv1alpha1.SurgeModeAuto {
		after = "spec.mode " + describeMode(plan.Spec.Mode, timeOf(plan.Spec.ActiveUntil), false)
	}
	msg := fmt.Sprintf("surgeplan %s/%s: %s -> %s", ns, name, before, after)
	if o.reason != "" {
		msg += fmt.Sprintf(" (reason: %s)", o.reason)
	}
	_, err = fmt.Fprintf(o.s.Out, "%s by %s\n", msg, who)
	return err
}

// effectiveMode says what drives the plan now: an override in force, or
// spec.mode.
func effectiveMode(p *supportv1alpha1.SurgePlan, now time.Time) string {
	if ov, err := surge.OverrideOf(p.Annotations); err == nil && ov.InForce(now) {
		return describeMode(supportv1alpha1.SurgeMode(ov.Mode), ov.Until, true)
	}
	return describeMode(p.Spec.Mode, timeOf(p.Spec.ActiveUntil), false)
}

func timeOf(t *metav1.Time) *time.Time {
	if t == nil {
		return nil
	}
	return &t.Time
}

func describeMode(m supportv1alpha1.SurgeMode, until *time.Time, override bool) string {
	if m == "" {
		m = supportv1alpha1.SurgeModeAuto
	}
	out := string(m)
	if override {
		out += " (override)"
	}
	if until != nil {
		out += " until " + until.UTC().Format(time.RFC3339)
	}
	return out
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
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", p.Name, effectiveMode(&p, o.now()),
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
