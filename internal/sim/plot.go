package sim

import (
	"fmt"
	"math"
	"strings"
)

// PlotSVG draws, for Frontline and each baseline: inflow against the
// capacity its ready agents give (tickets per hour at the policy's max
// occupancy, bots' containment included), the per-minute service level
// against the target, and Frontline's surge periods shaded.
func PlotSVG(results []Result, cfg Config) []byte {
	s, err := prepare(cfg)
	if err != nil {
		return nil
	}
	const w, h, pad = 900.0, 260.0, 50.0
	colors := map[string]string{"frontline": "#1f77b4", "keda-hpa": "#ff7f0e", "perfect-foresight": "#2ca02c", "static-minimum": "#7f7f7f"}
	minutes := 0
	peak := 1.0
	perReplica := float64(max(s.shape.Agents.Concurrency, 1)) / s.shape.Agents.DefaultHandleTime.Seconds() * 3600 * s.target.MaxOccupancy
	if s.shape.Bots != nil {
		perReplica /= 1 - s.shape.Bots.Containment
	}
	for _, r := range results {
		minutes = max(minutes, len(r.Timeline))
		for _, p := range r.Timeline {
			peak = math.Max(peak, math.Max(p.InflowPerHour, float64(p.Ready)*perReplica))
		}
	}
	if minutes < 2 {
		minutes = 2
	}
	x := func(m int) float64 { return pad + float64(m)/float64(minutes-1)*(w-2*pad) }
	y1 := func(v float64) float64 { return pad + (1-v/peak)*(h-2*pad) }
	y2 := func(v float64) float64 { return h + pad + (1-v)*(h-2*pad) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="12">`+"\n", w, 2*h+20)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	for _, r := range results {
		if r.Policy != "frontline" {
			continue
		}
		for _, p := range r.Timeline {
			if p.Surging {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.0f" width="%.1f" height="%.0f" fill="#d62728" opacity="0.08"/>`+"\n", x(p.Minute), pad, x(1)-x(0), 2*h-2*pad)
			}
		}
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="20" font-weight="bold">Inflow vs capacity (tickets/h); shaded: Frontline surge Active</text>`+"\n", pad)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-weight="bold">Service level per minute vs target %.0f%%</text>`+"\n", pad, h+20, 100*s.targetSL)
	axes := func(y0 float64) {
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", pad, y0+h-2*pad, w-pad, y0+h-2*pad)
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", pad, y0, pad, y0+h-2*pad)
	}
	axes(pad)
	axes(h + pad)
	fmt.Fprintf(&b, `<text x="5" y="%.0f">%.0f</text><text x="5" y="%.0f">0</text>`+"\n", pad+4, peak, h-pad)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#d62728" stroke-dasharray="4"/>`+"\n", pad, y2(s.targetSL), w-pad, y2(s.targetSL))
	line := func(pts []string, color string, dash string) {
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" %s points="%s"/>`+"\n", color, dash, strings.Join(pts, " "))
	}
	if len(results) > 0 {
		var in []string
		for _, p := range results[0].Timeline {
			in = append(in, fmt.Sprintf("%.1f,%.1f", x(p.Minute), y1(p.InflowPerHour)))
		}
		line(in, "black", `stroke-dasharray="2"`)
	}
	for i, r := range results {
		var capPts, slPts []string
		for _, p := range r.Timeline {
			capPts = append(capPts, fmt.Sprintf("%.1f,%.1f", x(p.Minute), y1(float64(p.Ready)*perReplica)))
			if p.ServiceLevel >= 0 {
				slPts = append(slPts, fmt.Sprintf("%.1f,%.1f", x(p.Minute), y2(p.ServiceLevel)))
			}
		}
		line(capPts, colors[r.Policy], "")
		line(slPts, colors[r.Policy], "")
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="%s">%s</text>`+"\n", w-pad-150, pad+15*float64(i+1), colors[r.Policy], r.Policy)
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">inflow (dotted)</text>`+"\n", w-pad-150, pad+15*float64(len(results)+1))
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">minutes →</text>`+"\n", w/2, 2*h+10)
	b.WriteString("</svg>\n")
	return []byte(b.String())
}
