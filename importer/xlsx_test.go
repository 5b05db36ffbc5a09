package importer

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// workbook builds an XLSX workbook in memory. build fills it in; the first
// sheet is named "Sheet1".
func workbook(t *testing.T, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatalf("write the workbook: %v", err)
	}
	return buf.Bytes()
}

// setRows writes rows of cells from A1 down, each cell with its Go type
// (string, int, float64, bool); nil leaves a cell empty.
func setRows(t *testing.T, f *excelize.File, sheet string, firstRow int, rows ...[]any) {
	t.Helper()
	for i, row := range rows {
		for j, value := range row {
			if value == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, firstRow+i)
			if err := f.SetCellValue(sheet, cell, value); err != nil {
				t.Fatalf("set %s: %v", cell, err)
			}
		}
	}
}

func readWorkbook(t *testing.T, data []byte, opts ReadOptions) (*Input, []string) {
	t.Helper()
	in, err := ReadWith(bytes.NewReader(data), "stock.xlsx", opts)
	var invalid *InvalidInputError
	switch {
	case err == nil:
		return in, nil
	case errors.As(err, &invalid):
		problems := make([]string, len(invalid.Problems))
		for i, p := range invalid.Problems {
			problems[i] = p.String()
		}
		return nil, problems
	default:
		t.Fatalf("ReadWith: %v", err)
		return nil, nil
	}
}

func TestReadXLSX(t *testing.T) {
	header := []any{"product_id", "variant_id", "quantity", "note"}
	tests := []struct {
		name      string
		build     func(t *testing.T, f *excelize.File)
		opts      ReadOptions
		want      []wantRow
		wantBlank int
	}{
		{
			name: "numbers and text",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header,
					[]any{product1, variant1, 5, "livraison"},
					[]any{product2, variant2, 12.0, nil})
			},
			want: []wantRow{{2, product1, variant1, "", 5}, {3, product2, variant2, "", 12}},
		},
		{
			name: "line numbers are row numbers, after blank rows",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 3, header, []any{product1, variant1, 1}, []any{}, []any{product2, variant2, 2})
			},
			want:      []wantRow{{4, product1, variant1, "", 1}, {6, product2, variant2, "", 2}},
			wantBlank: 1,
		},
		{
			name: "number shown with a thousands separator reads as stored",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{product1, variant1, 1500})
				style, err := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
				if err != nil {
					t.Fatal(err)
				}
				if err := f.SetCellStyle("Sheet1", "C2", "C2", style); err != nil {
					t.Fatal(err)
				}
			},
			want: []wantRow{{2, product1, variant1, "", 1500}},
		},
		{
			name: "formula reads its saved value, rounded when whole",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{product1, variant1, 3.0000000000000004})
				if err := f.SetCellFormula("Sheet1", "C2", "=0.1*30"); err != nil {
					t.Fatal(err)
				}
			},
			want: []wantRow{{2, product1, variant1, "", 3}},
		},
		{
			name: "long numeric SKU reads in full",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, []any{"SKU", "Qty"}, []any{12345678901234, 2})
			},
			want: []wantRow{{2, "", "", "12345678901234", 2}},
		},
		{
			name: "hidden row with values is read, trailing formatted rows are not",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{product1, variant1, 1}, []any{product2, variant2, 2})
				if err := f.SetRowVisible("Sheet1", 3, false); err != nil {
					t.Fatal(err)
				}
				style, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Color: []string{"FFFF00"}, Pattern: 1}})
				if err != nil {
					t.Fatal(err)
				}
				if err := f.SetCellStyle("Sheet1", "A4", "D40", style); err != nil {
					t.Fatal(err)
				}
				if err := f.SetCellValue("Sheet1", "D41", " "); err != nil {
					t.Fatal(err)
				}
			},
			want: []wantRow{{2, product1, variant1, "", 1}, {3, product2, variant2, "", 2}},
		},
		{
			name: "merged note cells make no phantom row",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header,
					[]any{product1, variant1, 1, "same delivery"},
					[]any{product2, variant2, 2})
				if err := f.MergeCell("Sheet1", "D2", "D5"); err != nil {
					t.Fatal(err)
				}
			},
			want:      []wantRow{{2, product1, variant1, "", 1}, {3, product2, variant2, "", 2}},
			wantBlank: 0,
		},
		{
			name: "first sheet by default",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{product1, variant1, 1})
				if _, err := f.NewSheet("Stock"); err != nil {
					t.Fatal(err)
				}
				setRows(t, f, "Stock", 1, header, []any{product2, variant2, 9})
				f.SetActiveSheet(1) // the second sheet shows, but the first is read
			},
			want: []wantRow{{2, product1, variant1, "", 1}},
		},
		{
			name: "sheet by name, in any letter case",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, []any{"notes"})
				if _, err := f.NewSheet("Stock Mai"); err != nil {
					t.Fatal(err)
				}
				setRows(t, f, "Stock Mai", 1, header, []any{product2, variant2, 9})
			},
			opts: ReadOptions{Sheet: "stock mai"},
			want: []wantRow{{2, product2, variant2, "", 9}},
		},
		{
			name: "short rows and empty header cells",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, []any{"quantity", nil, "product_id", "variant_id", "note"}, []any{4, nil, product1, variant1})
			},
			want: []wantRow{{2, product1, variant1, "", 4}},
		},
		{
			name: "apostrophe text marker typed into a cell",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{"'" + product1, variant1, "'7"})
			},
			want: []wantRow{{2, product1, variant1, "", 7}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := workbook(t, func(f *excelize.File) { tt.build(t, f) })
			in, problems := readWorkbook(t, data, tt.opts)
			if problems != nil {
				t.Fatalf("problems:\n%s", strings.Join(problems, "\n"))
			}
			if got := describeRows(in.Rows); !slices.Equal(got, tt.want) {
				t.Errorf("rows = %+v, want %+v", got, tt.want)
			}
			if in.BlankRows != tt.wantBlank {
				t.Errorf("BlankRows = %d, want %d", in.BlankRows, tt.wantBlank)
			}
		})
	}
}

func TestReadXLSXRecord(t *testing.T) {
	data := workbook(t, func(f *excelize.File) {
		setRows(t, f, "Sheet1", 1, []any{"note", "product_id", "variant_id", "quantity", "comment"}, []any{"رف ٣", product1, variant1, 2})
	})
	in, problems := readWorkbook(t, data, ReadOptions{})
	if problems != nil {
		t.Fatalf("problems: %q", problems)
	}
	if want := []string{"note", "product_id", "variant_id", "quantity", "comment"}; !slices.Equal(in.Header, want) {
		t.Errorf("Header = %q, want %q", in.Header, want)
	}
	// The sheet stores no cell after the last value, and the record has
	// one cell per header cell all the same.
	if want := []string{"رف ٣", product1, variant1, "2", ""}; !slices.Equal(in.Rows[0].Cells(), want) {
		t.Errorf("Cells() = %q, want %q", in.Rows[0].Cells(), want)
	}
}

func TestReadXLSXProblems(t *testing.T) {
	header := []any{"product_id", "variant_id", "quantity"}
	tests := []struct {
		name  string
		build func(t *testing.T, f *excelize.File)
		opts  ReadOptions
		want  []string
	}{
		{
			name: "fraction",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{product1, variant1, 2.5})
			},
			want: []string{`line 2: quantity "2.5" is not a whole number of units: write digits only, without a decimal mark or thousands separator`},
		},
		{
			name: "boolean is not a quantity",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{product1, variant1, true})
			},
			want: []string{`line 2: quantity "TRUE" is not a number: write the number of units to add, digits only`},
		},
		{
			name: "text quantity goes through the same validation as CSV",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{product1, variant1, "1\u00a0000"}, []any{product2, "", 0})
			},
			want: []string{
				`line 2: quantity "1\u00a0000" has a thousands separator (a no-break space): write 1000, digits only`,
				`line 3: quantity "0" is zero: a row must add at least 1 unit, so delete the row instead`,
			},
		},
		{
			name: "id too long for a number",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{nil, variant1, 1})
				// Excel stores a number of more than 15 digits in this form.
				if err := f.SetCellDefault("Sheet1", "A2", "1.2345678901234568E+30"); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{`line 2: product_id "1.2345678901234568E+30" is a number in scientific notation: the spreadsheet read the product id as a number and rounded it, so format the column as Text and type the id again`},
		},
		{
			name: "quantity under merged cells",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{product1, variant1, 4}, []any{product2, variant2})
				if err := f.MergeCell("Sheet1", "C2", "C3"); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{`line 3: quantity "" is empty because it is inside the merged cells C2:C3, whose value belongs to their first cell only: unmerge the cells and fill in every row`},
		},
		{
			name: "value beyond the header",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header, []any{product1, variant1, 4, nil, "x"})
			},
			want: []string{`line 2: cell E2 holds "x", but column E has no header: name the column in the header row, or clear the cell`},
		},
		{
			name: "header only",
			build: func(t *testing.T, f *excelize.File) {
				setRows(t, f, "Sheet1", 1, header)
			},
			want: []string{`no data rows after the header (0 blank rows skipped): add one row per variant to restock`},
		},
		{
			name:  "empty sheet",
			build: func(t *testing.T, f *excelize.File) {},
			want:  []string{`the file is empty: it needs a header row naming product_id, variant_id and quantity, then one row per variant`},
		},
		{
			name: "unknown sheet",
			build: func(t *testing.T, f *excelize.File) {
				if _, err := f.NewSheet("Stock"); err != nil {
					t.Fatal(err)
				}
			},
			opts: ReadOptions{Sheet: "Inventaire"},
			want: []string{`the workbook has no sheet named "Inventaire": its sheets are "Sheet1","Stock"; pass one of them to --sheet`},
		},
		{
			name:  "delimiter option on a workbook",
			build: func(t *testing.T, f *excelize.File) {},
			opts:  ReadOptions{Delimiter: ';'},
			want:  []string{`the file is an XLSX workbook, whose cells need no delimiter: drop --delimiter`},
		},
		{
			name:  "encoding option on a workbook",
			build: func(t *testing.T, f *excelize.File) {},
			opts:  ReadOptions{Encoding: "windows-1252"},
			want:  []string{`the file is an XLSX workbook, whose text is always Unicode: drop --encoding`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := workbook(t, func(f *excelize.File) { tt.build(t, f) })
			_, problems := readWorkbook(t, data, tt.opts)
			if !slices.Equal(problems, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestReadNotAWorkbook(t *testing.T) {
	_, problems := readWorkbook(t, []byte("PK\x03\x04 not a zip archive"), ReadOptions{})
	want := `cannot read the workbook (zip: not a valid zip file): save it again as "Excel Workbook (.xlsx)", or as "CSV UTF-8"`
	if len(problems) != 1 || problems[0] != want {
		t.Errorf("problems = %q, want %q", problems, want)
	}
}
