package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"restock/youcan/youcantest"
)

// End-to-end benchmarks: the restock binary, built into a temporary folder,
// runs as a child process against a fake store that the benchmark serves on
// 127.0.0.1. BENCHMARKS.md at the repository root has the command, the
// results and the targets.

const benchToken = "bench-token"

// benchCatalog returns a store seed of products with variantsPerProduct
// variants each, and a restock file that adds stock to every variant once,
// the rows of a product on consecutive lines. The same arguments give the
// same seed and bytes.
func benchCatalog(products, variantsPerProduct int, seed uint64) ([]youcantest.SeedProduct, []byte) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	catalog := make([]youcantest.SeedProduct, products)
	var file strings.Builder
	file.Grow(products * variantsPerProduct * 80)
	file.WriteString("product_id,variant_id,quantity,note\n")

	for i := range catalog {
		product := &catalog[i]
		product.ID = benchUUID(rng)
		product.Name = "Produit " + strconv.Itoa(i)
		product.Variants = make([]youcantest.SeedVariant, variantsPerProduct)
		for j := range product.Variants {
			variant := &product.Variants[j]
			variant.ID = benchUUID(rng)
			variant.SKU = "SKU-" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
			variant.Inventory = rng.IntN(100)
			fmt.Fprintf(&file, "%s,%s,%d,\n", product.ID, variant.ID, 1+rng.IntN(999))
		}
	}
	return catalog, []byte(file.String())
}

// benchUUID returns a random version 4 UUID drawn from rng.
func benchUUID(rng *rand.Rand) string {
	var id uuid.UUID
	binary.LittleEndian.PutUint64(id[:8], rng.Uint64())
	binary.LittleEndian.PutUint64(id[8:], rng.Uint64())
	id[6] = id[6]&0x0f | 0x40 // version 4
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id.String()
}

// benchStore is a fake store served on 127.0.0.1 that counts the
// connections opened to it and the most requests it served at once.
type benchStore struct {
	*youcantest.Store
	url string

	connections atomic.Int64
	inFlight    atomic.Int64
	maxInFlight atomic.Int64
}

// startBenchStore serves a store seeded with catalog until the benchmark
// ends.
func startBenchStore(b *testing.B, catalog []youcantest.SeedProduct, latency time.Duration) *benchStore {
	b.Helper()
	store := &benchStore{Store: youcantest.NewStore(benchToken, catalog)}
	store.SetLatency(latency)

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("listen on 127.0.0.1: %v", err)
	}
	server := &http.Server{
		Handler:           store,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				store.connections.Add(1)
			}
		},
	}
	go server.Serve(listener)
	b.Cleanup(func() { server.Close() })
	store.url = "http://" + listener.Addr().String()
	return store
}

func (s *benchStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		peak := s.maxInFlight.Load()
		if n <= peak || s.maxInFlight.CompareAndSwap(peak, n) {
			break
		}
	}
	s.Store.ServeHTTP(w, r)
}

// requestTimes returns the arrival time of each request, in order. It fails
// the benchmark if any request got a status other than 200.
func (s *benchStore) requestTimes(b *testing.B) []time.Time {
	b.Helper()
	var times []time.Time
	for _, request := range s.Requests() {
		if request.Status != http.StatusOK {
			b.Fatalf("the store answered %s %s with %d, want 200", request.Method, request.Path, request.Status)
		}
		times = append(times, request.Received)
	}
	slices.SortFunc(times, time.Time.Compare)
	return times
}

// buildRestock builds the binary into a temporary folder.
func buildRestock(b *testing.B) string {
	b.Helper()
	binary := filepath.Join(b.TempDir(), "restock")
	build := exec.Command("go", "build", "-o", binary, ".")
	if output, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, output)
	}
	return binary
}

// childResult is what a launched child process used.
type childResult struct {
	ExitCode int
	MaxRSS   int64 // bytes
	User     time.Duration
	System   time.Duration
	Wall     time.Duration
	Output   string // stdout and stderr
}

func (c childResult) cpu() time.Duration { return c.User + c.System }

// launchVariable carries a launchRequest, as JSON, to the launcher process.
const launchVariable = "RESTOCK_BENCH_LAUNCH"

type launchRequest struct {
	Args   []string
	Dir    string
	Result string // the file where the launcher writes its childResult
}

// launch runs args in dir through a launcher: a new process of this test
// binary (BenchmarkLaunchChild) that starts args and reports its rusage. A
// process that os/exec starts also counts its parent's peak in maxrss,
// because the two share memory until exec. The launcher is small (about
// 10 MB, the floor of every MaxRSS measured this way), while this process
// holds the fake store.
func launch(b *testing.B, dir string, env []string, args ...string) childResult {
	b.Helper()
	resultPath := filepath.Join(b.TempDir(), "launch-result.json")
	request, err := json.Marshal(launchRequest{Args: args, Dir: dir, Result: resultPath})
	if err != nil {
		b.Fatal(err)
	}
	launcher := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^BenchmarkLaunchChild$", "-test.benchtime=1x")
	launcher.Env = append(append(os.Environ(), env...), launchVariable+"="+string(request))
	if output, err := launcher.CombinedOutput(); err != nil {
		b.Fatalf("launch %s: %v\n%s", args[0], err, output)
	}

	data, err := os.ReadFile(resultPath)
	if err != nil {
		b.Fatalf("read the launcher's result: %v", err)
	}
	var result childResult
	if err := json.Unmarshal(data, &result); err != nil {
		b.Fatalf("decode the launcher's result: %v", err)
	}
	return result
}

// BenchmarkLaunchChild is the launcher process of launch; it is skipped
// unless RESTOCK_BENCH_LAUNCH is set.
func BenchmarkLaunchChild(b *testing.B) {
	spec := os.Getenv(launchVariable)
	if spec == "" {
		b.Skip("runs only as the launcher process of the end-to-end benchmarks, which set " + launchVariable)
	}
	var request launchRequest
	if err := json.Unmarshal([]byte(spec), &request); err != nil {
		b.Fatalf("decode %s: %v", launchVariable, err)
	}

	var output strings.Builder
	cmd := exec.Command(request.Args[0], request.Args[1:]...)
	cmd.Dir = request.Dir
	cmd.Stdout, cmd.Stderr = &output, &output
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		b.Fatalf("run %s: %v", request.Args[0], err)
	}

	usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Fatal("no rusage for the child process on this system")
	}
	result := childResult{
		ExitCode: cmd.ProcessState.ExitCode(),
		MaxRSS:   usage.Maxrss * 1024, // Linux reports kilobytes
		User:     cmd.ProcessState.UserTime(),
		System:   cmd.ProcessState.SystemTime(),
		Wall:     wall,
		Output:   output.String(),
	}
	data, err := json.Marshal(result)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(request.Result, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// runRestock runs the binary on file against store, with a fresh state
// folder and report in dir, and fails the benchmark unless every row was
// applied.
func runRestock(b *testing.B, binary, dir, file string, store *benchStore, flags ...string) childResult {
	b.Helper()
	stateDir, err := os.MkdirTemp(dir, "state-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(stateDir)
	env := []string{
		tokenVariable + "=" + benchToken,
		// The journal goes to a folder that the benchmark removes.
		"XDG_STATE_HOME=" + stateDir,
		"XDG_CONFIG_HOME=" + stateDir,
		"HOME=" + stateDir,
	}
	args := append([]string{binary, "--api-url", store.url, "--quiet", "--report", filepath.Join(stateDir, "report.csv")}, flags...)
	result := launch(b, dir, env, append(args, file)...)
	if result.ExitCode != 0 {
		b.Fatalf("restock exited with code %d, want 0:\n%s", result.ExitCode, result.Output)
	}
	return result
}

// gapStats sums up the gaps between consecutive request times.
type gapStats struct {
	p1, p50, p99, max time.Duration
	cv                float64 // standard deviation over mean
}

func measureGaps(gaps []time.Duration) gapStats {
	if len(gaps) == 0 {
		return gapStats{}
	}
	sorted := slices.Sorted(slices.Values(gaps))
	at := func(q float64) time.Duration { return sorted[int(q*float64(len(sorted)-1))] }
	var sum, squares float64
	for _, gap := range gaps {
		sum += gap.Seconds()
	}
	mean := sum / float64(len(gaps))
	for _, gap := range gaps {
		squares += (gap.Seconds() - mean) * (gap.Seconds() - mean)
	}
	return gapStats{
		p1:  at(0.01),
		p50: at(0.5),
		p99: at(0.99),
		max: sorted[len(sorted)-1],
		cv:  math.Sqrt(squares/float64(len(gaps))) / mean,
	}
}

func milliseconds(d time.Duration) float64 { return d.Seconds() * 1000 }

// rateRequests is how many requests each point of BenchmarkRate sends: at
// least 100, and about 10 seconds' worth.
func rateRequests(requestsPerSecond float64) int {
	return max(100, int(10*requestsPerSecond))
}

// BenchmarkRate runs a whole file against a store that responds after 50 ms
// or 300 ms, at --rate 5, 50 and 500, with the default --concurrency. Every
// row names its own product, so that every row may go in parallel. It
// reports the achieved rate as the store saw it, (requests - 1) / (last
// arrival - first arrival), divided by --rate; the gaps between arrivals
// (1st, 50th and 99th percentiles, maximum, and coefficient of variation);
// the most requests in flight at the store; and the connections opened.
func BenchmarkRate(b *testing.B) {
	binary := buildRestock(b)
	for _, latency := range []time.Duration{50 * time.Millisecond, 300 * time.Millisecond} {
		for _, requestsPerSecond := range []float64{5, 50, 500} {
			name := fmt.Sprintf("latency=%v/rate=%v", latency, requestsPerSecond)
			b.Run(name, func(b *testing.B) {
				benchmarkRate(b, binary, latency, requestsPerSecond)
			})
		}
	}
}

func benchmarkRate(b *testing.B, binary string, latency time.Duration, requestsPerSecond float64) {
	requests := rateRequests(requestsPerSecond)
	catalog, file := benchCatalog(requests, 1, uint64(requests))
	dir := b.TempDir()
	path := filepath.Join(dir, "restock.csv")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		b.Fatal(err)
	}

	var ratios []float64
	var gaps []time.Duration
	var maxInFlight, connections int64
	for b.Loop() {
		store := startBenchStore(b, catalog, latency)
		runRestock(b, binary, dir, path, store, "--rate", strconv.FormatFloat(requestsPerSecond, 'f', -1, 64))

		times := store.requestTimes(b)
		if len(times) != requests {
			b.Fatalf("the store received %d requests, want %d", len(times), requests)
		}
		span := times[len(times)-1].Sub(times[0])
		ratios = append(ratios, float64(len(times)-1)/span.Seconds()/requestsPerSecond)
		for i := 1; i < len(times); i++ {
			gaps = append(gaps, times[i].Sub(times[i-1]))
		}
		maxInFlight = max(maxInFlight, store.maxInFlight.Load())
		connections = max(connections, store.connections.Load())
	}

	stats := measureGaps(gaps)
	b.ReportMetric(mean(ratios), "rate-ratio")
	b.ReportMetric(slices.Min(ratios), "rate-ratio-min")
	b.ReportMetric(milliseconds(stats.p1), "gap-p1-ms")
	b.ReportMetric(milliseconds(stats.p50), "gap-p50-ms")
	b.ReportMetric(milliseconds(stats.p99), "gap-p99-ms")
	b.ReportMetric(milliseconds(stats.max), "gap-max-ms")
	b.ReportMetric(stats.cv, "gap-cv")
	b.ReportMetric(float64(maxInFlight), "max-in-flight")
	b.ReportMetric(float64(connections), "connections")
}

func mean(values []float64) float64 {
	sum := 0.0
	for _, v := range values {
		sum += v
	}
	return sum / float64(len(values))
}

// overheadRows is the size of the file that BenchmarkOverhead sends.
const overheadRows = 20_000

// BenchmarkOverhead sends a file of 20 000 rows (5 000 products of 4
// variants) with no rate limit (--rate 1e9) to a store on loopback that
// responds at once, first with restock and its default --concurrency, then
// with a plain loop of curl calls run in parallel by xargs -P 8, as a user
// would otherwise script it. It reports requests per second as the store
// saw them, and the CPU time of the client process (with its children, for
// xargs) per request. The store runs in this process and shares the 2
// cores with the client.
//
// The curl loop is skipped when curl is not installed; CI never runs
// benchmarks, so nothing in CI needs curl.
func BenchmarkOverhead(b *testing.B) {
	catalog, file := benchCatalog(overheadRows/4, 4, overheadRows)
	dir := b.TempDir()
	path := filepath.Join(dir, "restock.csv")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		b.Fatal(err)
	}

	b.Run("client=restock", func(b *testing.B) {
		binary := buildRestock(b)
		benchmarkOverhead(b, catalog, func(store *benchStore) childResult {
			return runRestock(b, binary, dir, path, store, "--rate", "1e9")
		})
	})
	b.Run("client=curl-xargs-P8", func(b *testing.B) {
		curl, err := exec.LookPath("curl")
		if err != nil {
			b.Skip("curl is not installed: the curl loop is a reference measured by hand, not a requirement")
		}
		benchmarkOverhead(b, catalog, func(store *benchStore) childResult {
			return runCurlLoop(b, curl, dir, file, store)
		})
	})
}

func benchmarkOverhead(b *testing.B, catalog []youcantest.SeedProduct, send func(*benchStore) childResult) {
	var requests int
	var span, cpu, wall time.Duration
	var maxRSS int64
	for b.Loop() {
		store := startBenchStore(b, catalog, 0)
		result := send(store)
		times := store.requestTimes(b)
		if len(times) != overheadRows {
			b.Fatalf("the store received %d requests, want %d:\n%s", len(times), overheadRows, result.Output)
		}
		requests += len(times) - 1
		span += times[len(times)-1].Sub(times[0])
		cpu += result.cpu()
		wall += result.Wall
		maxRSS = max(maxRSS, result.MaxRSS)
	}
	b.ReportMetric(float64(requests)/span.Seconds(), "requests/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*overheadRows), "CPU-µs/request")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
	b.ReportMetric(float64(maxRSS)/1e6, "peak-RSS-MB")
}

// runCurlLoop sends every row of file with one curl call each, eight at a
// time through xargs -P 8.
func runCurlLoop(b *testing.B, curl, dir string, file []byte, store *benchStore) childResult {
	b.Helper()
	argsPath := filepath.Join(dir, "curl-args.txt")
	args, err := os.Create(argsPath)
	if err != nil {
		b.Fatal(err)
	}
	out := bufio.NewWriter(args)
	lines := strings.Split(strings.TrimSpace(string(file)), "\n")[1:] // without the header
	for _, line := range lines {
		cells := strings.Split(line, ",")
		productID, variantID, quantity := cells[0], cells[1], cells[2]
		// xargs reads single quotes, which keep the JSON's double quotes.
		fmt.Fprintf(out, `--data-raw '{"variant_id":"%s","inventory":%s}' %s/products/%s/inventory/increment`+"\n",
			variantID, quantity, store.url, productID)
	}
	if err := errors.Join(out.Flush(), args.Close()); err != nil {
		b.Fatal(err)
	}

	result := launch(b, dir, nil, "xargs", "-a", argsPath, "-P", "8", "-L", "1",
		curl, "--silent", "--show-error", "--fail", "--output", "/dev/null", "--request", "PUT",
		"--header", "Authorization: Bearer "+benchToken,
		"--header", "Content-Type: application/json",
		"--header", "Accept: application/json")
	if result.ExitCode != 0 {
		b.Fatalf("xargs curl exited with code %d:\n%s", result.ExitCode, result.Output)
	}
	return result
}

// BenchmarkRunMemory sends files of 100 000 and 1 000 000 rows (products of
// 4 variants) with no rate limit and the default --concurrency to a store
// on loopback that responds at once. It reports the peak resident memory of
// the restock process (getrusage maxrss through the launcher), its wall and
// CPU time per row, and its rows per second. Comparing the two sizes shows
// whether any part of a run grows faster than the rows.
//
// The 1 000 000-row run takes minutes on 2 cores.
func BenchmarkRunMemory(b *testing.B) {
	binary := buildRestock(b)
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			catalog, file := benchCatalog(rows/4, 4, uint64(rows))
			dir := b.TempDir()
			path := filepath.Join(dir, "restock.csv")
			if err := os.WriteFile(path, file, 0o644); err != nil {
				b.Fatal(err)
			}
			file = nil // let the collector take it: this process holds the store too

			var maxRSS int64
			var wall, cpu time.Duration
			for b.Loop() {
				store := startBenchStore(b, catalog, 0)
				result := runRestock(b, binary, dir, path, store, "--rate", "1e9")
				if n := len(store.Requests()); n != rows {
					b.Fatalf("the store received %d requests, want %d", n, rows)
				}
				maxRSS = max(maxRSS, result.MaxRSS)
				wall += result.Wall
				cpu += result.cpu()
			}
			rowsSent := float64(b.N * rows)
			b.ReportMetric(float64(maxRSS)/1e6, "peak-RSS-MB")
			b.ReportMetric(float64(wall.Microseconds())/rowsSent, "wall-µs/row")
			b.ReportMetric(float64(cpu.Microseconds())/rowsSent, "CPU-µs/row")
			b.ReportMetric(rowsSent/wall.Seconds(), "rows/s")
		})
	}
}

// BenchmarkRunInProcess runs the command in this process against the store
// on loopback, as BenchmarkOverhead does with the binary, so that
// -cpuprofile and -memprofile see the client and the store together.
func BenchmarkRunInProcess(b *testing.B) {
	catalog, file := benchCatalog(overheadRows/4, 4, overheadRows)
	dir := b.TempDir()
	path := filepath.Join(dir, "restock.csv")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		store := startBenchStore(b, catalog, 0)
		stateDir := b.TempDir()
		var stdout, stderr strings.Builder
		cmd := &command{
			args:   []string{"--api-url", store.url, "--rate", "1e9", "--quiet", "--state-dir", stateDir, "--report", filepath.Join(stateDir, "report.csv"), path},
			stdin:  strings.NewReader(""),
			stdout: &stdout,
			stderr: &stderr,
			getenv: func(name string) string {
				if name == tokenVariable {
					return benchToken
				}
				return ""
			},
		}
		if code := cmd.run(b.Context(), b.Context()); code != 0 {
			b.Fatalf("restock exited with code %d:\n%s", code, stderr.String())
		}
	}
	b.ReportMetric(float64(b.N*overheadRows)/b.Elapsed().Seconds(), "requests/s")
}
