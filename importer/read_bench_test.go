package importer

import (
	"bufio"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gocarina/gocsv"
	"github.com/google/uuid"
)

// Benchmarks of reading and validating a restock file, beside the readers it
// is measured against. BENCHMARKS.md at the repository root has the command,
// the results and the targets.

// benchVariantsPerProduct is how many rows of a generated file name the same
// product, on consecutive lines, each with its own variant.
const benchVariantsPerProduct = 4

// writeBenchFile writes a valid restock file of rows data rows to w. The
// same rows and seed give the same bytes. About one row in ten has a quoted
// note with a comma and an accented letter; the others have an empty note.
// No variant appears twice, so the file loads without --merge-duplicates.
func writeBenchFile(w io.Writer, rows int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := bufio.NewWriterSize(w, 64*1024)
	out.WriteString("product_id,variant_id,quantity,note\n")

	var productID uuid.UUID
	for i := range rows {
		if i%benchVariantsPerProduct == 0 {
			productID = benchUUID(rng)
		}
		variantID := benchUUID(rng)
		note := ""
		if rng.IntN(10) == 0 {
			note = `"livraison du ` + strconv.Itoa(1+rng.IntN(28)) + ` décembre, lot 7"`
		}
		fmt.Fprintf(out, "%s,%s,%d,%s\n", productID, variantID, 1+rng.IntN(999), note)
	}
	return out.Flush()
}

// benchUUID returns a random version 4 UUID drawn from rng.
func benchUUID(rng *rand.Rand) uuid.UUID {
	var id uuid.UUID
	binary.LittleEndian.PutUint64(id[:8], rng.Uint64())
	binary.LittleEndian.PutUint64(id[8:], rng.Uint64())
	id[6] = id[6]&0x0f | 0x40 // version 4
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id
}

// benchReader is one way of reading a restock file. read returns the number
// of data rows it read.
type benchReader struct {
	name string
	read func(r io.Reader) (int, error)
}

// benchReaders are the readers compared. The streaming encoding/csv read is
// the floor for any CSV reader in Go. Validation is measured against gocsv
// decoding into a struct of string fields. Read and Load are this package's
// own, and Load is what the command runs: Read, then duplicate detection and
// grouping by product.
var benchReaders = []benchReader{
	{"encoding-csv", readEncodingCSV},
	{"gocsv-slice", readGocsvSlice},
	{"gocsv-chan", readGocsvChan},
	{"Read", func(r io.Reader) (int, error) {
		in, err := Read(r, "bench.csv")
		if err != nil {
			return 0, err
		}
		return len(in.Rows), nil
	}},
	{"Load", func(r io.Reader) (int, error) {
		plan, err := Load(r, "bench.csv", false)
		if err != nil {
			return 0, err
		}
		return len(plan.Input.Rows), nil
	}},
}

// readEncodingCSV reads every record and keeps none, reusing one record.
func readEncodingCSV(r io.Reader) (int, error) {
	reader := csv.NewReader(r)
	reader.ReuseRecord = true
	rows := -1 // the header is not a data row
	for {
		_, err := reader.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return 0, err
		}
		rows++
	}
}

// benchCells is a data row decoded by gocsv into plain string fields.
type benchCells struct {
	ProductID string `csv:"product_id"`
	VariantID string `csv:"variant_id"`
	Quantity  string `csv:"quantity"`
}

// readGocsvSlice decodes the whole file into a slice, as gocsv.Unmarshal
// does: it reads every record into memory first.
func readGocsvSlice(r io.Reader) (int, error) {
	var rows []benchCells
	err := gocsv.Unmarshal(r, &rows)
	return len(rows), err
}

// readGocsvChan decodes the file into a channel, one row at a time, and
// keeps none of the rows.
func readGocsvChan(r io.Reader) (int, error) {
	decoded := make(chan benchCells, 64)
	decodeErr := make(chan error, 1)
	go func() {
		decodeErr <- gocsv.UnmarshalToChan(r, decoded) // closes decoded when done
	}()
	rows := 0
	for range decoded {
		rows++
	}
	return rows, <-decodeErr
}

// benchFileSizes are the row counts of the generated files.
var benchFileSizes = []int{10_000, 100_000, 1_000_000}

// BenchmarkRead reads generated files of 10 000, 100 000 and 1 000 000 rows
// with each of benchReaders. Besides ns/op and MB/s it reports rows/s, and
// allocations and bytes allocated per row. It also reports the peak resident
// memory (VmHWM) of a child process that reads the same file once, which
// includes the memory of an idle test binary, about 10 MB.
func BenchmarkRead(b *testing.B) {
	dir := b.TempDir()
	for _, rows := range benchFileSizes {
		path := filepath.Join(dir, fmt.Sprintf("restock-%d.csv", rows))
		if err := createBenchFile(path, rows); err != nil {
			b.Fatal(err)
		}
		info, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}

		for _, reader := range benchReaders {
			b.Run(fmt.Sprintf("rows=%d/reader=%s", rows, reader.name), func(b *testing.B) {
				benchmarkRead(b, reader, path, rows, info.Size())
			})
		}
	}
}

func benchmarkRead(b *testing.B, reader benchReader, path string, rows int, size int64) {
	b.SetBytes(size)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		got, err := readBenchFile(reader, path)
		if err != nil {
			b.Fatalf("%s: %v", reader.name, err)
		}
		if got != rows {
			b.Fatalf("%s read %d rows, want %d", reader.name, got, rows)
		}
	}
	runtime.ReadMemStats(&after)

	rowsRead := float64(b.N) * float64(rows)
	b.ReportMetric(rowsRead/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/rowsRead, "allocs/row")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/rowsRead, "B/row")

	peak, err := childPeakRSS(reader.name, path)
	if err != nil {
		b.Fatalf("measure the peak memory of %s: %v", reader.name, err)
	}
	b.ReportMetric(float64(peak)/1e6, "peak-RSS-MB")
}

func createBenchFile(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeBenchFile(f, rows, uint64(rows)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readBenchFile(reader benchReader, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return reader.read(f)
}

// childReadVariable carries "reader=path" to the child process started by
// childPeakRSS.
const childReadVariable = "RESTOCK_BENCH_READ_CHILD"

var (
	peakRSSMu    sync.Mutex
	peakRSSCache = make(map[string]int64) // by reader and path
)

// childPeakRSS returns the peak resident memory, in bytes, of a new process
// of this test binary that reads path once with the named reader. The child
// prints its own VmHWM from /proc/self/status: the getrusage maxrss of a
// child started by os/exec also counts the parent's memory, which the child
// shares until it calls exec. The testing package may call a benchmark
// more than once, so each measure is cached.
func childPeakRSS(readerName, path string) (int64, error) {
	key := readerName + "=" + path
	peakRSSMu.Lock()
	defer peakRSSMu.Unlock()
	if peak, ok := peakRSSCache[key]; ok {
		return peak, nil
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^BenchmarkReadChild$", "-test.benchtime=1x")
	cmd.Env = append(os.Environ(), childReadVariable+"="+key)
	output, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%w: %s", err, output)
	}
	_, after, found := strings.Cut(string(output), peakRSSPrefix)
	if !found {
		return 0, fmt.Errorf("the child printed no %q line: %s", peakRSSPrefix, output)
	}
	kilobytes, err := strconv.ParseInt(strings.TrimSpace(strings.SplitN(after, "\n", 2)[0]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the child printed an invalid %q line: %w", peakRSSPrefix, err)
	}
	peak := kilobytes * 1024
	peakRSSCache[key] = peak
	return peak, nil
}

// peakRSSPrefix starts the line where the child prints its peak resident
// memory in kilobytes.
const peakRSSPrefix = "restock-bench-peak-rss-kB: "

// printPeakRSS prints the VmHWM line of /proc/self/status, the peak resident
// memory of this process, after peakRSSPrefix.
func printPeakRSS() error {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	for line := range strings.Lines(string(status)) {
		if value, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Println(peakRSSPrefix + strings.TrimSuffix(strings.TrimSpace(value), " kB"))
			return nil
		}
	}
	return errors.New("no VmHWM line in /proc/self/status")
}

// BenchmarkReadChild is the child process of childPeakRSS; it is skipped
// unless RESTOCK_BENCH_READ_CHILD is set. The reader "none" reads nothing,
// which measures the test binary alone.
func BenchmarkReadChild(b *testing.B) {
	spec := os.Getenv(childReadVariable)
	if spec == "" {
		b.Skip("runs only as the child process of BenchmarkRead, which sets " + childReadVariable)
	}
	name, path, _ := strings.Cut(spec, "=")
	read := func(io.Reader) (int, error) { return 0, nil }
	if name != "none" {
		index := slices.IndexFunc(benchReaders, func(reader benchReader) bool { return reader.name == name })
		if index < 0 {
			b.Fatalf("unknown reader %q", name)
		}
		read = benchReaders[index].read
	}

	for b.Loop() {
		if _, err := readBenchFile(benchReader{name: name, read: read}, path); err != nil {
			b.Fatal(err)
		}
	}
	if err := printPeakRSS(); err != nil {
		b.Fatal(err)
	}
}
