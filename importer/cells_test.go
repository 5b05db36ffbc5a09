package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestRowCellsAsRead(t *testing.T) {
	const header = "product_id,variant_id,quantity,note\n"
	row := func(note string) string { return product1 + "," + variant1 + ",2," + note }
	tests := []struct {
		name  string
		input string
		opts  ReadOptions
		want  [][]string // the cells of each valid row
	}{
		{
			name:  "plain",
			input: header + row("x") + "\n",
			want:  [][]string{{product1, variant1, "2", "x"}},
		},
		{
			name:  "CRLF and no line break at the end",
			input: strings.ReplaceAll(header, "\n", "\r\n") + row("x") + "\r\n" + row("y"),
			want:  [][]string{{product1, variant1, "2", "x"}, {product1, variant1, "2", "y"}},
		},
		{
			name:  "blank lines before a row",
			input: header + "\n\r\n\n" + row("x") + "\n",
			want:  [][]string{{product1, variant1, "2", "x"}},
		},
		{
			name:  "spaces and an empty last cell",
			input: header + " " + product1 + " ," + variant1 + ",2,\n",
			want:  [][]string{{" " + product1 + " ", variant1, "2", ""}},
		},
		{
			name:  "quotes, a delimiter and a line break in a cell",
			input: header + row(`"a ""b"", c`+"\r\n"+`d"`) + "\n",
			want:  [][]string{{product1, variant1, "2", "a \"b\", c\nd"}},
		},
		{
			name:  "a row after a line that cannot be read",
			input: header + row(`a "b"`) + "\n" + row("x") + "\n",
			want:  [][]string{{product1, variant1, "2", "x"}},
		},
		{
			name:  "semicolons after an Excel sep line",
			input: "sep=;\nproduct_id;variant_id;quantity;note\n" + product1 + ";" + variant1 + ";2;a,b\n",
			want:  [][]string{{product1, variant1, "2", "a,b"}},
		},
		{
			name:  "a delimiter of two bytes",
			input: strings.ReplaceAll(header+row("x"), ",", "¦") + "\n",
			opts:  ReadOptions{Delimiter: '¦'},
			want:  [][]string{{product1, variant1, "2", "x"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, _, err := read(strings.NewReader(tt.input), "stock.csv", tt.opts)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if len(in.Rows) != len(tt.want) {
				t.Fatalf("got %d rows, want %d", len(in.Rows), len(tt.want))
			}
			for i := range in.Rows {
				if got := in.Rows[i].Cells(); !slices.Equal(got, tt.want[i]) {
					t.Errorf("row %d: Cells() = %q, want %q", i, got, tt.want[i])
				}
			}
		})
	}
}

// TestRowCellsMatchEncodingCSV compares the cells of every row of a
// generated file with the records that encoding/csv reads from it.
func TestRowCellsMatchEncodingCSV(t *testing.T) {
	var file bytes.Buffer
	if err := writeBenchFile(&file, 3000, 7); err != nil {
		t.Fatal(err)
	}
	in := readRows(t, file.String())

	reader := csv.NewReader(bytes.NewReader(file.Bytes()))
	if _, err := reader.Read(); err != nil { // the header
		t.Fatal(err)
	}
	for i := range in.Rows {
		record, err := reader.Read()
		if err != nil {
			t.Fatalf("encoding/csv, record %d: %v", i, err)
		}
		if got := in.Rows[i].Cells(); !slices.Equal(got, record) {
			t.Fatalf("line %d: Cells() = %q, want %q", in.Rows[i].Line, got, record)
		}
	}
	if _, err := reader.Read(); err != io.EOF {
		t.Errorf("encoding/csv read more records than Read returned rows: %v", err)
	}
}

func TestEncodeCellsRoundTrip(t *testing.T) {
	for _, cells := range [][]string{
		{""},
		{"", "", ""},
		{"a", "", "ملاحظة", strings.Repeat("x", 300)},
		{"\x00", "a\r\nb"},
	} {
		if got := decodeCells(encodeCells(cells)); !slices.Equal(got, cells) {
			t.Errorf("decodeCells(encodeCells(%q)) = %q", cells, got)
		}
	}
	if got := (&Row{}).Cells(); got != nil {
		t.Errorf("Cells() of a zero Row = %q, want nil", got)
	}
}

func TestParsePlainQuantity(t *testing.T) {
	tests := []struct {
		value string
		want  int
		ok    bool
	}{
		{"1", 1, true},
		{"010", 10, true},
		{"999999999", 999999999, true},
		{"1000000000", 0, false}, // 10 digits: parseQuantity checks the maximum
		{"0", 0, false},
		{"000", 0, false},
		{"", 0, false},
		{" 5", 0, false},
		{"+5", 0, false},
		{"5.0", 0, false},
		{"٥", 0, false},
	}
	for _, tt := range tests {
		got, ok := parsePlainQuantity(tt.value)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parsePlainQuantity(%q) = %d, %v, want %d, %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func TestKeyIndexFindsFirstPosition(t *testing.T) {
	var keys []uuid.UUID
	index := newKeyIndex(0, func(position int32) uuid.UUID { return keys[position] })
	for i := range 10_000 {
		key := uuid.UUID{byte(i), byte(i >> 8)}
		keys = append(keys, key)
		if _, found := index.findOrAdd(key, int32(i)); found {
			t.Fatalf("key %d found before it was added", i)
		}
	}
	for i, key := range keys {
		if position, found := index.findOrAdd(key, int32(len(keys))); !found || position != int32(i) {
			t.Fatalf("key %d: findOrAdd = %d, %v, want %d, true", i, position, found, i)
		}
	}
}

func TestPlanOfDistinctRows(t *testing.T) {
	input := "product_id,variant_id,quantity\n" +
		product2 + "," + variant2 + ",1\n" +
		product1 + "," + variant1 + ",2\n" +
		product2 + "," + variant3 + ",3\n"
	in := loadInput(t, input, false)
	if !in.distinct.set {
		t.Fatal("LoadInput did not mark rows without duplicates as distinct")
	}
	marked, err := Prepare(context.Background(), in, PrepareOptions{})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	in.distinct = distinctMark{}
	looked, err := Prepare(context.Background(), in, PrepareOptions{})
	if err != nil {
		t.Fatalf("Prepare without the mark: %v", err)
	}

	if got, want := describePlan(marked), describePlan(looked); !slices.Equal(got, want) {
		t.Errorf("plan of marked rows = %q, want %q as without the mark", got, want)
	}
}

// describePlan lists the products of plan with their requests, and each
// request with its rows.
func describePlan(plan *Plan) []string {
	var out []string
	for _, product := range plan.Products {
		out = append(out, "product "+product.ProductID.String())
		for _, request := range product.Requests {
			out = append(out, "variant "+request.VariantID.String())
		}
	}
	for _, request := range plan.Requests {
		out = append(out, fmt.Sprintf("request %d: quantity %d, rows %v", request.Index, request.Quantity, request.Rows))
	}
	return out
}

func TestPlanSeesRowsChangedAfterLoad(t *testing.T) {
	in := loadInput(t, "product_id,variant_id,quantity\n"+
		product1+","+variant1+",2\n"+
		product1+","+variant2+",1\n", false)
	in.Rows[1].VariantID = in.Rows[0].VariantID

	_, err := Prepare(context.Background(), in, PrepareOptions{})
	var invalid *InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("Prepare returned %v, want the duplicate made after LoadInput", err)
	}
	if want := "appears on lines 2 and 3"; !strings.Contains(invalid.Problems[0].Reason, want) {
		t.Errorf("problem = %q, want it to contain %q", invalid.Problems[0].Reason, want)
	}
}

// FuzzSplitRecord checks that splitRecord reads the text of one record as
// encoding/csv does, whether or not the text has quotes.
func FuzzSplitRecord(f *testing.F) {
	f.Add("a,b,c\n")
	f.Add("\n\r\na, b ,\r\nnext")
	f.Add(`"a ""b""",c` + "\n")
	f.Add("x\ry\n")
	f.Fuzz(func(t *testing.T, text string) {
		text = normalizeLineBreaks(text)
		reader := csv.NewReader(strings.NewReader(text))
		reader.FieldsPerRecord = -1
		want, err := reader.Read()
		if err != nil {
			return
		}
		record := text[:reader.InputOffset()]
		if got := splitRecord(record, ','); !slices.Equal(got, want) {
			t.Errorf("splitRecord(%q) = %q, want %q", record, got, want)
		}
	})
}
