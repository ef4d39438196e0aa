package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/verbatim-archive/verbatim/internal/measure"
)

// row is one measured figure next to its peer. ratio is always ours/peer,
// so whether above 1 is good depends on higherBetter.
type row struct {
	section      string
	measure      string
	ours         float64
	peer         string  // peer's name
	peerVal      float64 // peer's figure, same unit
	unit         string
	higherBetter bool
	skipped      string // why the peer figure is missing (or ours, when ours is NaN)
	note         string
}

func (r row) ratio() string {
	q := measure.Ratio(r.ours, r.peerVal) // from the unrounded figures
	if r.skipped != "" || math.IsNaN(q) {
		return "—"
	}
	return fmt.Sprintf("%.2f×", q)
}

func (r row) better() string {
	if r.higherBetter {
		return "higher"
	}
	return "lower"
}

func (r row) oursText() string {
	if math.IsNaN(r.ours) {
		return "—"
	}
	return figure(r.ours, r.unit)
}

func (r row) peerText() string {
	if r.skipped != "" {
		return r.skipped
	}
	return figure(r.peerVal, r.unit)
}

// figure prints a value with a precision that suits its size.
func figure(v float64, unit string) string {
	var s string
	switch a := math.Abs(v); {
	case a == 0:
		s = "0"
	case a >= 100:
		s = fmt.Sprintf("%.0f", v)
	case a >= 10:
		s = fmt.Sprintf("%.1f", v)
	case a >= 0.1:
		s = fmt.Sprintf("%.2f", v)
	default:
		s = fmt.Sprintf("%.3g", v)
	}
	if unit == "" {
		return s
	}
	return s + " " + unit
}

var header = []string{"section", "measure", "Verbatim", "peer", "peer figure", "ratio V/peer", "better"}

func (r row) cells() []string {
	cells := []string{r.section, r.measure, r.oursText(), r.peer, r.peerText(), r.ratio(), r.better()}
	for i, c := range cells {
		cells[i] = strings.Join(strings.Fields(c), " ") // one line per row
	}
	return cells
}

// writeText prints the table aligned for a terminal, notes below it.
func writeText(w io.Writer, rows []row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r.cells(), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeNotes(w, rows, "  ")
}

// writeMarkdown writes the same table as a GitHub markdown table.
func writeMarkdown(w io.Writer, rows []row) error {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n")
	b.WriteString(strings.Repeat("|---", len(header)) + "|\n")
	for _, r := range rows {
		cells := r.cells()
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return writeNotes(w, rows, "- ")
}

func writeNotes(w io.Writer, rows []row, bullet string) error {
	var b strings.Builder
	for _, r := range rows {
		if r.note != "" {
			fmt.Fprintf(&b, "%s%s / %s: %s\n", bullet, r.section, r.measure, r.note)
		}
	}
	if b.Len() == 0 {
		return nil
	}
	_, err := io.WriteString(w, "\nNotes:\n"+b.String())
	return err
}
