package sim

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PlotFormats are the file types Plot writes, by extension.
var PlotFormats = []string{".png", ".svg"}

var policyColors = map[string]color.Color{
	"frontline":         color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	"keda-hpa":          color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	"perfect-foresight": color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	"static-minimum":    color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff},
}

var (
	surgeShade = color.NRGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0x28}
	targetRed  = color.NRGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
)

// Plot draws two panels over simulated minutes and writes them as PNG or
// SVG, chosen by the file name's extension: inflow against the capacity
// each policy's ready agents give (tickets per hour at the policy's max
// occupancy, the bots' containment included), and the per-minute service
// level against the target. Frontline's surge periods are shaded in both.
func Plot(w io.Writer, fileName string, results []Result, cfg Config) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(fileName)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("plot: %q is neither .png nor .svg", fileName)
	}
	s, err := prepare(cfg)
	if err != nil {
		return err
	}
	capacityPlot, slPlot := plot.New(), plot.New()
	capacityPlot.Title.Text = fmt.Sprintf("%s: inflow vs capacity (shaded: Frontline surge Active)", cfg.Queue.Name)
	capacityPlot.Y.Label.Text = "tickets per hour"
	capacityPlot.Y.Min = 0
	capacityPlot.Y.Tick.Marker = wholeTicks{}
	slPlot.Title.Text = fmt.Sprintf("Service level per minute vs target %.0f%%", 100*s.targetSL)
	slPlot.Y.Label.Text = "answered in time"
	slPlot.X.Label.Text = "minute"
	slPlot.Y.Min, slPlot.Y.Max = 0, 1.4
	for _, p := range []*plot.Plot{capacityPlot, slPlot} {
		p.Legend.Top, p.Legend.Left = true, false
		p.X.Tick.Marker = minuteTicks{}
		p.Add(plotter.NewGrid())
	}

	perReplica := s.replicaThroughput() * 3600 // tickets per hour
	peak, minutes := 1.0, 1
	for _, r := range results {
		minutes = max(minutes, len(r.Timeline))
		for _, p := range r.Timeline {
			peak = max(peak, p.InflowPerHour, float64(p.Ready)*perReplica)
		}
	}
	capacityPlot.Y.Max = peak * 1.4 // room for the legend

	for _, r := range results {
		if r.Policy == FrontlineName {
			if err := shadeSurges(capacityPlot, r.Timeline, peak*1.4, true); err != nil {
				return err
			}
			if err := shadeSurges(slPlot, r.Timeline, 1.4, false); err != nil {
				return err
			}
		}
	}
	if len(results) > 0 {
		inflow := make(plotter.XYs, 0, len(results[0].Timeline))
		for _, p := range results[0].Timeline {
			inflow = append(inflow, plotter.XY{X: float64(p.Minute), Y: p.InflowPerHour})
		}
		if err := addLine(capacityPlot, "inflow", inflow, color.Black, true); err != nil {
			return err
		}
	}
	target := plotter.XYs{{X: 0, Y: s.targetSL}, {X: float64(minutes - 1), Y: s.targetSL}}
	if err := addLine(slPlot, "target", target, targetRed, true); err != nil {
		return err
	}
	for _, r := range results {
		capacity := make(plotter.XYs, 0, len(r.Timeline))
		level := make(plotter.XYs, 0, len(r.Timeline))
		for _, p := range r.Timeline {
			capacity = append(capacity, plotter.XY{X: float64(p.Minute), Y: float64(p.Ready) * perReplica})
			if p.ServiceLevel >= 0 { // minutes without human contacts have none
				level = append(level, plotter.XY{X: float64(p.Minute), Y: p.ServiceLevel})
			}
		}
		c := policyColors[r.Policy]
		if c == nil {
			c = color.Gray{Y: 0x40}
		}
		if err := addLine(capacityPlot, r.Policy, capacity, c, false); err != nil {
			return err
		}
		if err := addLine(slPlot, r.Policy, level, c, false); err != nil {
			return err
		}
	}

	canvas, err := draw.NewFormattedCanvas(25*vg.Centimeter, 18*vg.Centimeter, format)
	if err != nil {
		return err
	}
	plots := [][]*plot.Plot{{capacityPlot}, {slPlot}}
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(6), PadY: vg.Points(12)}
	canvases := plot.Align(plots, tiles, draw.New(canvas))
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	_, err = canvas.WriteTo(w)
	return err
}

func addLine(p *plot.Plot, name string, pts plotter.XYs, c color.Color, dashed bool) error {
	if len(pts) == 0 {
		return nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("plot %s: %w", name, err)
	}
	l.Color, l.Width = c, vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

// shadeSurges adds a band from 0 to top over each minute the plan was Active.
func shadeSurges(p *plot.Plot, tl []Sample, top float64, legend bool) error {
	named := false
	for i := 0; i < len(tl); i++ {
		if !tl[i].Surging {
			continue
		}
		start := i
		for i < len(tl) && tl[i].Surging {
			i++
		}
		x0, x1 := float64(tl[start].Minute), float64(tl[i-1].Minute+1)
		band, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: top}, {X: x0, Y: top}})
		if err != nil {
			return fmt.Errorf("plot surge band: %w", err)
		}
		band.Color, band.Width = surgeShade, 0 // fill only, no outline
		p.Add(band)
		if legend && !named {
			p.Legend.Add("surge Active", band)
			named = true
		}
	}
	return nil
}

// minuteTicks labels whole minutes: every 5 or 10, by the run's length.
type minuteTicks struct{}

func (minuteTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 5.0
	if hi-lo > 60 {
		step = 10
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
	}
	return ticks
}

// wholeTicks are gonum's default ticks labelled without decimals.
type wholeTicks struct{}

func (wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', 0, 64)
		}
	}
	return ticks
}
