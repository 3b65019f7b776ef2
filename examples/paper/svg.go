package main

import (
	"fmt"
	"math"
	"strings"
)

// style is how a variant's line is drawn: a colour per protocol, dashed
// with flow control.
func style(v variant) (color, dash string) {
	switch {
	case v.Halve:
		color = "#9467bd"
	case v.Precise:
		color = "#2ca02c"
	case v.Name == "breadth" || v.Name == "breadth-fc":
		color = "#ff7f0e"
	default:
		color = "#1f77b4"
	}
	if v.Flow {
		dash = "6,4"
	}
	return color, dash
}

// chart writes a line chart of y over time for every result, with the
// phases of the load marked, as a standalone SVG document.
func chart(b *strings.Builder, s setup, results []*result, title, ylabel string, y func(row) float64) {
	const (
		width, height = 960, 540
		left, right   = 100, 230
		top, bottom   = 50, 70
	)
	pw, ph := float64(width-left-right), float64(height-top-bottom)
	ymax := 0.0
	for _, r := range results {
		for _, x := range r.Rows {
			ymax = max(ymax, y(x))
		}
	}
	step := niceStep(ymax / 5)
	ytop := step * math.Ceil(ymax/step)
	if ytop == 0 {
		ytop = 1
	}
	xof := func(t float64) float64 { return float64(left) + t/s.End*pw }
	yof := func(v float64) float64 { return float64(top) + ph - v/ytop*ph }

	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">`+"\n",
		width, height, width, height)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(b, `<text x="%d" y="28" font-size="17" font-weight="bold">%s</text>`+"\n", left, title)
	// Phases: the doubled load shaded, writes stopped and MTU halved as
	// dashed lines.
	fmt.Fprintf(b, `<rect x="%.1f" y="%d" width="%.1f" height="%.1f" fill="#f2f2f2"/>`+"\n",
		xof(s.HighFrom), top, xof(s.HighUntil)-xof(s.HighFrom), ph)
	fmt.Fprintf(b, `<text x="%.1f" y="%d" fill="#555" text-anchor="middle">load doubled (%g to %g s)</text>`+"\n",
		(xof(s.HighFrom)+xof(s.HighUntil))/2, top+16, s.HighFrom, s.HighUntil)
	for _, m := range []struct {
		t     float64
		label string
	}{{s.HalveAt, "MTU halved (mtuhalf)"}, {s.StopAt, "writes stopped"}} {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#888" stroke-dasharray="3,3"/>`+"\n",
			xof(m.t), top, xof(m.t), float64(top)+ph)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" fill="#555" text-anchor="middle">%s</text>`+"\n", xof(m.t), top-6, m.label)
	}
	// Axes, ticks and labels.
	fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>`+"\n", left, float64(top)+ph, float64(left)+pw, float64(top)+ph)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%.1f" stroke="black"/>`+"\n", left, top, left, float64(top)+ph)
	for t := 0.0; t <= s.End; t += xTick(s.End) {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>`+"\n", xof(t), float64(top)+ph, xof(t), float64(top)+ph+5)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%g</text>`+"\n", xof(t), float64(top)+ph+20, t)
	}
	for v := 0.0; v <= ytop*1.0001; v += step {
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e0e0e0"/>`+"\n", left, yof(v), float64(left)+pw, yof(v))
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-8, yof(v)+4, tickLabel(v))
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">time (s)</text>`+"\n", float64(left)+pw/2, height-22)
	fmt.Fprintf(b, `<text x="24" y="%.1f" text-anchor="middle" transform="rotate(-90 24 %.1f)">%s</text>`+"\n",
		float64(top)+ph/2, float64(top)+ph/2, ylabel)
	// The lines, then the legend.
	for _, r := range results {
		color, dash := style(r.V)
		var pts strings.Builder
		fmt.Fprintf(&pts, "%.1f,%.1f", xof(0), yof(0))
		for _, x := range r.Rows {
			fmt.Fprintf(&pts, " %.1f,%.1f", xof(float64(x.T)), yof(y(x)))
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" stroke-dasharray="%s" points="%s"/>`+"\n",
			color, dash, pts.String())
	}
	lx := float64(left) + pw + 20
	fmt.Fprintf(b, `<text x="%.1f" y="%d" font-weight="bold">variant</text>`+"\n", lx, top+10)
	for i, r := range results {
		color, dash := style(r.V)
		ly := float64(top) + 34 + float64(i)*22
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="%s"/>`+"\n",
			lx, ly, lx+30, ly, color, dash)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+38, ly+4, r.V.Name)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#555">dashed: flow control</text>`+"\n", lx, float64(top)+34+float64(len(results))*22+10)
	b.WriteString("</svg>\n")
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

func xTick(end float64) float64 {
	if end > 60 {
		return 25
	}
	return 10
}

// tickLabel writes large counts with a k suffix.
func tickLabel(v float64) string {
	if v >= 10000 {
		return fmt.Sprintf("%gk", v/1000)
	}
	return fmt.Sprintf("%g", v)
}
