//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"restock/importer"
	"restock/youcan/youcantest"
)

// buildBinary builds the command into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "restock")
	build := exec.Command("go", "build", "-o", binary, ".")
	if output, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, output)
	}
	return binary
}

// crashSeed returns products with variants at stock 0, so that a variant's
// stock is the number of times a row of quantity 1 was applied to it.
func crashSeed(products, variantsPerProduct int) ([]youcantest.SeedProduct, string) {
	var seed []youcantest.SeedProduct
	var csv strings.Builder
	csv.WriteString("product_id,variant_id,quantity\n")
	for p := range products {
		product := youcantest.SeedProduct{ID: fmt.Sprintf("%08x-0000-4000-8000-000000000000", p+1), Name: fmt.Sprintf("Produit %d", p+1)}
		for v := range variantsPerProduct {
			id := fmt.Sprintf("%08x-%04x-4000-8000-000000000001", p+1, v+1)
			product.Variants = append(product.Variants, youcantest.SeedVariant{ID: id})
		}
		seed = append(seed, product)
	}
	// Interleave products so that several run at once.
	for v := range variantsPerProduct {
		for p := range products {
			fmt.Fprintf(&csv, "%s,%s,1\n", seed[p].ID, seed[p].Variants[v].ID)
		}
	}
	return seed, csv.String()
}

// The crash test kills the real binary with SIGKILL at random moments and
// resumes it, many times. However the process dies, no row may be applied
// twice, and every row the store applied must be reported applied or
// unknown, never failed or not attempted.
func TestCrashAndResumeNeverAppliesTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it many times")
	}
	binary := buildBinary(t)
	seed, input := crashSeed(8, 15)
	store := youcantest.NewStore(testToken, seed)
	store.SetLatency(3 * time.Millisecond)
	server := httptest.NewServer(store)
	defer server.Close()

	dir := t.TempDir()
	inputPath := filepath.Join(dir, "stock.csv")
	if err := os.WriteFile(inputPath, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	stateDir := filepath.Join(dir, "state")
	// A new seed on every run explores other moments; the log gives it to
	// replay a failure.
	randomSeed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", randomSeed)
	random := rand.New(rand.NewPCG(randomSeed, 0))

	const maxKills = 40
	kills, finalCode := 0, -1
	for attempt := 0; attempt < maxKills+5 && finalCode < 0; attempt++ {
		args := []string{"--api-url", server.URL, "--rate", "150", "--state-dir", stateDir, "--report", filepath.Join(dir, "report.json")}
		if id := onlyRunID(t, stateDir); id != "" {
			args = append(args, "--resume", id)
		}
		args = append(args, inputPath)
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), tokenVariable+"="+testToken)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}

		kill := kills < maxKills
		if kill {
			// Between 0 and 60 ms: before, during and after sending.
			delay := time.Duration(random.IntN(60)) * time.Millisecond
			timer := time.AfterFunc(delay, func() { _ = cmd.Process.Kill() })
			err := cmd.Wait()
			timer.Stop()
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) && exitErr.ExitCode() == -1 {
				kills++
				continue
			}
		} else if err := cmd.Wait(); err != nil && !isExit(err, exitUnknown) {
			t.Fatalf("final resume: %v\n%s", err, stderr.String())
		}
		code := cmd.ProcessState.ExitCode()
		if code == exitInvalid && strings.Contains(stderr.String(), "nothing left to send") {
			finalCode = exitOK
			break
		}
		if code != exitOK && code != exitUnknown {
			t.Fatalf("run exited %d:\n%s", code, stderr.String())
		}
		finalCode = code
	}
	if finalCode < 0 {
		t.Fatalf("the run did not complete after %d kills", kills)
	}
	t.Logf("%d kills, final exit code %d", kills, finalCode)

	id := onlyRunID(t, stateDir)
	state, err := importer.ReadJournal(filepath.Join(stateDir, "runs", id, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !state.Complete() {
		t.Fatalf("the run is not complete: %v", state.RowCounts)
	}

	applied := make(map[string]int)
	for _, request := range store.Requests() {
		if request.Applied {
			applied[request.VariantID]++
		}
	}
	plan, err := importer.Load(strings.NewReader(input), inputPath, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, request := range plan.Requests {
		variantID := request.VariantID.String()
		outcome := state.Outcomes[request.Index]
		n := applied[variantID]
		if n > 1 {
			t.Errorf("variant %s applied %d times", variantID, n)
		}
		if stock, _ := store.Inventory(request.ProductID.String(), variantID); stock != n {
			t.Errorf("variant %s has stock %d after %d applications", variantID, stock, n)
		}
		switch {
		case outcome.Status == importer.StatusApplied && n != 1:
			t.Errorf("variant %s reported applied, but the store applied it %d times", variantID, n)
		case n == 1 && outcome.Status != importer.StatusApplied && outcome.Status != importer.StatusUnknown:
			t.Errorf("variant %s applied by the store, but reported %s", variantID, outcome.Status)
		}
	}
}

// onlyRunID returns the id of the one run in the state folder that has a
// journal, or "" when there is none yet.
func onlyRunID(t *testing.T, stateDir string) string {
	t.Helper()
	state, err := importer.OpenStateDir(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := state.Runs()
	if err != nil {
		t.Fatal(err)
	}
	switch len(runs) {
	case 0:
		return ""
	case 1:
		return runs[0].ID
	default:
		t.Fatalf("%d runs in the state folder, want at most 1: a resume must not start a new run", len(runs))
		return ""
	}
}

func isExit(err error, code int) bool {
	var exitErr *exec.ExitError
	return errors.As(err, &exitErr) && exitErr.ExitCode() == code
}
