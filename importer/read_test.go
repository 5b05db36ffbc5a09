package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gocarina/gocsv"
)

const (
	product1 = "11111111-1111-4111-8111-111111111111"
	product2 = "22222222-2222-4222-8222-222222222222"
	variant1 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	variant2 = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
)

// readRows reads input and fails the test if it is invalid.
func readRows(t *testing.T, input string) *Input {
	t.Helper()
	in, err := Read(strings.NewReader(input), "stock.csv")
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return in
}

// readProblems reads input and returns its problems as strings, failing the
// test if it is valid.
func readProblems(t *testing.T, input string) []string {
	t.Helper()
	_, err := Read(strings.NewReader(input), "stock.csv")
	var invalid *InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("Read returned %v, want an *InvalidInputError", err)
	}
	problems := make([]string, len(invalid.Problems))
	for i, p := range invalid.Problems {
		problems[i] = p.String()
	}
	return problems
}

func TestReadValid(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantLines []int
		wantQty   []int
		wantBlank int
	}{
		{
			name:      "plain",
			input:     "product_id,variant_id,quantity\n" + product1 + "," + variant1 + ",5\n",
			wantLines: []int{2},
			wantQty:   []int{5},
		},
		{
			name:      "columns in any order with extra columns",
			input:     "note,quantity,variant_id,product_id\nhello,7," + variant1 + "," + product1 + "\n",
			wantLines: []int{2},
			wantQty:   []int{7},
		},
		{
			name:      "header case and spaces ignored",
			input:     " Product_ID ,\tVARIANT_ID,Quantity \n" + product1 + "," + variant1 + ",1\n",
			wantLines: []int{2},
			wantQty:   []int{1},
		},
		{
			name:      "byte-order mark ignored",
			input:     "\uFEFFproduct_id,variant_id,quantity\n" + product1 + "," + variant1 + ",3\n",
			wantLines: []int{2},
			wantQty:   []int{3},
		},
		{
			name:      "leading zeros are decimal, not octal",
			input:     "product_id,variant_id,quantity\n" + product1 + "," + variant1 + ",010\n",
			wantLines: []int{2},
			wantQty:   []int{10},
		},
		{
			name:      "spaces and tabs around values trimmed",
			input:     "product_id,variant_id,quantity\n " + product1 + "\t,\t" + variant1 + " , 4 \n",
			wantLines: []int{2},
			wantQty:   []int{4},
		},
		{
			name:      "upper-case ids accepted",
			input:     "product_id,variant_id,quantity\n" + strings.ToUpper(product1) + "," + strings.ToUpper(variant1) + ",2\n",
			wantLines: []int{2},
			wantQty:   []int{2},
		},
		{
			name: "blank lines and delimiter-only rows skipped but counted in lines",
			input: "product_id,variant_id,quantity\n\n" +
				product1 + "," + variant1 + ",1\n" +
				" , ,\t\n" +
				",,\n" +
				product2 + "," + variant2 + ",2\n",
			wantLines: []int{3, 6},
			wantQty:   []int{1, 2},
			wantBlank: 3,
		},
		{
			name: "line breaks inside quoted cells count",
			input: "product_id,variant_id,quantity,note\n" +
				product1 + "," + variant1 + ",1,\"two\nlines\"\n" +
				product2 + "," + variant2 + ",2,plain\n",
			wantLines: []int{2, 4},
			wantQty:   []int{1, 2},
		},
		{
			name:      "empty lines at the end counted",
			input:     "product_id,variant_id,quantity\r\n" + product1 + "," + variant1 + ",1\r\n\r\n\n",
			wantLines: []int{2},
			wantQty:   []int{1},
			wantBlank: 2,
		},
		{
			name:      "CRLF line endings",
			input:     "product_id,variant_id,quantity\r\n" + product1 + "," + variant1 + ",9\r\n",
			wantLines: []int{2},
			wantQty:   []int{9},
		},
		{
			name:      "largest 32-bit quantity",
			input:     "product_id,variant_id,quantity\n" + product1 + "," + variant1 + ",2147483647\n",
			wantLines: []int{2},
			wantQty:   []int{2147483647},
		},
		{
			name:      "no final line break",
			input:     "product_id,variant_id,quantity\n" + product1 + "," + variant1 + ",6",
			wantLines: []int{2},
			wantQty:   []int{6},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := readRows(t, tt.input)
			var lines, quantities []int
			for _, row := range in.Rows {
				lines = append(lines, row.Line)
				quantities = append(quantities, row.Quantity)
			}
			if !slices.Equal(lines, tt.wantLines) {
				t.Errorf("lines = %v, want %v", lines, tt.wantLines)
			}
			if !slices.Equal(quantities, tt.wantQty) {
				t.Errorf("quantities = %v, want %v", quantities, tt.wantQty)
			}
			if in.BlankRows != tt.wantBlank {
				t.Errorf("BlankRows = %d, want %d", in.BlankRows, tt.wantBlank)
			}
		})
	}
}

func TestReadRowFields(t *testing.T) {
	in := readRows(t, "\uFEFFnote,Product_ID,variant_id,quantity\nرف ٣,"+strings.ToUpper(product1)+","+variant1+",12\n")

	if got, want := in.Header, []string{"note", "Product_ID", "variant_id", "quantity"}; !slices.Equal(got, want) {
		t.Errorf("Header = %q, want %q", got, want)
	}
	row := in.Rows[0]
	if got := row.ProductID.String(); got != product1 {
		t.Errorf("ProductID = %s, want the lower-case %s", got, product1)
	}
	if got := row.VariantID.String(); got != variant1 {
		t.Errorf("VariantID = %s, want %s", got, variant1)
	}
	if want := []string{"رف ٣", strings.ToUpper(product1), variant1, "12"}; !slices.Equal(row.Cells(), want) {
		t.Errorf("Cells() = %q, want the cells as read %q", row.Cells(), want)
	}
}

func TestReadHashesWholeInput(t *testing.T) {
	input := "\uFEFFproduct_id,variant_id,quantity\n" + product1 + "," + variant1 + ",1\n"
	in := readRows(t, input)

	sum := sha256.Sum256([]byte(input))
	if want := hex.EncodeToString(sum[:]); in.SHA256 != want {
		t.Errorf("SHA256 = %s, want %s (the bytes as read, byte-order mark included)", in.SHA256, want)
	}
}

func TestReadInvalid(t *testing.T) {
	const header = "product_id,variant_id,quantity\n"
	row := func(quantity string) string { return product1 + "," + variant1 + "," + quantity + "\n" }

	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{
			name:  "decimal quantity",
			input: header + row("2.5"),
			want:  []string{`line 2: quantity "2.5" is not a whole number of units: write digits only, without a decimal mark or thousands separator`},
		},
		{
			name:  "thousands separator or decimal comma",
			input: header + product1 + "," + variant1 + ",\"1,000\"\n",
			want:  []string{`line 2: quantity "1,000" could be 1000 with a thousands separator, or 1 with a decimal mark: write the number of units in digits only`},
		},
		{
			name:  "plus sign",
			input: header + row("+4"),
			want:  []string{`line 2: quantity "+4" has a sign: write the number without '+'`},
		},
		{
			name:  "negative",
			input: header + row("-4"),
			want:  []string{`line 2: quantity "-4" is negative: restock only adds stock, so write the number of units to add`},
		},
		{
			name:  "zero",
			input: header + row("0"),
			want:  []string{`line 2: quantity "0" is zero: a row must add at least 1 unit, so delete the row instead`},
		},
		{
			name:  "zeros only",
			input: header + row("000"),
			want:  []string{`line 2: quantity "000" is zero: a row must add at least 1 unit, so delete the row instead`},
		},
		{
			name:  "hexadecimal",
			input: header + row("0x1F"),
			want:  []string{`line 2: quantity "0x1F" is not a decimal number: write it with the digits 0-9`},
		},
		{
			name:  "underscore separator",
			input: header + row("1_000"),
			want:  []string{`line 2: quantity "1_000" contains '_': write digits only, without separators`},
		},
		{
			name:  "empty quantity with ids is an error, not a blank row",
			input: header + row(""),
			want:  []string{`line 2: quantity "" is empty: write the number of units to add, at least 1`},
		},
		{
			name:  "above 32 bits",
			input: header + row("2147483648"),
			want:  []string{`line 2: quantity "2147483648" is too large: the maximum is 2147483647`},
		},
		{
			name:  "far above 64 bits",
			input: header + row("99999999999999999999999"),
			want:  []string{`line 2: quantity "99999999999999999999999" is too large: the maximum is 2147483647`},
		},
		{
			name:  "Arabic-Indic digits",
			input: header + row("١٢"),
			want:  []string{`line 2: quantity "١٢" uses digits other than 0-9: write it with the digits 0-9`},
		},
		{
			name:  "words",
			input: header + row("ten"),
			want:  []string{`line 2: quantity "ten" is not a number: write the number of units to add, digits only`},
		},
		{
			name:  "no-break space is not trimmed",
			input: header + row("5\u00a0"),
			want:  []string{`line 2: quantity "5\u00a0" is not a number: write the number of units to add, digits only`},
		},
		{
			name:  "id not a UUID",
			input: header + "12345," + variant1 + ",1\n",
			want:  []string{`line 2: product_id "12345" is not a valid product id: expected a UUID such as 8c52bba1-fea1-42b1-ab92-1e7107c78954`},
		},
		{
			name:  "id in braces",
			input: header + product1 + ",{" + variant1 + "},1\n",
			want:  []string{`line 2: variant_id "{` + variant1 + `}" is not a valid variant id: expected a UUID such as 8c52bba1-fea1-42b1-ab92-1e7107c78954`},
		},
		{
			name:  "id with a zero-width space",
			input: header + product1 + "\u200b," + variant1 + ",1\n",
			want:  []string{`line 2: product_id "` + product1 + `\u200b" is not a valid product id: expected a UUID such as 8c52bba1-fea1-42b1-ab92-1e7107c78954`},
		},
		{
			name:  "variant id without product id",
			input: header + "," + variant1 + ",3\n",
			want:  []string{`line 2: product_id "" is empty: a row with a variant_id needs the product id too`},
		},
		{
			name:  "no product id",
			input: header + ",,3\n",
			want:  []string{`line 2: product_id "" is empty: every row needs the product id`},
		},
		{
			name:  "column name as written in the header",
			input: "Product_ID,variant_id,count,Quantity\n" + product1 + "," + variant1 + ",x,-1\n",
			want:  []string{`line 2: Quantity "-1" is negative: restock only adds stock, so write the number of units to add`},
		},
		{
			name:  "every problem of a row and of the file, in line order",
			input: header + "x,y,z\n" + row("1") + "\n" + product2 + ",,0\n",
			want: []string{
				`line 2: product_id "x" is not a valid product id: expected a UUID such as 8c52bba1-fea1-42b1-ab92-1e7107c78954`,
				`line 2: variant_id "y" is not a valid variant id: expected a UUID such as 8c52bba1-fea1-42b1-ab92-1e7107c78954`,
				`line 2: quantity "z" is not a number: write the number of units to add, digits only`,
				`line 5: quantity "0" is zero: a row must add at least 1 unit, so delete the row instead`,
			},
		},
		{
			name:  "wrong number of cells, other rows still checked",
			input: header + product1 + "," + variant1 + "\n" + row("1") + product1 + "," + variant1 + ",1,extra\n" + row("-2"),
			want: []string{
				`line 2: 2 cells where the header has 3: check for a missing or extra delimiter`,
				`line 4: 4 cells where the header has 3: check for a missing or extra delimiter`,
				`line 5: quantity "-2" is negative: restock only adds stock, so write the number of units to add`,
			},
		},
		{
			name:  "missing column names the header found",
			input: "product_id,variant_id,amount\n" + row("1"),
			want:  []string{`line 1: missing column "quantity": the header found is "product_id","variant_id","amount"; the header must name product_id, variant_id and quantity, or sku and quantity`},
		},
		{
			name:  "missing product id and sku",
			input: "variant_id,quantity\n" + variant1 + ",1\n",
			want:  []string{`line 1: missing column "product_id": the header found is "variant_id","quantity"; the header must name product_id, variant_id and quantity, or sku and quantity`},
		},
		{
			name:  "repeated column",
			input: "product_id,variant_id,quantity,Quantity\n" + row("1") + "\n",
			want:  []string{`line 1: column "quantity" appears 2 times (columns 3 and 4) in the header "product_id","variant_id","quantity","Quantity": keep one`},
		},
		{
			name:  "empty file",
			input: "",
			want:  []string{`the file is empty: it needs a header row naming product_id, variant_id and quantity, then one row per variant`},
		},
		{
			name:  "byte-order mark only",
			input: "\uFEFF",
			want:  []string{`the file is empty: it needs a header row naming product_id, variant_id and quantity, then one row per variant`},
		},
		{
			name:  "header only",
			input: header,
			want:  []string{`no data rows after the header (0 blank rows skipped): add one row per variant to restock`},
		},
		{
			name:  "header and blank rows only",
			input: header + ",,\n\n , , \n",
			want:  []string{`no data rows after the header (3 blank rows skipped): add one row per variant to restock`},
		},
		{
			name:  "text after a closing quote",
			input: header + row("1") + product1 + "," + variant1 + ",\"5\"x\n" + row("2"),
			want:  []string{`line 3: text after the closing quote of a cell: put the whole cell in quotes and double the quotes inside it`},
		},
		{
			name:  "bare quote",
			input: header + row("1") + product1 + "," + variant1 + ",5\"\n" + row("2"),
			want:  []string{`line 3: a quote (") inside a cell that does not start with one: put the whole cell in quotes and double the quotes inside it`},
		},
		{
			name:  "unclosed quote",
			input: header + row("1") + product1 + "," + variant1 + ",\"5\n" + row("2"),
			want:  []string{`line 3: a quoted cell starts here and is never closed, so everything up to line 4 was read as one cell: add the closing quote`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readProblems(t, tt.input)
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestReadProblemFields(t *testing.T) {
	_, err := Read(strings.NewReader("product_id,variant_id,Quantity\n\n"+product1+","+variant1+", 2.5\n"), "stock.csv")
	var invalid *InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("Read returned %v, want an *InvalidInputError", err)
	}
	if invalid.Name != "stock.csv" {
		t.Errorf("Name = %q, want %q", invalid.Name, "stock.csv")
	}
	p := invalid.Problems[0]
	if p.Line != 3 {
		t.Errorf("Line = %d, want 3", p.Line)
	}
	if p.Column != "Quantity" {
		t.Errorf("Column = %q, want the header as written, %q", p.Column, "Quantity")
	}
	if p.Value != " 2.5" {
		t.Errorf("Value = %q, want the value as written, %q", p.Value, " 2.5")
	}
}

// gocsv's settings are package-wide, so another package of the program may
// change them; Read must not depend on them.
func TestReadIgnoresGocsvSettings(t *testing.T) {
	gocsv.SetHeaderNormalizer(strings.ToUpper)
	gocsv.FailIfUnmatchedStructTags = true
	gocsv.FailIfDoubleHeaderNames = true
	t.Cleanup(func() {
		gocsv.SetHeaderNormalizer(gocsv.DefaultNameNormalizer())
		gocsv.FailIfUnmatchedStructTags = false
		gocsv.FailIfDoubleHeaderNames = false
	})

	in := readRows(t, "note,note,Quantity,product_id,variant_id\na,b,010,"+product1+","+variant1+"\n")
	if len(in.Rows) != 1 || in.Rows[0].Quantity != 10 {
		t.Fatalf("rows = %+v, want one row of quantity 10", in.Rows)
	}
	if got := in.Rows[0].VariantID.String(); got != variant1 {
		t.Errorf("VariantID = %s, want %s", got, variant1)
	}
}

// FuzzRead checks that Read never panics and that every row it accepts
// satisfies the rules it enforces.
func FuzzRead(f *testing.F) {
	f.Add("product_id,variant_id,quantity\n" + product1 + "," + variant1 + ",5\n")
	f.Add("\uFEFFquantity;product_id\n1;2\n")
	f.Add("product_id,variant_id,quantity,note\n" + product1 + "," + variant1 + ",010,\"a\nb\"\n,,\n")
	f.Add("product_id,variant_id,quantity\n" + product1 + "," + variant1 + ",\"5\n")
	f.Add("sep=;\r\nProduct ID;SKU;Qté\r" + product1 + ";CAF-M;1\u00a0000\r")
	f.Add(encodeUTF16("sku\tquantity\r\nTAG-S\t'5\r\n", false, true))
	f.Add("sku|qty\n1,23457E+13|5,0\n\xe9|1\n")
	f.Fuzz(func(t *testing.T, input string) {
		in, err := Read(strings.NewReader(input), "fuzz.csv")
		if err != nil {
			var invalid *InvalidInputError
			if !errors.As(err, &invalid) || len(invalid.Problems) == 0 {
				t.Fatalf("Read returned %v, want an *InvalidInputError with problems", err)
			}
			return
		}
		if len(in.Rows) == 0 {
			t.Fatal("Read accepted a file without data rows")
		}
		previousLine := 0
		for _, row := range in.Rows {
			if row.Quantity < 1 || row.Quantity > MaxQuantity {
				t.Errorf("line %d: accepted quantity %d", row.Line, row.Quantity)
			}
			if len(row.Cells()) != len(in.Header) {
				t.Errorf("line %d: %d cells, header has %d", row.Line, len(row.Cells()), len(in.Header))
			}
			if row.Line <= previousLine {
				t.Errorf("line %d follows line %d", row.Line, previousLine)
			}
			previousLine = row.Line
			if _, err := parseID(row.ProductID.String(), "product"); err != nil {
				t.Errorf("line %d: product id %s does not parse back: %v", row.Line, row.ProductID, err)
			}
		}
	})
}
