package report

import "testing"

func TestSummaryString(t *testing.T) {
	tests := []struct {
		name    string
		summary Summary
		want    string
	}{
		{
			"every count",
			Summary{Rows: 12, Applied: 10, Failed: 1, NotAttempted: 1, SkippedBlank: 2},
			"12 rows: 10 applied, 1 failed, 1 not attempted, 2 blank rows skipped",
		},
		{"all applied", Summary{Rows: 3, Applied: 3, Requests: 3}, "3 rows: 3 applied"},
		{"none applied", Summary{Rows: 2, Failed: 2}, "2 rows: 0 applied, 2 failed"},
		{"empty input", Summary{}, "0 rows: 0 applied"},
		{"one row", Summary{Rows: 1, Applied: 1, SkippedBlank: 1}, "1 row: 1 applied, 1 blank row skipped"},
		{
			"merged lines",
			Summary{Rows: 5, Applied: 5, Requests: 3, MergedLines: 2},
			"5 rows: 5 applied, 2 duplicate lines merged, so 3 requests",
		},
		{"dry run", Summary{Rows: 4, Valid: 3, Failed: 1}, "4 rows: 3 valid, 1 failed"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := test.summary.String(); got != test.want {
				t.Errorf("String() = %q, want %q", got, test.want)
			}
		})
	}
}

func TestReportSummaryLine(t *testing.T) {
	tests := []struct {
		name   string
		report Report
		want   string
	}{
		{
			"dry run with no valid row",
			Report{Run: Run{DryRun: true}, Summary: Summary{Rows: 2, Failed: 2}},
			"2 rows: 0 valid, 2 failed",
		},
		{
			"applied run",
			Report{Summary: Summary{Rows: 2, Applied: 1, NotAttempted: 1}},
			"2 rows: 1 applied, 1 not attempted",
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := test.report.SummaryLine(); got != test.want {
				t.Errorf("SummaryLine() = %q, want %q", got, test.want)
			}
		})
	}
}
