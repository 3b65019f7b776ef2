package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// never stands for a time that was not reached before the timeout.
const never = time.Duration(math.MaxInt64)

// observers returns at without the entry of exclude (-1 for none), with
// missing entries as never.
func observers(at []time.Duration, exclude int) []time.Duration {
	out := make([]time.Duration, 0, len(at))
	for i, d := range at {
		if i == exclude {
			continue
		}
		if d == missing {
			d = never
		}
		out = append(out, d)
	}
	return out
}

// median returns the middle value (the lower one of an even count); never
// when that is not reached or ds is empty.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return never
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// maxOf returns the largest value; never when any is never or ds is empty.
func maxOf(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return never
	}
	return slices.Max(ds)
}

func fmtDur(d time.Duration) string {
	switch {
	case d == never:
		return "timeout"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func fmtBytes(b uint64) string {
	switch {
	case b < 10_000:
		return fmt.Sprintf("%d B", b)
	case b < 10_000_000:
		return fmt.Sprintf("%.1f KB", float64(b)/1e3)
	default:
		return fmt.Sprintf("%.1f MB", float64(b)/1e6)
	}
}

// durCell formats per-trial values as "median [min–max]", and says how
// many trials never got there.
func durCell(ds []time.Duration) string {
	if len(ds) == 0 {
		return "–"
	}
	med := median(ds)
	out := fmtDur(med)
	if len(ds) > 1 {
		out += fmt.Sprintf(" [%s–%s]", fmtShort(slices.Min(ds)), fmtShort(maxOf(ds)))
	}
	if k := count(ds, never); k > 0 {
		out += fmt.Sprintf(" (%d/%d timed out)", k, len(ds))
	}
	return out
}

// fmtShort is fmtDur for ranges: the unit of the median is implied.
func fmtShort(d time.Duration) string {
	if d == never {
		return "∞"
	}
	return fmtDur(d)
}

// numCell formats per-trial numbers as "median [min–max]" with format f;
// NaN marks a trial without the measurement.
func numCell(xs []float64, f string) string {
	var ok []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			ok = append(ok, x)
		}
	}
	if len(ok) == 0 {
		return "–"
	}
	slices.Sort(ok)
	out := fmt.Sprintf(f, ok[(len(ok)-1)/2])
	if len(ok) > 1 {
		out += " [" + fmt.Sprintf(f, ok[0]) + "–" + fmt.Sprintf(f, ok[len(ok)-1]) + "]"
	}
	return out
}

func count[T comparable](s []T, v T) int {
	k := 0
	for _, x := range s {
		if x == v {
			k++
		}
	}
	return k
}
