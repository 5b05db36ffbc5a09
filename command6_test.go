package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"restock/youcan/youcantest"
)

// decodeJSONLines decodes every line of stderr as a JSON log record.
func decodeJSONLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var records []map[string]any
	scanner := bufio.NewScanner(strings.NewReader(stderr))
	for scanner.Scan() {
		var record map[string]any
		if err := json.Unmarshal(scanner.Bytes(), &record); err != nil {
			t.Fatalf("stderr line is not JSON: %q (%v)", scanner.Text(), err)
		}
		records = append(records, record)
	}
	return records
}

// findRecord returns the first record whose message contains text.
func findRecord(records []map[string]any, text string) map[string]any {
	for _, record := range records {
		if msg, _ := record["msg"].(string); strings.Contains(msg, text) {
			return record
		}
	}
	return nil
}

func TestCommandJSONLogs(t *testing.T) {
	e := newTestEnv(t)
	e.store.SetLatency(15 * time.Millisecond)
	e.store.Inject(youcantest.Fault{VariantID: variantA1, Status: http.StatusTooManyRequests, RetryAfter: "0"})
	input := e.writeFile("stock.csv", validCSV+unknownID+","+variantB1+",2,\n")
	reportPath := filepath.Join(e.dir, "out.json")

	got := e.run("", "--log-format", "json", "--concurrency", "1", "--report", reportPath, input)

	if got.code != exitRowsFailed {
		t.Fatalf("exit code = %d, want 1; stderr:\n%s", got.code, got.stderr)
	}
	records := decodeJSONLines(t, got.stderr)
	runID := readJSONReport(t, reportPath).Run.ID
	for _, record := range records {
		if record["run_id"] != runID {
			t.Errorf("record %v has run_id %v, want %s", record["msg"], record["run_id"], runID)
		}
		if strings.Contains(record["msg"].(string), testToken) {
			t.Errorf("a record contains the token: %v", record)
		}
	}

	start := findRecord(records, "restocking 4 rows")
	if start == nil || start["input"] != input || start["rows"] != 4.0 || start["rate"] != 1000.0 || len(start["sha256"].(string)) != 64 {
		t.Errorf("start record = %v, want input, sha256, rows and rate", start)
	}
	rate := findRecord(records, "rate changed")
	if rate == nil || rate["from"] != 1000.0 || rate["to"] != 500.0 || rate["level"] != "WARN" {
		t.Errorf("rate change record = %v, want from 1000 to 500", rate)
	}
	failed := findRecord(records, "line 5: failed")
	if failed == nil || failed["line"] != 5.0 || failed["product_id"] != unknownID || failed["variant_id"] != variantB1 || failed["status"] != "failed" || !strings.Contains(failed["reason"].(string), "404") {
		t.Errorf("failed row record = %v, want line, ids, status and reason", failed)
	}
	end := findRecord(records, "4 rows: 3 applied, 1 failed")
	if end == nil || end["applied"] != 3.0 || end["failed"] != 1.0 || end["duration"] == nil {
		t.Errorf("end record = %v, want the counts and duration", end)
	}
	if findRecord(records, "progress:") == nil {
		t.Error("no progress record")
	}
}

func TestCommandJSONLogsForInvalidFile(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("bad.csv", "product_id,variant_id,quantity\n"+productA+","+variantA1+",-2\n")

	got := e.run("", "--log-format", "json", input)

	if got.code != exitInvalid {
		t.Fatalf("exit code = %d, want 2", got.code)
	}
	records := decodeJSONLines(t, got.stderr)
	row := findRecord(records, "invalid row")
	if row == nil || row["line"] != 2.0 || row["column"] != "quantity" || row["value"] != "-2" || row["level"] != "ERROR" {
		t.Errorf("invalid row record = %v", row)
	}
}

func TestCommandGuardRails(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name     string
		body     string
		args     []string
		want     []string
		rejected bool
	}{
		{
			name:     "max rows",
			body:     validCSV,
			args:     []string{"--max-rows", "2"},
			want:     []string{"the file has 3 data rows, more than --max-rows 2"},
			rejected: true,
		},
		{
			name:     "max quantity lists every line",
			body:     "product_id,variant_id,quantity\n" + productA + "," + variantA1 + ",30\n" + productA + "," + variantA2 + ",4\n" + productB + "," + variantB1 + ",31\n",
			args:     []string{"--max-quantity", "10"},
			want:     []string{`line 2: quantity "30" is more than --max-quantity 10`, `line 4: quantity "31" is more than --max-quantity 10`},
			rejected: true,
		},
		{
			name:     "default max quantity",
			body:     "product_id,variant_id,quantity\n" + productA + "," + variantA1 + ",10001\n",
			want:     []string{`line 2: quantity "10001" is more than --max-quantity 10000`},
			rejected: true,
		},
		{
			name: "no quantity limit",
			body: "product_id,variant_id,quantity\n" + productA + "," + variantA1 + ",10001\n",
			args: []string{"--max-quantity", "0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := e.writeFile(strings.ReplaceAll(tt.name, " ", "-")+".csv", tt.body)
			before := len(e.store.Requests())
			args := append(append([]string{}, tt.args...), "--report", filepath.Join(e.dir, "out.json"), input)

			got := e.run("", args...)

			if !tt.rejected {
				if got.code != exitOK {
					t.Fatalf("exit code = %d, want 0; stderr:\n%s", got.code, got.stderr)
				}
				return
			}
			if got.code != exitInvalid {
				t.Fatalf("exit code = %d, want 2; stderr:\n%s", got.code, got.stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(got.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
				}
			}
			if sent := len(e.store.Requests()) - before; sent != 0 {
				t.Errorf("a rejected file sent %d requests", sent)
			}
		})
	}
}

// fileServer serves files over HTTPS on 127.0.0.1, with a slow path and a
// missing one.
func fileServer(t *testing.T, files map[string]string) *httptest.Server {
	t.Helper()
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow.csv" {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(server.Close)
	return server
}

func TestCommandDownloadsInput(t *testing.T) {
	e := newTestEnv(t)
	server := fileServer(t, map[string]string{"/stock.csv": validCSV})
	url := server.URL + "/stock.csv"
	run := func(args ...string) invocation {
		return runCommand(context.Background(), &command{
			args:       append([]string{"--api-url", e.apiURL, "--rate", "1000"}, args...),
			getenv:     func(name string) string { return e.env[name] },
			httpClient: server.Client(),
		})
	}

	first := run("--report", filepath.Join(e.dir, "1.json"), url)

	if first.code != exitOK {
		t.Fatalf("exit code = %d, want 0; stderr:\n%s", first.code, first.stderr)
	}
	if e.inventory(productA, variantA1) != 13 {
		t.Error("the downloaded rows were not applied")
	}
	id := runIDOf(t, first.stderr)
	inputCopy, err := os.ReadFile(filepath.Join(e.env["XDG_STATE_HOME"], "restock", "runs", id, "input"))
	if err != nil || string(inputCopy) != validCSV {
		t.Errorf("input copy = %q, %v; want the downloaded bytes beside the journal", inputCopy, err)
	}

	second := run("--report", filepath.Join(e.dir, "2.json"), url)
	if second.code != exitInvalid || !strings.Contains(second.stderr, "was already applied by run "+id) {
		t.Errorf("second download: exit code %d, want 2 from the repeat guard; stderr:\n%s", second.code, second.stderr)
	}
}

func TestCommandDownloadErrors(t *testing.T) {
	e := newTestEnv(t)
	server := fileServer(t, map[string]string{"/big.csv": validCSV + strings.Repeat(",,\n", 100)})
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"not found", server.URL + "/missing.csv", "the server responded 404 Not Found"},
		{"timeout", server.URL + "/slow.csv", "no complete answer within 200ms"},
		{"too large", server.URL + "/big.csv", "it is larger than 256 bytes"},
		{"plain http", "http://127.0.0.1:1/stock.csv", "use https://, or pass --allow-http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runCommand(context.Background(), &command{
				args:            []string{"--api-url", e.apiURL, "--report", filepath.Join(e.dir, "out.json"), tt.url},
				getenv:          func(name string) string { return e.env[name] },
				httpClient:      server.Client(),
				downloadTimeout: 200 * time.Millisecond,
				maxDownloadSize: 256,
			})

			if got.code != exitInvalid || !strings.Contains(got.stderr, tt.want) {
				t.Errorf("exit code %d, want 2 with %q; stderr:\n%s", got.code, tt.want, got.stderr)
			}
			if len(e.store.Requests()) != 0 {
				t.Error("a failed download sent requests")
			}
		})
	}
}

func TestCommandUndoRestoresLevels(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV)
	first := e.run("", "--report", filepath.Join(e.dir, "1.json"), input)
	if first.code != exitOK {
		t.Fatalf("run exit code = %d; stderr:\n%s", first.code, first.stderr)
	}
	runID := runIDOf(t, first.stderr)

	dry := e.run("", "undo", "--dry-run", "--report", filepath.Join(e.dir, "dry.json"), runID)
	if dry.code != exitOK {
		t.Fatalf("undo dry run exit code = %d; stderr:\n%s", dry.code, dry.stderr)
	}
	if row := readJSONReport(t, filepath.Join(e.dir, "dry.json")).Rows[0]; *row.CurrentInventory != 13 || *row.Inventory != 10 {
		t.Errorf("dry run of line 2 = %d -> %d, want 13 -> 10", *row.CurrentInventory, *row.Inventory)
	}

	// A 401 stops the undo after its first decrement; resuming finishes it.
	e.store.Inject(youcantest.Fault{Method: http.MethodPut, VariantID: variantA2, Status: http.StatusUnauthorized})
	stopped := e.run("", "undo", "--concurrency", "1", "--report", filepath.Join(e.dir, "u1.json"), runID)
	if stopped.code != exitStopped {
		t.Fatalf("undo exit code = %d, want 3; stderr:\n%s", stopped.code, stopped.stderr)
	}
	undoID := runIDOf(t, stopped.stderr)
	if !strings.Contains(stopped.stderr, "restock undo --resume "+undoID+" "+runID) {
		t.Errorf("stderr does not say how to resume the undo:\n%s", stopped.stderr)
	}

	resumed := e.run("", "undo", "--resume", undoID, "--report", filepath.Join(e.dir, "u2.json"), runID)
	if resumed.code != exitOK {
		t.Fatalf("resumed undo exit code = %d, want 0: the 401 row is sent again; stderr:\n%s", resumed.code, resumed.stderr)
	}
	if a1, a2, b1 := e.inventory(productA, variantA1), e.inventory(productA, variantA2), e.inventory(productB, variantB1); a1 != 10 || a2 != 0 || b1 != 5 {
		t.Errorf("stock after undo = %d, %d and %d, want the seed levels 10, 0 and 5", a1, a2, b1)
	}

	again := e.run("", "undo", "--report", filepath.Join(e.dir, "u3.json"), runID)
	if again.code != exitInvalid || !strings.Contains(again.stderr, "was already undone by run "+undoID) {
		t.Errorf("second undo: exit code %d, want 2; stderr:\n%s", again.code, again.stderr)
	}
}

func TestCommandUndoSkipsNegative(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV)
	first := e.run("", "--report", filepath.Join(e.dir, "1.json"), input)
	runID := runIDOf(t, first.stderr)
	// Sales: variant A2 went from 4 down to 1.
	e.store.SetLevels(map[string]int{variantA2: 1})

	got := e.run("", "undo", "--report", filepath.Join(e.dir, "u.json"), runID)

	if got.code != exitRowsFailed || !strings.Contains(got.stderr, "removing 4 units would make the stock negative (it is 1 now") {
		t.Fatalf("exit code = %d, want 1 with the skipped row; stderr:\n%s", got.code, got.stderr)
	}
	if a2, a1 := e.inventory(productA, variantA2), e.inventory(productA, variantA1); a2 != 1 || a1 != 10 {
		t.Errorf("stock = %d and %d, want A2 left at 1 and A1 undone to 10", a2, a1)
	}
}

func TestCommandNotifies(t *testing.T) {
	e := newTestEnv(t)
	var mu sync.Mutex
	var received []notification
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n notification
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
			t.Errorf("notification body: %v", err)
		}
		mu.Lock()
		received = append(received, n)
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/broken") {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer hook.Close()
	input := e.writeFile("stock.csv", validCSV+unknownID+","+variantB1+",2,\n")
	run := func(notifyURL string) invocation {
		return runCommand(context.Background(), &command{
			args:       []string{"--api-url", e.apiURL, "--rate", "1000", "--allow-repeat", "--notify", notifyURL, "--report", filepath.Join(e.dir, "out.json"), input},
			getenv:     func(name string) string { return e.env[name] },
			httpClient: hook.Client(),
		})
	}

	got := run(hook.URL + "/hook")

	if got.code != exitRowsFailed {
		t.Fatalf("exit code = %d; stderr:\n%s", got.code, got.stderr)
	}
	mu.Lock()
	n := received[0]
	mu.Unlock()
	if n.RunID != runIDOf(t, got.stderr) || n.Input != input || n.ExitCode != 1 || n.Outcome != "rows_failed" || n.Report != filepath.Join(e.dir, "out.json") {
		t.Errorf("notification = %+v", n)
	}
	if n.Summary == nil || n.Summary.Applied != 3 || n.Summary.Failed != 1 || n.Duration <= 0 {
		t.Errorf("notification summary = %+v, duration %v", n.Summary, n.Duration)
	}

	broken := run(hook.URL + "/broken")
	if broken.code != exitRowsFailed {
		t.Errorf("exit code with a failing endpoint = %d, want 1 as without it", broken.code)
	}
	if !strings.Contains(broken.stderr, "notification rejected") {
		t.Errorf("stderr does not log the failed notification:\n%s", broken.stderr)
	}
}

func TestCommandNotifiesRejectedRun(t *testing.T) {
	e := newTestEnv(t)
	received := make(chan notification, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n notification
		json.NewDecoder(r.Body).Decode(&n)
		received <- n
	}))
	defer hook.Close()
	input := e.writeFile("bad.csv", "product_id,variant_id,quantity\n"+productA+","+variantA1+",-1\n")

	got := e.run("", "--allow-http", "--notify", hook.URL, input)

	if got.code != exitInvalid {
		t.Fatalf("exit code = %d, want 2", got.code)
	}
	select {
	case n := <-received:
		if n.ExitCode != exitInvalid || n.Outcome != "rejected" || n.Summary != nil || !strings.Contains(n.Error, `line 2: quantity "-1" is negative`) {
			t.Errorf("notification = %+v, want exit code 2, no summary and the first problem", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification for a rejected file")
	}
}

func TestCommandSandboxRemembers(t *testing.T) {
	stateHome := t.TempDir()
	dir := t.TempDir()
	run := sandboxRunner(stateHome)
	firstLevel := func(path string) int {
		return *readJSONReport(t, path).Rows[0].Inventory
	}

	first := run("--report", filepath.Join(dir, "1.json"), "samples/restock.csv")
	if first.code != exitOK {
		t.Fatalf("first run exit code = %d; stderr:\n%s", first.code, first.stderr)
	}
	repeat := run("--report", filepath.Join(dir, "2.json"), "samples/restock.csv")
	if repeat.code != exitInvalid || !strings.Contains(repeat.stderr, "was already applied") {
		t.Fatalf("repeat exit code = %d, want 2; stderr:\n%s", repeat.code, repeat.stderr)
	}
	allowed := run("--allow-repeat", "--report", filepath.Join(dir, "3.json"), "samples/restock.csv")
	quantity := readJSONReport(t, filepath.Join(dir, "1.json")).Rows[0].Quantity
	if allowed.code != exitOK || firstLevel(filepath.Join(dir, "3.json")) != firstLevel(filepath.Join(dir, "1.json"))+quantity {
		t.Errorf("--allow-repeat: exit code %d, level %d; want the first run's level plus %d", allowed.code, firstLevel(filepath.Join(dir, "3.json")), quantity)
	}
	reset := run("--sandbox-reset", "--report", filepath.Join(dir, "4.json"), "samples/restock.csv")
	if reset.code != exitOK || firstLevel(filepath.Join(dir, "4.json")) != firstLevel(filepath.Join(dir, "1.json")) {
		t.Errorf("--sandbox-reset: exit code %d, level %d; want the first run's; stderr:\n%s", reset.code, firstLevel(filepath.Join(dir, "4.json")), reset.stderr)
	}
}

func TestCommandUnknownSKUFailsItsRowOnly(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("skus.csv", "sku;quantité\nCAF-M;2\nNOPE;3\nCAF-L;1\n")
	reportPath := filepath.Join(e.dir, "out.json")
	failedPath := filepath.Join(e.dir, "retry.csv")

	got := e.run("", "--report", reportPath, "--failed-rows", failedPath, input)

	if got.code != exitRowsFailed {
		t.Fatalf("exit code = %d, want 1; stderr:\n%s", got.code, got.stderr)
	}
	if a1, a2 := e.inventory(productA, variantA1), e.inventory(productA, variantA2); a1 != 12 || a2 != 1 {
		t.Errorf("stock = %d and %d, want 12 and 1: the resolved rows are applied", a1, a2)
	}
	r := readJSONReport(t, reportPath)
	if r.Summary.Applied != 2 || r.Summary.Failed != 1 {
		t.Errorf("summary = %+v, want 2 applied and 1 failed", r.Summary)
	}
	row := r.Rows[1]
	if row.Line != 3 || row.Status != "failed" || row.ProductID != "" || !strings.Contains(row.Error, `"NOPE" is not the SKU of any variant`) {
		t.Errorf("row of the unknown SKU = %+v", row)
	}
	if r.Rows[0].VariantID != variantA1 || r.Rows[0].SKU != "CAF-M" {
		t.Errorf("resolved row = %+v, want the resolved ids", r.Rows[0])
	}
	records := readCSV(t, failedPath)
	if len(records) != 2 || records[1][0] != "NOPE" {
		t.Errorf("failed rows = %q, want the NOPE row", records)
	}
}

func TestCommandJSONLogsForFlagError(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV)

	got := e.run("", "--log-format", "json", "--report", filepath.Join(e.dir, "missing", "out.json"), input)

	if got.code != exitInvalid {
		t.Fatalf("exit code = %d, want 2", got.code)
	}
	records := decodeJSONLines(t, got.stderr)
	if findRecord(records, "does not exist") == nil {
		t.Errorf("no JSON record names the missing folder:\n%s", got.stderr)
	}
}

func TestCommandNotifiesRejectedCommandLine(t *testing.T) {
	e := newTestEnv(t)
	received := make(chan notification, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n notification
		json.NewDecoder(r.Body).Decode(&n)
		received <- n
	}))
	defer hook.Close()
	input := e.writeFile("stock.csv", validCSV)

	got := e.run("", "--allow-http", "--notify", hook.URL, "--max-rows", "-1", input)

	if got.code != exitInvalid {
		t.Fatalf("exit code = %d, want 2", got.code)
	}
	select {
	case n := <-received:
		if n.ExitCode != exitInvalid || n.Outcome != "rejected" {
			t.Errorf("notification = %+v, want exit code 2", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification for a rejected command line")
	}
}

func TestCommandRejectsPlainHTTPStore(t *testing.T) {
	e := newTestEnv(t)
	input := e.writeFile("stock.csv", validCSV)

	got := e.runWith(context.Background(), "", "--api-url", "http://store.invalid", input)

	if got.code != exitInvalid || !strings.Contains(got.stderr, "plain http sends the data unencrypted") {
		t.Errorf("exit code %d, want 2 for an http API URL off this machine; stderr:\n%s", got.code, got.stderr)
	}
}

func TestCommandSandboxDryRunShowsCurrentLevels(t *testing.T) {
	stateHome := t.TempDir()
	dir := t.TempDir()
	run := sandboxRunner(stateHome)

	applied := run("--report", filepath.Join(dir, "run.json"), "samples/restock.csv")
	if applied.code != exitOK {
		t.Fatalf("run exit code = %d; stderr:\n%s", applied.code, applied.stderr)
	}
	dry := run("--dry-run", "--report", filepath.Join(dir, "dry.json"), "samples/restock.csv")

	if dry.code != exitOK || !strings.Contains(dry.stderr, "a real run of this file would be rejected") {
		t.Errorf("dry run exit code %d, want 0 with a warning about the repeat; stderr:\n%s", dry.code, dry.stderr)
	}
	after := readJSONReport(t, filepath.Join(dir, "run.json")).Rows[0]
	current := readJSONReport(t, filepath.Join(dir, "dry.json")).Rows[0]
	if *current.CurrentInventory != *after.Inventory {
		t.Errorf("dry run current level = %d, want %d, the level the run left", *current.CurrentInventory, *after.Inventory)
	}

	runID := readJSONReport(t, filepath.Join(dir, "run.json")).Run.ID
	if undo := run("undo", "--report", filepath.Join(dir, "undo.json"), runID); undo.code != exitOK {
		t.Fatalf("undo exit code = %d; stderr:\n%s", undo.code, undo.stderr)
	}
	again := run("undo", "--dry-run", "--report", filepath.Join(dir, "undo2.json"), runID)
	if again.code != exitInvalid || !strings.Contains(again.stderr, "was already undone") {
		t.Errorf("dry run of a second undo: exit code %d, want 2; stderr:\n%s", again.code, again.stderr)
	}
}
