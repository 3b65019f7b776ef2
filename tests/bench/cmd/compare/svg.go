package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"slices"
	"time"
)

// colors gives each variant its line colour.
var colors = map[string]string{"sb": "#1f77b4", "sb-default": "#17becf", "ml-lan": "#2ca02c", "ml-local": "#ff7f0e"}

// spreadSVG draws, for each cluster size, the fraction of nodes that hold
// the update against the time since it was written (log scale, shared by
// the panels): every observer of every trial pooled, one step line per
// variant. Observers that never got it keep their line below 1.
func spreadSVG(s settings, vs []variant, sizes []int, res map[string][]trial) []byte {
	const (
		pw, ph      = 300.0, 220.0 // plot area of one panel
		left, top   = 55.0, 75.0
		gap, bottom = 50.0, 90.0
		xminMs      = 10.0
	)
	curves := map[string][]time.Duration{}
	var xmax time.Duration
	for _, n := range sizes {
		for _, v := range vs {
			var ds []time.Duration
			for _, r := range res[key(v.key, n)] {
				if r.updateAt != nil {
					ds = append(ds, observers(r.updateAt, updater)...)
				}
			}
			slices.Sort(ds)
			curves[key(v.key, n)] = ds
			for _, d := range ds {
				if d != never && d > xmax {
					xmax = d
				}
			}
		}
	}
	// From 10 ms up to the slowest observer, rounded up to 1, 2 or 5
	// times a power of ten.
	xmaxMs := 100.0
	for i := 0; xmaxMs < float64(xmax.Milliseconds()); i++ {
		xmaxMs *= []float64{2, 2.5, 2}[i%3]
	}
	logSpan := math.Log10(xmaxMs / xminMs)

	width := left + float64(len(sizes))*(pw+gap) + 10
	height := top + ph + bottom
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="15" font-weight="bold">Update spread on loopback: fraction of the other nodes holding the new state</text>`+"\n", left)
	fmt.Fprintf(&b, `<text x="%.0f" y="40" fill="#555">shared gossip interval %v, fanout %d, %d-byte packets; every observer of every trial pooled; time on a log scale</text>`+"\n", left, s.interval, s.fanout, s.mtu)

	for p, n := range sizes {
		x0 := left + float64(p)*(pw+gap)
		xPos := func(ms float64) float64 {
			ms = math.Max(ms, xminMs)
			return x0 + pw*math.Log10(ms/xminMs)/logSpan
		}
		yPos := func(f float64) float64 { return top + ph*(1-f) }

		// Grid, axes and ticks.
		for f := 0.0; f <= 1.0001; f += 0.25 {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x0, yPos(f), x0+pw, yPos(f))
			if p == 0 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%.2g</text>`+"\n", x0-6, yPos(f)+4, f)
			}
		}
		for dec := xminMs; dec <= xmaxMs; dec *= 10 {
			for _, m := range []float64{1, 2, 5} {
				ms := dec * m
				if ms > xmaxMs {
					break
				}
				stroke := "#eee"
				if m == 1 {
					stroke = "#ccc"
				}
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", xPos(ms), top, xPos(ms), top+ph, stroke)
				// Label the 2s and 5s only where a decade is wide enough.
				if m == 1 || pw/logSpan >= 200 {
					fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", xPos(ms), top+ph+16, tickLabel(ms))
				}
			}
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#333"/>`+"\n", x0, top, pw, ph)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-weight="bold">N = %d</text>`+"\n", x0+pw/2, top-8, n)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">time since the write</text>`+"\n", x0+pw/2, top+ph+34)

		for _, v := range vs {
			ds := curves[key(v.key, n)]
			if len(ds) == 0 {
				continue
			}
			var pts bytes.Buffer
			fmt.Fprintf(&pts, "%.1f,%.1f", xPos(0), yPos(0))
			last := 0.0
			for i, d := range ds {
				if d == never {
					break
				}
				ms := float64(d.Microseconds()) / 1e3
				last = float64(i+1) / float64(len(ds))
				fmt.Fprintf(&pts, " %.1f,%.1f %.1f,%.1f", xPos(ms), yPos(float64(i)/float64(len(ds))), xPos(ms), yPos(last))
			}
			fmt.Fprintf(&pts, " %.1f,%.1f", x0+pw, yPos(last))
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", pts.String(), colors[v.key])
		}
	}
	ly := top + ph + 60
	lx := left
	for _, v := range vs {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/>`+"\n", lx, ly, lx+24, ly, colors[v.key])
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+30, ly+4, html.EscapeString(v.label))
		lx += 60 + 7*float64(len(v.label))
	}
	fmt.Fprintln(&b, "</svg>")
	return b.Bytes()
}

// tickLabel formats a tick in ms or s.
func tickLabel(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%g s", ms/1000)
	}
	return fmt.Sprintf("%g ms", ms)
}
