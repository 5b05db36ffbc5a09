package importer

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const (
	variant3 = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
)

func TestPlanGroupsByProductInFileOrder(t *testing.T) {
	in := readRows(t, "product_id,variant_id,quantity\n"+
		product2+","+variant2+",1\n"+
		product1+","+variant1+",2\n"+
		product2+","+variant3+",3\n")

	plan, err := NewPlan(in, false)
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	if len(plan.Products) != 2 {
		t.Fatalf("got %d products, want 2", len(plan.Products))
	}
	if got := plan.Products[0].ProductID.String(); got != product2 {
		t.Errorf("first product = %s, want %s, the first in the file", got, product2)
	}
	var quantities []int
	for _, request := range plan.Products[0].Requests {
		quantities = append(quantities, request.Quantity)
	}
	if !slices.Equal(quantities, []int{1, 3}) {
		t.Errorf("quantities of the first product = %v, want [1 3] in file order", quantities)
	}
	if len(plan.Requests) != 3 || plan.MergedLines != 0 {
		t.Errorf("got %d requests and %d merged lines, want 3 and 0", len(plan.Requests), plan.MergedLines)
	}
	for i, request := range plan.Requests {
		if request.Index != i {
			t.Errorf("request %d has Index %d", i, request.Index)
		}
	}
}

var duplicates = "product_id,variant_id,quantity\n" +
	product1 + "," + variant1 + ",2\n" +
	product1 + "," + variant2 + ",1\n" +
	"\n" +
	strings.ToUpper(product1) + "," + strings.ToUpper(variant1) + ",5\n" +
	product1 + "," + variant1 + ",010\n"

func TestPlanRejectsDuplicates(t *testing.T) {
	in := readRows(t, duplicates)

	_, err := NewPlan(in, false)
	var invalid *InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("NewPlan returned %v, want an *InvalidInputError", err)
	}
	want := "line 2: variant " + variant1 + " of product " + product1 + " appears on lines 2, 5 and 6: keep one row per variant, or pass --merge-duplicates to add their quantities up"
	if len(invalid.Problems) != 1 || invalid.Problems[0].String() != want {
		t.Errorf("problems = %v, want one:\n%s", invalid.Problems, want)
	}
}

func TestPlanMergesDuplicates(t *testing.T) {
	in := readRows(t, duplicates)

	plan, err := NewPlan(in, true)
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	if len(plan.Requests) != 2 {
		t.Fatalf("got %d requests, want 2", len(plan.Requests))
	}
	merged := plan.Requests[0]
	if merged.Quantity != 17 {
		t.Errorf("merged quantity = %d, want 2+5+10 = 17", merged.Quantity)
	}
	if !slices.Equal(merged.Rows, []int{0, 2, 3}) {
		t.Errorf("merged rows = %v, want [0 2 3]", merged.Rows)
	}
	if plan.MergedLines != 2 {
		t.Errorf("MergedLines = %d, want 2", plan.MergedLines)
	}
}

func TestPlanRejectsMergedQuantityTooLarge(t *testing.T) {
	in := readRows(t, "product_id,variant_id,quantity\n"+
		product1+","+variant1+",2147483647\n"+
		product1+","+variant1+",1\n")

	_, err := NewPlan(in, true)
	var invalid *InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("NewPlan returned %v, want an *InvalidInputError", err)
	}
	want := "line 2: variant " + variant1 + " of product " + product1 + " appears on lines 2 and 3, whose quantities add up to 2147483648, above the maximum of 2147483647"
	if got := invalid.Problems[0].String(); got != want {
		t.Errorf("problem = %s\nwant      %s", got, want)
	}
}

func TestLoadListsDuplicatesWithOtherProblems(t *testing.T) {
	input := "product_id,variant_id,quantity\n" +
		product1 + "," + variant1 + ",2\n" +
		product1 + "," + variant1 + ",-1\n" +
		product1 + "," + variant2 + ",x\n" +
		product1 + "," + variant1 + ",3\n"

	_, err := Load(strings.NewReader(input), "stock.csv", false)
	var invalid *InvalidInputError
	if !errors.As(err, &invalid) {
		t.Fatalf("Load returned %v, want an *InvalidInputError", err)
	}
	var lines []int
	for _, p := range invalid.Problems {
		lines = append(lines, p.Line)
	}
	// Line 3 is invalid, so only lines 2 and 5 are duplicates.
	if !slices.Equal(lines, []int{2, 3, 4}) {
		t.Errorf("problem lines = %v, want [2 3 4]: %v", lines, invalid.Problems)
	}
	if got := invalid.Problems[0].String(); !strings.Contains(got, "appears on lines 2 and 5") {
		t.Errorf("first problem = %q, want the duplicate of lines 2 and 5", got)
	}
}
