package report

import (
	"fmt"
	"strings"
)

// String returns a one-line summary for the user, such as
// "12 rows: 10 applied, 1 failed, 1 not attempted, 2 blank rows skipped".
//
// The applied count is always shown, and every other count only when it is not zero.
// A summary with valid rows reads as a dry run and shows the valid count instead of the
// applied one. A dry run in which no row is valid cannot be distinguished from a run
// that applied nothing, so it reads "0 applied". Report.SummaryLine has no such gap.
func (s Summary) String() string {
	return s.line(s.Valid > 0 && s.Applied == 0)
}

// SummaryLine returns the one-line summary of Summary.String, showing the valid count
// in a dry run and the applied count otherwise.
func (r *Report) SummaryLine() string {
	return r.Summary.line(r.Run.DryRun)
}

func (s Summary) line(dryRun bool) string {
	var counts []string
	if dryRun {
		counts = append(counts, fmt.Sprintf("%d valid", s.Valid))
	} else {
		counts = append(counts, fmt.Sprintf("%d applied", s.Applied))
	}
	if s.Failed > 0 {
		counts = append(counts, fmt.Sprintf("%d failed", s.Failed))
	}
	if s.Unknown > 0 {
		counts = append(counts, fmt.Sprintf("%d unknown", s.Unknown))
	}
	if s.NotAttempted > 0 {
		counts = append(counts, fmt.Sprintf("%d not attempted", s.NotAttempted))
	}
	if s.SkippedBlank > 0 {
		counts = append(counts, fmt.Sprintf("%d blank %s skipped", s.SkippedBlank, noun(s.SkippedBlank, "row", "rows")))
	}
	if s.MergedLines > 0 {
		counts = append(counts, fmt.Sprintf("%d duplicate %s merged, so %d %s", s.MergedLines, noun(s.MergedLines, "line", "lines"), s.Requests, noun(s.Requests, "request", "requests")))
	}
	return fmt.Sprintf("%d %s: %s", s.Rows, noun(s.Rows, "row", "rows"), strings.Join(counts, ", "))
}

// noun returns singular when n is 1 and plural otherwise.
func noun(n int, singular, plural string) string {
	if n == 1 {
		return singular
	}
	return plural
}
