package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"restock/importer"
	"restock/report"
	"restock/youcan/youcantest"
)

const (
	testToken = "secret-token-4f7a"

	productA  = "0a000000-0000-4000-8000-00000000000a"
	productB  = "0b000000-0000-4000-8000-00000000000b"
	variantA1 = "a1000000-0000-4000-8000-0000000000a1"
	variantA2 = "a2000000-0000-4000-8000-0000000000a2"
	variantB1 = "b1000000-0000-4000-8000-0000000000b1"
	unknownID = "ffffffff-ffff-4fff-8fff-ffffffffffff"
)

func testSeed() []youcantest.SeedProduct {
	return []youcantest.SeedProduct{
		{ID: productA, Name: "Caftan brodé", Variants: []youcantest.SeedVariant{
			{ID: variantA1, SKU: "CAF-M", Inventory: 10, Variations: map[string]string{"taille": "M"}},
			{ID: variantA2, SKU: "CAF-L", Inventory: 0, Variations: map[string]string{"taille": "L"}},
		}},
		{ID: productB, Name: "زيت أركان 100 مل", Variants: []youcantest.SeedVariant{
			{ID: variantB1, Inventory: 5, IsDefault: true},
		}},
	}
}

// invocation is one in-process run of the command.
type invocation struct {
	code   int
	stdout string
	stderr string
}

// testEnv is a fake store and a folder to run the command in.
type testEnv struct {
	t      *testing.T
	store  *youcantest.Store
	apiURL string
	dir    string
	env    map[string]string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	store := youcantest.NewStore(testToken, testSeed())
	server := httptest.NewServer(store)
	t.Cleanup(server.Close)
	return &testEnv{
		t:      t,
		store:  store,
		apiURL: server.URL,
		dir:    t.TempDir(),
		env:    map[string]string{tokenVariable: testToken, "XDG_STATE_HOME": t.TempDir()},
	}
}

// writeFile writes a file in the test folder and returns its path.
func (e *testEnv) writeFile(name, content string) string {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// run runs the command against the fake store with fast settings.
func (e *testEnv) run(stdin string, args ...string) invocation {
	e.t.Helper()
	args = append([]string{"--api-url", e.apiURL, "--rate", "1000"}, args...)
	return e.runWith(context.Background(), stdin, args...)
}

func (e *testEnv) runWith(stop context.Context, stdin string, args ...string) invocation {
	e.t.Helper()
	return runCommand(stop, &command{
		args:             args,
		stdin:            strings.NewReader(stdin),
		getenv:           func(name string) string { return e.env[name] },
		progressInterval: 10 * time.Millisecond,
	})
}

// runCommand runs cmd in-process, with empty standard input unless cmd has
// one, and returns its exit code and output.
func runCommand(stop context.Context, cmd *command) invocation {
	var stdout, stderr bytes.Buffer
	if cmd.stdin == nil {
		cmd.stdin = strings.NewReader("")
	}
	cmd.stdout, cmd.stderr = &stdout, &stderr
	code := cmd.run(stop, context.Background())
	return invocation{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// sandboxRunner returns a function that runs the command with --sandbox,
// a high rate and --quiet, keeping the demo store's state under stateHome.
func sandboxRunner(stateHome string) func(args ...string) invocation {
	return func(args ...string) invocation {
		return runCommand(context.Background(), &command{
			args:   append([]string{"--sandbox", "--rate", "1000", "--quiet"}, args...),
			getenv: func(name string) string { return map[string]string{"XDG_STATE_HOME": stateHome}[name] },
		})
	}
}

func (e *testEnv) inventory(productID, variantID string) int {
	e.t.Helper()
	n, ok := e.store.Inventory(productID, variantID)
	if !ok {
		e.t.Fatalf("no variant %s of product %s in the store", variantID, productID)
	}
	return n
}

func readJSONReport(t *testing.T, path string) report.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the report: %v", err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("decode the report: %v", err)
	}
	return r
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return records
}

const validCSV = "product_id,variant_id,quantity,note\n" +
	productA + "," + variantA1 + ",3,étagère 2\n" +
	productB + "," + variantB1 + ",7,رف 3\n" +
	productA + "," + variantA2 + ",4,\n"

func TestCommandAppliesFileAndWritesReport(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV)
	reportPath := filepath.Join(e.dir, "out.json")

	got := e.run("", "--report", reportPath, input)

	if got.code != exitOK {
		t.Fatalf("exit code = %d, want 0; stderr:\n%s", got.code, got.stderr)
	}
	if a1, a2, b1 := e.inventory(productA, variantA1), e.inventory(productA, variantA2), e.inventory(productB, variantB1); a1 != 13 || a2 != 4 || b1 != 12 {
		t.Errorf("store levels = %d, %d, %d, want 13, 4, 12", a1, a2, b1)
	}

	r := readJSONReport(t, reportPath)
	if r.Summary.Applied != 3 || r.Summary.Rows != 3 {
		t.Errorf("summary = %+v, want 3 rows applied", r.Summary)
	}
	if r.Run.Input != input || r.Run.APIURL != e.apiURL || r.Run.DryRun || len(r.Run.SHA256) != 64 {
		t.Errorf("run = %+v", r.Run)
	}
	row := r.Rows[1]
	if row.Line != 3 || row.ProductName != "زيت أركان 100 مل" || row.Status != "applied" || *row.Inventory != 12 || *row.ProductInventory != 12 {
		t.Errorf("row 2 = %+v, want line 3 of the Arabic product, applied, at 12", row)
	}
	product := r.Products[0]
	if product.ProductID != productA || product.Rows != 2 || product.Added != 7 || *product.Inventory != 17 {
		t.Errorf("product A = %+v, want 2 rows, 7 added, 17 in stock", product)
	}
	if !strings.Contains(got.stderr, "3 rows: 3 applied") || !strings.Contains(got.stderr, "report: "+reportPath) {
		t.Errorf("stderr lacks the summary or the report path:\n%s", got.stderr)
	}
}

func TestCommandReadsStandardInput(t *testing.T) {
	e := newTestEnv(t)
	reportPath := filepath.Join(e.dir, "out.csv")

	got := e.run(validCSV, "--report", reportPath, "-")

	if got.code != exitOK {
		t.Fatalf("exit code = %d, want 0; stderr:\n%s", got.code, got.stderr)
	}
	rows := readCSV(t, reportPath)
	wantHeader := []string{"line", "product_id", "product_name", "variant_id", "variant", "sku", "quantity", "status", "inventory", "product_inventory", "error"}
	if !slices.Equal(rows[0], wantHeader) {
		t.Errorf("report header = %q, want %q", rows[0], wantHeader)
	}
	if want := []string{"2", productA, "Caftan brodé", variantA1, "taille: M", "CAF-M", "3", "applied", "13", "13", ""}; !slices.Equal(rows[1], want) {
		t.Errorf("report row = %q, want %q", rows[1], want)
	}
	products := readCSV(t, filepath.Join(e.dir, "out-products.csv"))
	if want := []string{productB, "زيت أركان 100 مل", "1", "7", "12"}; !slices.Equal(products[2], want) {
		t.Errorf("products row = %q, want %q", products[2], want)
	}
	if e.inventory(productB, variantB1) != 12 {
		t.Errorf("stdin rows were not applied")
	}
}

func TestCommandInvalidFileSendsNothing(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("bad.csv", "product_id,variant_id,quantity\n"+
		productA+","+variantA1+",3\n"+
		productA+","+variantA2+",2.5\n"+
		"\n"+
		","+variantB1+",1\n"+
		productA+","+variantA1+",1\n")

	got := e.run("", "--report", filepath.Join(e.dir, "out.csv"), input)

	if got.code != exitInvalid {
		t.Fatalf("exit code = %d, want 2; stderr:\n%s", got.code, got.stderr)
	}
	for _, want := range []string{
		`invalid file "` + input + `": 3 problems; nothing was sent`,
		"  line 2: variant " + variantA1 + " of product " + productA + " appears on lines 2 and 6",
		`  line 3: quantity "2.5" is not a whole number`,
		`  line 5: product_id "" is empty`,
	} {
		if !strings.Contains(got.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
		}
	}
	if n := len(e.store.Requests()); n != 0 {
		t.Errorf("store received %d requests, want none", n)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "out.csv")); !os.IsNotExist(err) {
		t.Errorf("a report was written for an invalid file: %v", err)
	}
}

func TestCommandSampleInvalidListsEveryError(t *testing.T) {
	e := newTestEnv(t)
	e.env = nil

	got := e.runWith(context.Background(), "", "--dry-run", "samples/invalid.csv")

	if got.code != exitInvalid {
		t.Fatalf("exit code = %d, want 2; stderr:\n%s", got.code, got.stderr)
	}
	var lines []string
	for _, line := range strings.Split(got.stderr, "\n") {
		if strings.HasPrefix(line, "  line ") {
			lines = append(lines, strings.SplitN(line, ":", 2)[0])
		}
	}
	// Line 17 repeats the variant of line 2: that problem is listed at
	// line 2, naming both lines.
	var want []string
	for n := 2; n <= 18; n++ {
		if n != 17 {
			want = append(want, "  line "+strconv.Itoa(n))
		}
	}
	if !slices.Equal(lines, want) {
		t.Errorf("problem lines = %q, want one per line 2 to 18 but 17:\n%s", lines, got.stderr)
	}
	if !strings.Contains(got.stderr, "appears on lines 2 and 17") {
		t.Errorf("stderr does not list the duplicate of lines 2 and 17:\n%s", got.stderr)
	}
}

func TestCommandFailedRowsAndExitCode(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV+unknownID+","+variantB1+",2,lost\n")
	failedPath := filepath.Join(e.dir, "retry.csv")

	got := e.run("", "--report", filepath.Join(e.dir, "out.json"), "--failed-rows", failedPath, input)

	if got.code != exitRowsFailed {
		t.Fatalf("exit code = %d, want 1; stderr:\n%s", got.code, got.stderr)
	}
	records := readCSV(t, failedPath)
	if want := []string{"product_id", "variant_id", "quantity", "note", "error"}; !slices.Equal(records[0], want) {
		t.Errorf("failed rows header = %q, want %q", records[0], want)
	}
	if len(records) != 2 || records[1][0] != unknownID || records[1][3] != "lost" || !strings.Contains(records[1][4], "404") {
		t.Errorf("failed rows = %q, want the unknown product's row with a 404 error", records)
	}
	if e.inventory(productA, variantA1) != 13 {
		t.Error("the valid rows were not applied")
	}
}

func TestCommandStopsOnUnauthorized(t *testing.T) {
	e := newTestEnv(t)
	e.env[tokenVariable] = "revoked-token-9c2e"
	input := e.writeFile("stock.csv", validCSV)
	reportPath := filepath.Join(e.dir, "out.json")

	got := e.run("", "--concurrency", "1", "--report", reportPath, input)

	if got.code != exitStopped {
		t.Fatalf("exit code = %d, want 3; stderr:\n%s", got.code, got.stderr)
	}
	if !strings.Contains(got.stderr, "the store rejected the token") {
		t.Errorf("stderr lacks the reason:\n%s", got.stderr)
	}
	r := readJSONReport(t, reportPath)
	if r.Summary.Failed != 1 || r.Summary.NotAttempted != 2 {
		t.Errorf("summary = %+v, want 1 failed and 2 not attempted", r.Summary)
	}
	data, _ := os.ReadFile(reportPath)
	for name, text := range map[string]string{"stderr": got.stderr, "stdout": got.stdout, "report": string(data)} {
		if strings.Contains(text, "revoked-token-9c2e") {
			t.Errorf("%s contains the token", name)
		}
	}
}

func TestCommandInterrupted(t *testing.T) {
	e := newTestEnv(t)
	e.store.SetLatency(30 * time.Millisecond)
	input := e.writeFile("stock.csv", validCSV)
	reportPath := filepath.Join(e.dir, "out.json")
	stop, cancel := context.WithCancelCause(context.Background())
	go func() {
		for range 1000 {
			if len(e.store.Requests()) > 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		cancel(&interruptedError{signal: syscall.SIGINT})
	}()

	got := e.runWith(stop, "", "--api-url", e.apiURL, "--rate", "1000", "--concurrency", "1", "--report", reportPath, input)

	if got.code != exitInterrupted {
		t.Fatalf("exit code = %d, want 130; stderr:\n%s", got.code, got.stderr)
	}
	r := readJSONReport(t, reportPath)
	if r.Summary.Applied != 1 || r.Summary.NotAttempted != 2 {
		t.Errorf("summary = %+v, want the request in flight applied and 2 not attempted", r.Summary)
	}
	if e.inventory(productA, variantA1) != 13 {
		t.Error("the request in flight did not finish")
	}
}

func TestCommandDryRun(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV+productA+","+unknownID+",1,\n")
	reportPath := filepath.Join(e.dir, "out.json")

	got := e.run("", "--dry-run", "--report", reportPath, input)

	if got.code != exitRowsFailed {
		t.Fatalf("exit code = %d, want 1 as one row would fail; stderr:\n%s", got.code, got.stderr)
	}
	r := readJSONReport(t, reportPath)
	if !r.Run.DryRun || r.Summary.Valid != 3 || r.Summary.Failed != 1 {
		t.Errorf("report = %+v, want a dry run with 3 valid and 1 failed", r.Summary)
	}
	row := r.Rows[2]
	if *row.CurrentInventory != 0 || *row.Inventory != 4 || *row.CurrentProductInventory != 13 || *row.ProductInventory != 17 {
		t.Errorf("row 3 levels = %+v, want 0 -> 4 and 13 -> 17", row)
	}
	if e.inventory(productA, variantA1) != 10 {
		t.Error("the dry run changed the store")
	}
}

func TestCommandDryRunWithoutToken(t *testing.T) {
	e := newTestEnv(t)
	e.env = nil
	input := e.writeFile("stock.csv", validCSV)

	got := e.run("", "--dry-run", "--report", filepath.Join(e.dir, "out.json"), input)

	if got.code != exitOK {
		t.Fatalf("exit code = %d, want 0; stderr:\n%s", got.code, got.stderr)
	}
	if !strings.Contains(got.stderr, "YOUCAN_TOKEN is not set: checking the file only, not the store") {
		t.Errorf("stderr does not say the store was not checked:\n%s", got.stderr)
	}
	if n := len(e.store.Requests()); n != 0 {
		t.Errorf("store received %d requests, want none", n)
	}
}

func TestCommandRunWithoutTokenIsRejected(t *testing.T) {
	e := newTestEnv(t)
	e.env = nil
	input := e.writeFile("stock.csv", validCSV)

	got := e.run("", input)

	if got.code != exitInvalid || !strings.Contains(got.stderr, "YOUCAN_TOKEN is not set") {
		t.Fatalf("exit code = %d, want 2 with a hint about YOUCAN_TOKEN; stderr:\n%s", got.code, got.stderr)
	}
}

func TestCommandProgressLinesWithoutTerminal(t *testing.T) {
	e := newTestEnv(t)
	e.store.SetLatency(15 * time.Millisecond)
	input := e.writeFile("stock.csv", validCSV)

	got := e.run("", "--concurrency", "1", "--report", filepath.Join(e.dir, "out.csv"), input)

	if got.code != exitOK {
		t.Fatalf("exit code = %d, want 0; stderr:\n%s", got.code, got.stderr)
	}
	if !strings.Contains(got.stderr, "restock: progress: ") {
		t.Errorf("stderr has no progress line:\n%s", got.stderr)
	}
	if strings.Contains(got.stderr, "\r") {
		t.Errorf("stderr contains a carriage return although it is not a terminal:\n%q", got.stderr)
	}
}

func TestCommandQuietPrintsNoProgress(t *testing.T) {
	e := newTestEnv(t)
	e.store.SetLatency(15 * time.Millisecond)
	input := e.writeFile("stock.csv", validCSV)

	got := e.run("", "--quiet", "--concurrency", "1", "--report", filepath.Join(e.dir, "out.csv"), input)

	if strings.Contains(got.stderr, "progress:") {
		t.Errorf("--quiet printed progress:\n%s", got.stderr)
	}
}

func TestCommandSandbox(t *testing.T) {
	dir := t.TempDir()
	reportPath := filepath.Join(dir, "sandbox.json")
	var stdout, stderr bytes.Buffer
	stateHome := t.TempDir()
	cmd := &command{
		args:   []string{"--sandbox", "--rate", "1000", "--report", reportPath, "samples/restock.csv"},
		stdin:  strings.NewReader(""),
		stdout: &stdout, stderr: &stderr,
		getenv: func(name string) string { return map[string]string{"XDG_STATE_HOME": stateHome}[name] },
	}

	code := cmd.run(context.Background(), context.Background())

	if code != exitOK {
		t.Fatalf("exit code = %d, want 0; stderr:\n%s", code, stderr.String())
	}
	// Each variant's level in the report is its seed level plus the rows
	// applied to it so far.
	seed := make(map[string]int)
	for _, product := range youcantest.SandboxSeed() {
		for _, variant := range product.Variants {
			seed[variant.ID] = variant.Inventory
		}
	}
	r := readJSONReport(t, reportPath)
	if len(r.Rows) == 0 {
		t.Fatal("the sandbox report has no rows")
	}
	for _, row := range r.Rows {
		seed[row.VariantID] += row.Quantity
		if row.Status != "applied" || row.Inventory == nil || *row.Inventory != seed[row.VariantID] {
			t.Errorf("line %d: status %s, inventory %v, want applied at %d", row.Line, row.Status, row.Inventory, seed[row.VariantID])
		}
		if row.ProductName == "" {
			t.Errorf("line %d has no product name", row.Line)
		}
	}
}

func TestCommandUsageErrors(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", nil, "missing FILE"},
		{"two files", []string{input, input}, "one FILE at a time, got 2"},
		{"zero rate", []string{"--rate", "0", input}, "invalid --rate 0"},
		{"zero concurrency", []string{"--concurrency", "0", input}, "invalid --concurrency 0"},
		{"bad timeout", []string{"--timeout", "-1s", input}, "invalid --timeout -1s"},
		{"unknown flag", []string{"--token", "x", input}, "unknown flag --token"},
		{"timeout without unit", []string{"--timeout", "5", input}, `invalid --timeout "5": give a duration with a unit, such as 30s or 2m`},
		{"folder as file", []string{e.dir}, "is a folder: name a CSV file"},
		{"log format", []string{"--log-format", "xml", input}, `invalid --log-format "xml"`},
		{"max quantity", []string{"--max-quantity", "-1", input}, "invalid --max-quantity -1"},
		{"http notify", []string{"--notify", "http://127.0.0.1:1/hook", input}, "use https://, or pass --allow-http"},
		{"report extension", []string{"--report", "out.txt", input}, `invalid --report "out.txt"`},
		{"report folder", []string{"--report", filepath.Join(e.dir, "missing", "out.csv"), input}, "does not exist"},
		{"sandbox with api url", []string{"--sandbox", "--api-url", "http://127.0.0.1:1", input}, "--sandbox and --api-url cannot be used together"},
		{"missing input", []string{filepath.Join(e.dir, "nope.csv")}, `nope.csv": no such file or directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.runWith(context.Background(), "", tt.args...)
			if got.code != exitInvalid {
				t.Errorf("exit code = %d, want 2", got.code)
			}
			if !strings.Contains(got.stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, got.stderr)
			}
			if len(e.store.Requests()) != 0 {
				t.Errorf("store received requests")
			}
		})
	}
}

func TestCommandFlagsAfterFile(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV)
	reportPath := filepath.Join(e.dir, "out.json")

	got := e.run("", input, "--dry-run", "--report", reportPath)

	if got.code != exitOK || !readJSONReport(t, reportPath).Run.DryRun {
		t.Fatalf("exit code = %d, want 0 and a dry-run report; stderr:\n%s", got.code, got.stderr)
	}
}

func TestCommandHelp(t *testing.T) {
	got := (&testEnv{t: t}).runWith(context.Background(), "", "--help")

	if got.code != exitOK {
		t.Fatalf("exit code = %d, want 0", got.code)
	}
	for _, want := range []string{"Usage: restock [flags] FILE", "--rate N", "requests per second", "Exit codes:", "130", "YOUCAN_TOKEN"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestCommandRepeatGuard(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV)
	first := e.run("", "--report", filepath.Join(e.dir, "1.json"), input)
	if first.code != exitOK {
		t.Fatalf("first run exit code = %d; stderr:\n%s", first.code, first.stderr)
	}
	sent := len(e.store.Requests())

	second := e.run("", "--report", filepath.Join(e.dir, "2.json"), input)

	if second.code != exitInvalid {
		t.Fatalf("second run exit code = %d, want 2; stderr:\n%s", second.code, second.stderr)
	}
	for _, want := range []string{"was already applied by run ", "3 applied", "pass --allow-repeat"} {
		if !strings.Contains(second.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, second.stderr)
		}
	}
	if n := len(e.store.Requests()); n != sent {
		t.Errorf("the rejected run sent %d requests", n-sent)
	}

	third := e.run("", "--allow-repeat", "--report", filepath.Join(e.dir, "3.json"), input)
	if third.code != exitOK || e.inventory(productA, variantA1) != 16 {
		t.Errorf("--allow-repeat: exit code %d, stock %d; want 0 and 10+3+3", third.code, e.inventory(productA, variantA1))
	}
}

// runIDOf returns the run id printed on stderr.
func runIDOf(t *testing.T, stderr string) string {
	t.Helper()
	_, after, ok := strings.Cut(stderr, "restock: run ")
	if !ok {
		t.Fatalf("stderr names no run:\n%s", stderr)
	}
	id, _, _ := strings.Cut(after, ",")
	return id
}

func TestCommandResumeAfterStop(t *testing.T) {
	e := newTestEnv(t)
	e.store.Inject(youcantest.Fault{VariantID: variantA2, Status: http.StatusForbidden})
	input := e.writeFile("stock.csv", validCSV)

	// Product A's rows go first: A1 is applied, A2 gets the 403, and
	// product B is never sent.
	first := e.run("", "--concurrency", "1", "--report", filepath.Join(e.dir, "1.json"), input)
	if first.code != exitStopped {
		t.Fatalf("first run exit code = %d, want 3; stderr:\n%s", first.code, first.stderr)
	}
	id := runIDOf(t, first.stderr)
	if !strings.Contains(first.stderr, "restock --resume "+id+" "+input) {
		t.Errorf("stderr does not say how to resume:\n%s", first.stderr)
	}

	again := e.run("", "--report", filepath.Join(e.dir, "2.json"), input)
	if again.code != exitInvalid || !strings.Contains(again.stderr, "stopped before sending every row") {
		t.Fatalf("new run of an unfinished file: exit code %d, want 2 pointing to --resume; stderr:\n%s", again.code, again.stderr)
	}

	other := e.writeFile("other.csv", validCSV+"\n")
	wrong := e.run("", "--resume", id, "--report", filepath.Join(e.dir, "3.json"), other)
	if wrong.code != exitInvalid || !strings.Contains(wrong.stderr, "differs from the file that run read") {
		t.Fatalf("resume with another file: exit code %d, want 2; stderr:\n%s", wrong.code, wrong.stderr)
	}

	reportPath := filepath.Join(e.dir, "4.json")
	// The cause is fixed (the fault is used up): the resume sends the 403
	// row, which the store certainly did not apply, and the row never sent.
	resumed := e.run("", "--resume", id, "--report", reportPath, input)
	if resumed.code != exitOK {
		t.Fatalf("resume exit code = %d, want 0; stderr:\n%s", resumed.code, resumed.stderr)
	}
	r := readJSONReport(t, reportPath)
	if r.Run.ID != id || r.Summary.Applied != 3 || len(r.Rows) != 3 {
		t.Errorf("resumed report run %q, summary %+v; want run %s covering the whole file", r.Run.ID, r.Summary, id)
	}
	if a1, a2, b1 := e.inventory(productA, variantA1), e.inventory(productA, variantA2), e.inventory(productB, variantB1); a1 != 13 || a2 != 4 || b1 != 12 {
		t.Errorf("stock = %d, %d and %d, want 13, 4 and 12: each row applied once", a1, a2, b1)
	}
}

func TestCommandUnknownRowsAndRetry(t *testing.T) {
	e := newTestEnv(t)
	e.store.Inject(youcantest.Fault{VariantID: variantB1, Status: http.StatusBadGateway, ApplyFirst: false})
	input := e.writeFile("stock.csv", validCSV)
	reportPath := filepath.Join(e.dir, "1.json")

	first := e.run("", "--report", reportPath, input)

	if first.code != exitUnknown {
		t.Fatalf("exit code = %d, want 4; stderr:\n%s", first.code, first.stderr)
	}
	id := runIDOf(t, first.stderr)
	if !strings.Contains(first.stderr, "restock --resume "+id+" --retry-unknown "+input) {
		t.Errorf("stderr does not say how to retry the unknown row:\n%s", first.stderr)
	}
	if r := readJSONReport(t, reportPath); r.Summary.Unknown != 1 || r.Rows[1].Status != "unknown" {
		t.Errorf("summary %+v, row 2 %q; want one unknown row", r.Summary, r.Rows[1].Status)
	}

	// The user checked the store: the 502 did not apply the row.
	retried := e.run("", "--resume", id, "--retry-unknown", "--report", filepath.Join(e.dir, "2.json"), input)
	if retried.code != exitOK {
		t.Fatalf("retry exit code = %d, want 0; stderr:\n%s", retried.code, retried.stderr)
	}
	if b1, a1 := e.inventory(productB, variantB1), e.inventory(productA, variantA1); b1 != 12 || a1 != 13 {
		t.Errorf("stock = %d and %d, want 12 and 13: only the unknown row sent again", b1, a1)
	}
}

func TestCommandListsRuns(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV)
	first := e.run("", "--report", filepath.Join(e.dir, "1.json"), input)
	id := runIDOf(t, first.stderr)

	got := e.runWith(context.Background(), "", "runs")

	if got.code != exitOK {
		t.Fatalf("exit code = %d; stderr:\n%s", got.code, got.stderr)
	}
	for _, want := range []string{"RUN", id, "finished", input, "3 applied"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("runs output lacks %q:\n%s", want, got.stdout)
		}
	}
}

func TestCommandLockRejectsSecondRun(t *testing.T) {
	e := newTestEnv(t)
	stateDir := filepath.Join(e.dir, "state")
	state, err := importer.OpenStateDir(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	unlock, _, err := state.Lock(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	input := e.writeFile("stock.csv", validCSV)

	got := e.run("", "--state-dir", stateDir, "--report", filepath.Join(e.dir, "1.json"), input)

	if got.code != exitInvalid || !strings.Contains(got.stderr, "another restock run (pid ") {
		t.Fatalf("exit code = %d, want 2 naming the holder; stderr:\n%s", got.code, got.stderr)
	}
	if len(e.store.Requests()) != 0 {
		t.Error("a rejected run sent requests")
	}
}
