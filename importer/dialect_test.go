package importer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
)

// wantRow is a row that a test expects Read to return.
type wantRow struct {
	line     int
	product  string // "" for a zero id
	variant  string
	sku      string
	quantity int
}

func describeRows(rows []Row) []wantRow {
	out := make([]wantRow, len(rows))
	for i, row := range rows {
		out[i] = wantRow{line: row.Line, sku: row.SKU, quantity: row.Quantity}
		if row.ProductID != [16]byte{} {
			out[i].product = row.ProductID.String()
		}
		if row.VariantID != [16]byte{} {
			out[i].variant = row.VariantID.String()
		}
	}
	return out
}

// encodeUTF16 returns text in UTF-16, with the byte-order mark when bom is
// set, as Excel's "Unicode Text" writes it.
func encodeUTF16(text string, bigEndian, bom bool) string {
	units := utf16.Encode([]rune(text))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	var b strings.Builder
	for _, unit := range units {
		high, low := byte(unit>>8), byte(unit)
		if bigEndian {
			b.WriteByte(high)
			b.WriteByte(low)
		} else {
			b.WriteByte(low)
			b.WriteByte(high)
		}
	}
	return b.String()
}

func TestReadDialects(t *testing.T) {
	ids := product1 + "," + variant1
	semicolonIDs := product1 + ";" + variant1
	tests := []struct {
		name  string
		input string
		opts  ReadOptions
		want  []wantRow
	}{
		{
			name:  "French Excel: semicolons, byte-order mark, CRLF",
			input: "\uFEFFproduct_id;variant_id;quantity;note\r\n" + semicolonIDs + ";5;livraison, 3 décembre\r\n",
			want:  []wantRow{{2, product1, variant1, "", 5}},
		},
		{
			name:  "tab-separated",
			input: "product_id\tvariant_id\tquantity\n" + product1 + "\t" + variant1 + "\t4\n",
			want:  []wantRow{{2, product1, variant1, "", 4}},
		},
		{
			name:  "pipe-separated",
			input: "product_id|variant_id|quantity\n" + product1 + "|" + variant1 + "|3\n",
			want:  []wantRow{{2, product1, variant1, "", 3}},
		},
		{
			name:  "comma inside a column name does not beat the semicolons",
			input: "product_id;variant_id;quantity;note, remarque\n" + semicolonIDs + ";2;a, b, c, d\n",
			want:  []wantRow{{2, product1, variant1, "", 2}},
		},
		{
			name:  "Excel sep line is skipped and counted",
			input: "sep=;\r\nproduct_id;variant_id;quantity\r\n" + semicolonIDs + ";3\r\n",
			want:  []wantRow{{3, product1, variant1, "", 3}},
		},
		{
			name:  "sep line quoted with empty cells, as LibreOffice writes it back",
			input: "\"sep=|\"||\nproduct_id|variant_id|quantity\n" + product1 + "|" + variant1 + "|6\n",
			want:  []wantRow{{3, product1, variant1, "", 6}},
		},
		{
			name:  "delimiter flag beats the sep line",
			input: "sep=;\n" + "product_id,variant_id,quantity\n" + ids + ",2\n",
			opts:  ReadOptions{Delimiter: ','},
			want:  []wantRow{{3, product1, variant1, "", 2}},
		},
		{
			name: "lone CR line breaks, also inside a quoted cell",
			input: "product_id,variant_id,quantity,note\r" +
				ids + ",1,\"two\rlines\"\r" +
				product2 + "," + variant2 + ",2,x\r",
			want: []wantRow{{2, product1, variant1, "", 1}, {4, product2, variant2, "", 2}},
		},
		{
			name:  "lone CR without a final line break",
			input: "product_id,variant_id,quantity\r\r" + ids + ",7",
			want:  []wantRow{{3, product1, variant1, "", 7}},
		},
		{
			name:  "UTF-16 little-endian with byte-order mark, tab-separated",
			input: encodeUTF16("product_id\tvariant_id\tquantity\tnote\r\n"+product1+"\t"+variant1+"\t8\tThé\r\n", false, true),
			want:  []wantRow{{2, product1, variant1, "", 8}},
		},
		{
			name:  "UTF-16 big-endian with byte-order mark",
			input: encodeUTF16("product_id\tvariant_id\tquantity\n"+product1+"\t"+variant1+"\t9\n", true, true),
			want:  []wantRow{{2, product1, variant1, "", 9}},
		},
		{
			name:  "UTF-16 without byte-order mark when named",
			input: encodeUTF16("product_id,variant_id,quantity\n"+ids+",1\n", false, false),
			opts:  ReadOptions{Encoding: "utf-16le"},
			want:  []wantRow{{2, product1, variant1, "", 1}},
		},
		{
			name:  "Windows-1252 when named",
			input: "note;product_id;variant_id;quantity\r\nCaf\xe9 cr\xe8me;" + semicolonIDs + ";2\r\n",
			opts:  ReadOptions{Encoding: "windows-1252"},
			want:  []wantRow{{2, product1, variant1, "", 2}},
		},
		{
			name:  "ISO-8859-1 when named",
			input: "note,product_id,variant_id,quantity\nd\xe9cembre," + ids + ",2\n",
			opts:  ReadOptions{Encoding: "iso-8859-1"},
			want:  []wantRow{{2, product1, variant1, "", 2}},
		},
		{
			name:  "header aliases in English",
			input: "Product ID,Variant ID,Qty\n" + ids + ",3\n",
			want:  []wantRow{{2, product1, variant1, "", 3}},
		},
		{
			name:  "header aliases in camel case and French",
			input: "productId;Variante;Quantité\n" + semicolonIDs + ";3\n",
			want:  []wantRow{{2, product1, variant1, "", 3}},
		},
		{
			name:  "leading apostrophe, Excel's text marker, is stripped",
			input: "product_id,variant_id,quantity\n'" + product1 + ",'" + variant1 + ",'12\n",
			want:  []wantRow{{2, product1, variant1, "", 12}},
		},
		{
			name:  "variants named by SKU",
			input: "SKU;Qté\nCAF-M-BLEU;2\n'00123;1\n12E4;3\n",
			want:  []wantRow{{2, "", "", "CAF-M-BLEU", 2}, {3, "", "", "00123", 1}, {4, "", "", "12E4", 3}},
		},
		{
			name: "ids and SKUs mixed; a row with ids uses them",
			input: "product_id,variant_id,sku,quantity\n" +
				ids + ",IGNORED,1\n" +
				",,ARG-100,2\n" +
				product2 + ",,TAG-S,3\n" +
				product2 + ",,,4\n",
			want: []wantRow{
				{2, product1, variant1, "", 1},
				{3, "", "", "ARG-100", 2},
				{4, product2, "", "TAG-S", 3},
				{5, product2, "", "", 4},
			},
		},
		{
			name:  "product without a variant_id column",
			input: "product_id,quantity\n" + product1 + ",5\n",
			want:  []wantRow{{2, product1, "", "", 5}},
		},
		{
			name:  "blank lines before the header are skipped",
			input: ",,\n\nproduct_id,variant_id,quantity\n" + ids + ",1\n",
			want:  []wantRow{{4, product1, variant1, "", 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ReadWith(strings.NewReader(tt.input), "stock.csv", tt.opts)
			if err != nil {
				t.Fatalf("ReadWith: %v", err)
			}
			if got := describeRows(in.Rows); !slices.Equal(got, tt.want) {
				t.Errorf("rows = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReadDecodesRecord(t *testing.T) {
	tests := []struct {
		name       string
		input      string
		opts       ReadOptions
		wantHeader []string
		wantRecord []string
	}{
		{
			name:       "Windows-1252",
			input:      "note;product_id;variant_id;quantity\r\nCaf\xe9 \x80;" + product1 + ";" + variant1 + ";2\r\n",
			opts:       ReadOptions{Encoding: "cp1252"},
			wantHeader: []string{"note", "product_id", "variant_id", "quantity"},
			wantRecord: []string{"Café €", product1, variant1, "2"},
		},
		{
			name:       "UTF-16 with Arabic",
			input:      encodeUTF16("ملاحظة\tproduct_id\tvariant_id\tquantity\r\nزيت\t"+product1+"\t"+variant1+"\t2\r\n", false, true),
			wantHeader: []string{"ملاحظة", "product_id", "variant_id", "quantity"},
			wantRecord: []string{"زيت", product1, variant1, "2"},
		},
		{
			name:       "CR inside a quoted cell of a CR file",
			input:      "note,product_id,variant_id,quantity\r\"a\rb\"," + product1 + "," + variant1 + ",2\r",
			wantHeader: []string{"note", "product_id", "variant_id", "quantity"},
			wantRecord: []string{"a\nb", product1, variant1, "2"},
		},
		{
			name:       "apostrophe kept in the record",
			input:      "product_id,variant_id,quantity\n'" + product1 + "," + variant1 + ",2\n",
			wantHeader: []string{"product_id", "variant_id", "quantity"},
			wantRecord: []string{"'" + product1, variant1, "2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ReadWith(strings.NewReader(tt.input), "stock.csv", tt.opts)
			if err != nil {
				t.Fatalf("ReadWith: %v", err)
			}
			if !slices.Equal(in.Header, tt.wantHeader) {
				t.Errorf("Header = %q, want %q", in.Header, tt.wantHeader)
			}
			if got := in.Rows[0].Cells(); !slices.Equal(got, tt.wantRecord) {
				t.Errorf("Cells() = %q, want %q", got, tt.wantRecord)
			}
		})
	}
}

func TestReadDialectProblems(t *testing.T) {
	const header = "product_id,variant_id,quantity\n"
	ids := product1 + "," + variant1
	row := func(quantity string) string { return ids + "," + quantity + "\n" }
	const (
		reEncode      = `re-save it as "CSV UTF-8", or pass --encoding windows-1252 (or iso-8859-1)`
		noNumber      = "write the number of units in digits only"
		idExample     = "expected a UUID such as 8c52bba1-fea1-42b1-ab92-1e7107c78954"
		missingHeader = "the header must name product_id, variant_id and quantity, or sku and quantity"
	)
	tests := []struct {
		name  string
		input string
		opts  ReadOptions
		want  []string
	}{
		{
			name:  "Windows-1252 byte without --encoding",
			input: "note,product_id,variant_id,quantity\nCaf\xe9," + ids + ",1\n",
			want:  []string{`line 2: byte 0xE9 after "Caf" is not UTF-8: the file was saved in another encoding, most likely Windows-1252 (Excel's "CSV (comma delimited)"), so ` + reEncode},
		},
		{
			name:  "invalid byte at the start of a CR line",
			input: "note,product_id,variant_id,quantity\r\r\xe9t\xe9," + ids + ",1\r",
			want:  []string{`line 3: byte 0xE9 at the start of the line is not UTF-8: the file was saved in another encoding, most likely Windows-1252 (Excel's "CSV (comma delimited)"), so ` + reEncode},
		},
		{
			name:  "UTF-16 little-endian without byte-order mark",
			input: encodeUTF16(header+row("1"), false, false),
			want:  []string{`line 1: the file has NUL bytes, so it is most likely UTF-16 text without a byte-order mark, such as Excel's "Unicode Text": re-save it as "CSV UTF-8", or pass --encoding utf-16le`},
		},
		{
			name:  "UTF-16 big-endian without byte-order mark",
			input: encodeUTF16(header+row("1"), true, false),
			want:  []string{`line 1: the file has NUL bytes, so it is most likely UTF-16 text without a byte-order mark, such as Excel's "Unicode Text": re-save it as "CSV UTF-8", or pass --encoding utf-16be`},
		},
		{
			name:  "UTF-8 byte-order mark with --encoding",
			input: "\uFEFF" + header + row("1"),
			opts:  ReadOptions{Encoding: "windows-1252"},
			want:  []string{`line 1: the file starts with a UTF-8 byte-order mark, so it is UTF-8 and --encoding windows-1252 would misread it: drop --encoding`},
		},
		{
			name:  "UTF-16 byte-order mark with --encoding",
			input: encodeUTF16(header+row("1"), false, true),
			opts:  ReadOptions{Encoding: "iso-8859-1"},
			want:  []string{`line 1: the file starts with a UTF-16 byte-order mark, so it is UTF-16 and --encoding iso-8859-1 would misread it: drop --encoding`},
		},
		{
			name:  "valid UTF-8 with --encoding",
			input: "note," + header + "d\u00e9cembre," + row("1"),
			opts:  ReadOptions{Encoding: "windows-1252"},
			want:  []string{`line 2: the file is valid UTF-8 (it has "é"), so --encoding windows-1252 would misread it: drop --encoding`},
		},
		{
			name:  "unknown encoding",
			input: header + row("1"),
			opts:  ReadOptions{Encoding: "klingon"},
			want:  []string{`unknown encoding "klingon": use utf-8, windows-1252, iso-8859-1, windows-1256 or utf-16le, for example`},
		},
		{
			name:  "two header cells read as one column",
			input: "product_id,Product ID,variant_id,quantity\n" + product1 + "," + ids + ",1\n",
			want:  []string{`line 1: columns 1 and 2 ("product_id","Product ID") of the header "product_id","Product ID","variant_id","quantity" are all read as product_id: keep one, or rename the others`},
		},
		{
			name:  "quantity and qty",
			input: "product_id;variant_id;Quantity;qty\n" + product1 + ";" + variant1 + ";1;1\n",
			want:  []string{`line 1: columns 3 and 4 ("Quantity","qty") of the header "product_id","variant_id","Quantity","qty" are all read as quantity: keep one, or rename the others`},
		},
		{
			name:  "header in one cell suggests --delimiter",
			input: "product_id:variant_id:quantity\n" + product1 + ":" + variant1 + ":1\n",
			want: []string{
				`line 1: missing column "product_id": the header found is "product_id:variant_id:quantity"; ` + missingHeader + `; if another character separates the columns, pass it with --delimiter`,
				`line 1: missing column "quantity": the header found is "product_id:variant_id:quantity"; ` + missingHeader + `; if another character separates the columns, pass it with --delimiter`,
			},
		},
		{
			name:  "forced delimiter that the file does not use",
			input: "product_id;variant_id;quantity|note\n" + product1 + ";" + variant1 + ";2|x\n",
			opts:  ReadOptions{Delimiter: '|'},
			want:  []string{`line 1: missing column "product_id": the header found is "product_id;variant_id;quantity","note"; ` + missingHeader, `line 1: missing column "quantity": the header found is "product_id;variant_id;quantity","note"; ` + missingHeader},
		},
		{
			name:  "sep line counts in line numbers",
			input: "sep=;\nproduct_id;variant_id;quantity\n" + product1 + ";" + variant1 + ";x\n",
			want:  []string{`line 3: quantity "x" is not a number: write the number of units to add, digits only`},
		},
		{
			name:  "sep line counts in an unclosed quote's message",
			input: "sep=,\n" + header + row("\"5") + row("1"),
			want:  []string{`line 3: a quoted cell starts here and is never closed, so everything up to line 4 was read as one cell: add the closing quote`},
		},
		{
			name:  "header only with CR line ends",
			input: "product_id,variant_id,quantity\r",
			want:  []string{`no data rows after the header (0 blank rows skipped): add one row per variant to restock`},
		},
		{
			name:  "header and blank CR lines only",
			input: "product_id;variant_id;quantity\r;;\r\r",
			want:  []string{`no data rows after the header (2 blank rows skipped): add one row per variant to restock`},
		},
		{
			name:  "sep line and header only",
			input: "sep=;\r\nproduct_id;variant_id;quantity\r\n",
			want:  []string{`no data rows after the header (0 blank rows skipped): add one row per variant to restock`},
		},
		{
			name:  "id in scientific notation",
			input: header + "1.23457E+31," + variant1 + ",1\n",
			want:  []string{`line 2: product_id "1.23457E+31" is a number in scientific notation: the spreadsheet read the product id as a number and rounded it, so format the column as Text and type the id again`},
		},
		{
			name:  "id in scientific notation with a decimal comma",
			input: "product_id;variant_id;quantity\n" + product1 + ";1,23457E+31;1\n",
			want:  []string{`line 2: variant_id "1,23457E+31" is a number in scientific notation: the spreadsheet read the variant id as a number and rounded it, so format the column as Text and type the id again`},
		},
		{
			name:  "id from a failed formula",
			input: header + product1 + ",#N/A,1\n",
			want:  []string{`line 2: variant_id "#N/A" is a spreadsheet error value: the formula that fills this cell failed, so fix the formula or type the id again`},
		},
		{
			name:  "apostrophe alone is an empty id",
			input: header + "'," + variant1 + ",1\n",
			want:  []string{`line 2: product_id "'" is empty: a row with a variant_id needs the product id too`},
		},
		{
			name:  "thousands separator: no-break space",
			input: header + row("1\u00a0000"),
			want:  []string{`line 2: quantity "1\u00a0000" has a thousands separator (a no-break space): write 1000, digits only`},
		},
		{
			name:  "thousands separator: narrow no-break space",
			input: "product_id;variant_id;quantity\n" + product1 + ";" + variant1 + ";12\u202f500\n",
			want:  []string{`line 2: quantity "12\u202f500" has a thousands separator (a narrow no-break space): write 12500, digits only`},
		},
		{
			name:  "thousands separator: space",
			input: header + row("1 000"),
			want:  []string{`line 2: quantity "1 000" has a thousands separator (a space): write 1000, digits only`},
		},
		{
			name:  "several thousands separators",
			input: header + row(`"1,234,567"`),
			want:  []string{`line 2: quantity "1,234,567" has thousands separators: write 1234567, digits only`},
		},
		{
			name:  "decimal comma of a whole number",
			input: "product_id;variant_id;quantity\n" + product1 + ";" + variant1 + ";5,0\n",
			want:  []string{`line 2: quantity "5,0" has a decimal mark: write 5, digits only`},
		},
		{
			name:  "decimal point of a whole number",
			input: header + row("12.00"),
			want:  []string{`line 2: quantity "12.00" has a decimal mark: write 12, digits only`},
		},
		{
			name:  "thousands separator or decimal point",
			input: header + row("10.000"),
			want:  []string{`line 2: quantity "10.000" could be 10000 with a thousands separator, or 10 with a decimal mark: ` + noNumber},
		},
		{
			name:  "thousands separator or decimal fraction",
			input: header + row("1.234"),
			want:  []string{`line 2: quantity "1.234" could be 1234 with a thousands separator, or 1.234 with a decimal mark: ` + noNumber},
		},
		{
			name:  "thousands separator and decimal mark",
			input: "product_id;variant_id;quantity\n" + product1 + ";" + variant1 + ";1.234,00\n",
			want:  []string{`line 2: quantity "1.234,00" has a thousands separator and a decimal mark: write 1234, digits only`},
		},
		{
			name:  "decimal comma of a fraction",
			input: "product_id;variant_id;quantity\n" + product1 + ";" + variant1 + ";2,5\n",
			want:  []string{`line 2: quantity "2,5" is not a whole number of units: write digits only, without a decimal mark or thousands separator`},
		},
		{
			name:  "quantity in scientific notation",
			input: header + row("1E+3"),
			want:  []string{`line 2: quantity "1E+3" is a number in scientific notation: write the number of units in digits only`},
		},
		{
			name:  "quantity from a failed formula",
			input: "product_id;variant_id;quantity\n" + product1 + ";" + variant1 + ";#VALEUR!\n",
			want:  []string{`line 2: quantity "#VALEUR!" is a spreadsheet error value: the formula that fills this cell failed, so fix the formula or type the number of units`},
		},
		{
			name:  "SKU in scientific notation",
			input: "sku,quantity\n1.23457E+13,1\n",
			want:  []string{`line 2: sku "1.23457E+13" is a number in scientific notation: the spreadsheet read the SKU as a number and rounded it, so format the column as Text and type the SKUs again`},
		},
		{
			name:  "SKU with a no-break space",
			input: "sku,quantity\nCAF-M\u00a0,1\n",
			want:  []string{`line 2: sku "CAF-M\u00a0" contains the invisible character U+00A0: delete it, since the store's SKU has none`},
		},
		{
			name:  "empty SKU",
			input: "sku,quantity,note\n,1,x\n",
			want:  []string{`line 2: sku "" is empty: every row needs the variant's sku`},
		},
		{
			name:  "neither ids nor SKU",
			input: "product_id,variant_id,sku,quantity\n,,,1\n",
			want:  []string{`line 2: product_id "" is empty, and so is the sku: every row needs the variant's sku, or its product_id and variant_id`},
		},
		{
			name:  "sheet option on a CSV file",
			input: header + row("1"),
			opts:  ReadOptions{Sheet: "Stock"},
			want:  []string{`--sheet "Stock" applies to XLSX workbooks, but the file is CSV: drop --sheet`},
		},
		{
			name:  "Excel 97-2003 workbook",
			input: "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00",
			want:  []string{`the file is an Excel 97-2003 workbook (.xls) or a workbook with a password, which restock cannot read: save it as "Excel Workbook (.xlsx)" without a password, or as "CSV UTF-8"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadWith(strings.NewReader(tt.input), "stock.csv", tt.opts)
			var invalid *InvalidInputError
			if !errors.As(err, &invalid) {
				t.Fatalf("ReadWith returned %v, want an *InvalidInputError", err)
			}
			got := make([]string, len(invalid.Problems))
			for i, p := range invalid.Problems {
				got[i] = p.String()
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestReadProblemNamesColumnAndValue(t *testing.T) {
	input := "sep=;\nProduct ID;Variant ID;Qté\n" + product1 + ";" + variant1 + ";1\u00a0000\n"
	_, err := Read(strings.NewReader(input), "stock.csv")
	var invalid *InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("Read returned %v, want an *InvalidInputError", err)
	}
	p := invalid.Problems[0]
	if p.Line != 3 {
		t.Errorf("Line = %d, want 3", p.Line)
	}
	if p.Column != "Qté" {
		t.Errorf("Column = %q, want the header as written, %q", p.Column, "Qté")
	}
	if p.Value != "1\u00a0000" {
		t.Errorf("Value = %q, want the value as written", p.Value)
	}
}

// Two files with different delimiters and encodings are read at once, so
// that the race detector reports any state shared between reads.
func TestReadConcurrentDialects(t *testing.T) {
	inputs := []struct {
		text     string
		opts     ReadOptions
		quantity int
	}{
		{text: "sep=;\r\nproduct_id;variant_id;quantity\r\n" + product1 + ";" + variant1 + ";3\r\n", quantity: 3},
		{text: encodeUTF16("product_id\tvariant_id\tquantity\r\n"+product1+"\t"+variant1+"\t4\r\n", false, true), quantity: 4},
		{text: "note|product_id|variant_id|quantity\rd\xe9c|" + product1 + "|" + variant1 + "|5\r", opts: ReadOptions{Encoding: "windows-1252"}, quantity: 5},
	}

	const rounds = 50
	errs := make(chan error, len(inputs)*rounds)
	var wg sync.WaitGroup
	for _, input := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				in, err := ReadWith(strings.NewReader(input.text), "stock.csv", input.opts)
				switch {
				case err != nil:
					errs <- err
				case len(in.Rows) != 1 || in.Rows[0].Quantity != input.quantity:
					errs <- fmt.Errorf("rows = %+v, want one row of quantity %d", in.Rows, input.quantity)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestParseDelimiter(t *testing.T) {
	valid := map[string]rune{";": ';', ",": ',', "|": '|', "tab": '\t', "TAB": '\t', `\t`: '\t', "\t": '\t', "semicolon": ';', ":": ':'}
	for value, want := range valid {
		got, err := ParseDelimiter(value)
		if err != nil || got != want {
			t.Errorf("ParseDelimiter(%q) = %q, %v; want %q", value, got, err, want)
		}
	}
	for _, value := range []string{"", ";;", `"`, "\n", "\r"} {
		if _, err := ParseDelimiter(value); err == nil {
			t.Errorf("ParseDelimiter(%q) returned no error", value)
		}
	}
}

func TestParseEncoding(t *testing.T) {
	valid := map[string]string{"windows-1252": "windows-1252", "CP1252": "windows-1252", "ISO-8859-1": "iso-8859-1", "latin1": "latin1", "UTF-8": "utf-8", "utf-16le": "utf-16le", "windows-1256": "windows-1256"}
	for name, want := range valid {
		got, err := ParseEncoding(name)
		if err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := ParseEncoding("klingon"); err == nil {
		t.Error(`ParseEncoding("klingon") returned no error`)
	}
}
