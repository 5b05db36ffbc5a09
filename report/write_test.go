package report

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFormatOf(t *testing.T) {
	tests := []struct {
		path string
		want Format
	}{
		{"report.csv", FormatCSV},
		{"out/report.json", FormatJSON},
		{"out/REPORT.CSV", FormatCSV},
		{"out/report.Json", FormatJSON},
		{"out.d/report.json", FormatJSON},
		{"out/Rapport.XLSX", FormatXLSX},
	}
	for _, test := range tests {
		got, err := FormatOf(test.path)
		if err != nil {
			t.Errorf("FormatOf(%q) error: %v", test.path, err)
			continue
		}
		if got != test.want {
			t.Errorf("FormatOf(%q) = %q, want %q", test.path, got, test.want)
		}
	}
}

func TestFormatOfRejectsExtension(t *testing.T) {
	tests := []struct {
		path     string
		mentions []string
	}{
		{"out/report.txt", []string{`"out/report.txt"`, `".txt"`, ".csv", ".json"}},
		{"report.xls", []string{`".xls"`, ".csv", ".json", ".xlsx"}},
		{"out.csv/report", []string{`"out.csv/report"`, "no extension", ".csv", ".json"}},
	}
	for _, test := range tests {
		_, err := FormatOf(test.path)
		if err == nil {
			t.Errorf("FormatOf(%q) returned no error", test.path)
			continue
		}
		for _, text := range test.mentions {
			if !strings.Contains(err.Error(), text) {
				t.Errorf("FormatOf(%q) error %q does not contain %s", test.path, err, text)
			}
		}
	}
}

func TestProductsPath(t *testing.T) {
	tests := []struct {
		path, want string
	}{
		{"out/report.csv", "out/report-products.csv"},
		{"report.csv", "report-products.csv"},
		{"out/REPORT.CSV", "out/REPORT-products.CSV"},
		{"out.d/stock.2025.csv", "out.d/stock.2025-products.csv"},
	}
	for _, test := range tests {
		if got := ProductsPath(test.path); got != test.want {
			t.Errorf("ProductsPath(%q) = %q, want %q", test.path, got, test.want)
		}
	}
}

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, entry := range entries {
		names = append(names, entry.Name())
	}
	return names
}

func TestWriteLeavesOnlyReportFiles(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"report.json", []string{"report.json"}},
		{"report.csv", []string{"report-products.csv", "report.csv"}},
		{"Report.CSV", []string{"Report-products.CSV", "Report.CSV"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Write(filepath.Join(dir, test.name), normalReport()); err != nil {
				t.Fatal(err)
			}
			if got := listDir(t, dir); !slices.Equal(got, test.want) {
				t.Errorf("folder contains %q, want %q", got, test.want)
			}
		})
	}
}

func TestWriteReplacesExistingReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, []byte("old report, longer than nothing"), 0o644); err != nil {
		t.Fatal(err)
	}

	r := dryRunReport()
	if err := Write(path, r); err != nil {
		t.Fatal(err)
	}
	if got := readJSONReport(t, r); !got.Run.DryRun {
		t.Errorf("decoded report has dry_run false, want the new report")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "old report") {
		t.Errorf("%s still contains the old report", path)
	}
}

func TestWriteFileModeLikeCreate(t *testing.T) {
	dir := t.TempDir()
	created, err := os.Create(filepath.Join(dir, "created.txt"))
	if err != nil {
		t.Fatal(err)
	}
	created.Close()
	want, err := os.Stat(created.Name())
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(dir, "report.json")
	if err := Write(path, normalReport()); err != nil {
		t.Fatal(err)
	}
	got, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode().Perm() != want.Mode().Perm() {
		t.Errorf("report mode = %v, want %v as os.Create gives", got.Mode().Perm(), want.Mode().Perm())
	}
}

func TestWriteUnknownExtension(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.txt")

	err := Write(path, normalReport())
	if err == nil {
		t.Fatal("Write returned no error")
	}
	for _, text := range []string{`".txt"`, ".csv", ".json"} {
		if !strings.Contains(err.Error(), text) {
			t.Errorf("error %q does not contain %s", err, text)
		}
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("folder contains %q, want nothing", got)
	}
}

func TestWriteMissingFolder(t *testing.T) {
	for _, name := range []string{"report.json", "report.csv"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "missing", name)

			err := Write(path, normalReport())
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Write error = %v, want one that wraps fs.ErrNotExist", err)
			}
			if err != nil && !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			if got := listDir(t, dir); len(got) != 0 {
				t.Errorf("folder contains %q, want nothing", got)
			}
		})
	}
}

// TestWriteRenameFails makes the rename fail by putting a folder where a report file
// goes, after the temporary files are written.
func TestWriteRenameFails(t *testing.T) {
	tests := []struct {
		name    string
		path    string // the report path
		blocked string // the file that is a folder
	}{
		{"json", "report.json", "report.json"},
		{"csv rows", "report.csv", "report.csv"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, test.blocked), 0o755); err != nil {
				t.Fatal(err)
			}

			err := Write(filepath.Join(dir, test.path), normalReport())
			if err == nil {
				t.Fatal("Write returned no error")
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, test.blocked)) {
				t.Errorf("error %q does not name %s", err, test.blocked)
			}
			if got := listDir(t, dir); !slices.Equal(got, []string{test.blocked}) {
				t.Errorf("folder contains %q, want only %q", got, test.blocked)
			}
		})
	}
}

func TestWriteCSVProductsRenameFails(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "report-products.csv"), 0o755); err != nil {
		t.Fatal(err)
	}

	err := Write(filepath.Join(dir, "report.csv"), normalReport())
	if err == nil {
		t.Fatal("Write returned no error")
	}
	// The rows file is renamed before the products file, as Write documents.
	want := []string{"report-products.csv", "report.csv"}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Errorf("folder contains %q, want %q and no temporary file", got, want)
	}
}

func TestWriteFailedRowsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "failed.csv")
	rows := []FailedRow{{Record: []string{"SAV-V-M", "4"}, Error: "failed"}}

	if err := WriteFailedRows(path, []string{"sku", "quantity"}, rows); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"failed.csv"}) {
		t.Errorf("folder contains %q, want only failed.csv", got)
	}

	missing := filepath.Join(dir, "missing", "failed.csv")
	if err := WriteFailedRows(missing, []string{"sku", "quantity"}, rows); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteFailedRows error = %v, want one that wraps fs.ErrNotExist", err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"failed.csv"}) {
		t.Errorf("folder contains %q, want only failed.csv", got)
	}
}
