package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"restock/importer"
	"restock/report"
	"restock/youcan"
)

// Defaults of the flags. The rate is conservative because YouCan documents
// no rate limit.
const (
	// defaultMaxQuantity catches a typo such as 1000 for 10 without blocking
	// a real restock, which rarely adds more units to one variant at once.
	defaultMaxQuantity = 10000

	defaultRate        = 5.0
	defaultConcurrency = 256 // a ceiling: the run uses what --rate × the store's latency needs
	defaultTimeout     = 30 * time.Second
	defaultMaxUnknown  = 10
)

// tokenVariable names the environment variable that holds the API token. The
// token is never a flag, so that it does not show in process lists.
const tokenVariable = "YOUCAN_TOKEN"

// config is the parsed command line.
type config struct {
	input string // a path, or "-" for standard input

	apiURL      string
	rate        float64
	concurrency int
	timeout     time.Duration

	reportPath     string
	failedRowsPath string

	dryRun          bool
	sandbox         bool
	mergeDuplicates bool
	quiet           bool

	// read holds --encoding and --sheet as given, and --delimiter once
	// validate has parsed it.
	read      importer.ReadOptions
	delimiter string

	stateDir     string // "" means the default per-user folder
	resumeID     string
	retryUnknown bool
	allowRepeat  bool
	maxUnknown   int

	logFormat   string
	logLevel    slog.Level
	maxRows     int
	maxQuantity int
	notifyURL   string
	allowHTTP   bool

	sandboxReset  bool
	undo          bool // "restock undo RUN_ID": input is the run id
	allowNegative bool
}

// errHelp reports that --help was given; the help text is already printed.
var errHelp = errors.New("help requested")

// parseArgs parses the command line. Flags may come before or after FILE.
// It returns errHelp after printing the help to stdout for --help, and a
// usage error naming the flag and the fix for anything invalid. With an
// error, the config is returned too, as far as it was parsed, so that the
// error can go to the log format and the notification it names.
func parseArgs(args []string, stdout io.Writer, now time.Time) (*config, error) {
	cfg := &config{}
	flags := flag.NewFlagSet("restock", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // errors are returned and printed once, by the caller
	flags.StringVar(&cfg.apiURL, "api-url", youcan.DefaultBaseURL, "")
	flags.Float64Var(&cfg.rate, "rate", defaultRate, "")
	flags.IntVar(&cfg.concurrency, "concurrency", defaultConcurrency, "")
	flags.DurationVar(&cfg.timeout, "timeout", defaultTimeout, "")
	flags.StringVar(&cfg.reportPath, "report", "", "")
	flags.StringVar(&cfg.failedRowsPath, "failed-rows", "", "")
	flags.BoolVar(&cfg.dryRun, "dry-run", false, "")
	flags.BoolVar(&cfg.sandbox, "sandbox", false, "")
	flags.BoolVar(&cfg.mergeDuplicates, "merge-duplicates", false, "")
	flags.BoolVar(&cfg.quiet, "quiet", false, "")
	flags.StringVar(&cfg.stateDir, "state-dir", "", "")
	flags.StringVar(&cfg.resumeID, "resume", "", "")
	flags.BoolVar(&cfg.retryUnknown, "retry-unknown", false, "")
	flags.BoolVar(&cfg.allowRepeat, "allow-repeat", false, "")
	flags.IntVar(&cfg.maxUnknown, "max-unknown", defaultMaxUnknown, "")
	flags.StringVar(&cfg.logFormat, "log-format", logFormatText, "")
	logLevel := flags.String("log-level", "info", "")
	flags.IntVar(&cfg.maxRows, "max-rows", 0, "")
	flags.IntVar(&cfg.maxQuantity, "max-quantity", defaultMaxQuantity, "")
	flags.StringVar(&cfg.notifyURL, "notify", "", "")
	flags.BoolVar(&cfg.allowHTTP, "allow-http", false, "")
	flags.BoolVar(&cfg.sandboxReset, "sandbox-reset", false, "")
	flags.BoolVar(&cfg.allowNegative, "allow-negative", false, "")
	flags.StringVar(&cfg.delimiter, "delimiter", "", "")
	flags.StringVar(&cfg.read.Encoding, "encoding", "", "")
	flags.StringVar(&cfg.read.Sheet, "sheet", "", "")

	// flag stops at the first argument that is not a flag, so parse again
	// after each one to accept "restock stock.csv --dry-run".
	var files []string
	for {
		if err := flags.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage(stdout)
				return nil, errHelp
			}
			return cfg, describeFlagError(err)
		}
		args = flags.Args()
		if len(args) == 0 {
			break
		}
		files = append(files, args[0])
		args = args[1:]
	}

	// "undo" as the first word selects the undo command; a file named undo
	// is still read as ./undo.
	if len(files) > 0 && files[0] == "undo" {
		cfg.undo = true
		files = files[1:]
	}
	switch {
	case cfg.undo && len(files) != 1:
		return cfg, usageErrorf("restock undo takes one RUN_ID, got %d: run restock runs to list them", len(files))
	case len(files) == 0:
		return cfg, usageErrorf("missing FILE: name the CSV file to read, or - for standard input")
	case len(files) == 1:
		cfg.input = files[0]
	default:
		return cfg, usageErrorf("one FILE at a time, got %d: %s", len(files), strings.Join(quoted(files), " "))
	}

	level, err := parseLogLevel(*logLevel)
	if err != nil {
		return cfg, err
	}
	cfg.logLevel = level

	if cfg.reportPath == "" {
		cfg.reportPath = "restock-report-" + now.UTC().Format("20060102T150405Z") + ".csv"
	}
	apiURLSet := false
	flags.Visit(func(f *flag.Flag) { apiURLSet = apiURLSet || f.Name == "api-url" })
	if err := cfg.validate(apiURLSet); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// validate checks the flag values that parsing alone does not.
func (cfg *config) validate(apiURLSet bool) error {
	if math.IsNaN(cfg.rate) || math.IsInf(cfg.rate, 0) || cfg.rate <= 0 {
		return usageErrorf("invalid --rate %v: give the number of requests per second, above 0, such as 5 or 0.5", cfg.rate)
	}
	if cfg.concurrency < 1 {
		return usageErrorf("invalid --concurrency %d: give the number of requests in flight at most, 1 or more", cfg.concurrency)
	}
	if cfg.timeout <= 0 {
		return usageErrorf("invalid --timeout %v: give a duration above 0, such as 30s or 2m", cfg.timeout)
	}
	if cfg.delimiter != "" {
		delimiter, err := importer.ParseDelimiter(cfg.delimiter)
		if err != nil {
			return usageErrorf("invalid --delimiter %q: give one character, such as ; or |, or the name comma, semicolon, tab or pipe", cfg.delimiter)
		}
		cfg.read.Delimiter = delimiter
	}
	if cfg.read.Encoding != "" {
		encoding, err := importer.ParseEncoding(cfg.read.Encoding)
		if err != nil {
			return usageErrorf("invalid --encoding %q: name the file's encoding, such as windows-1252, iso-8859-1, windows-1256 or utf-16le", cfg.read.Encoding)
		}
		cfg.read.Encoding = encoding
	}
	if cfg.sandbox && apiURLSet {
		return usageErrorf("--sandbox and --api-url cannot be used together: --sandbox runs against a demo store on this machine")
	}
	if cfg.logFormat != logFormatText && cfg.logFormat != logFormatJSON {
		return usageErrorf("invalid --log-format %q: use text or json", cfg.logFormat)
	}
	if cfg.maxRows < 0 {
		return usageErrorf("invalid --max-rows %d: give the largest number of data rows to accept, or 0 for no limit", cfg.maxRows)
	}
	if cfg.maxQuantity < 0 {
		return usageErrorf("invalid --max-quantity %d: give the most units one row may add, or 0 for no limit", cfg.maxQuantity)
	}
	if cfg.notifyURL != "" {
		if err := checkURL("--notify", cfg.notifyURL, cfg.allowHTTP); err != nil {
			return err
		}
	}
	if cfg.sandboxReset && !cfg.sandbox {
		return usageErrorf("--sandbox-reset only applies with --sandbox: it starts the demo store again from its seed")
	}
	if cfg.sandboxReset && cfg.dryRun {
		return usageErrorf("--sandbox-reset and --dry-run cannot be used together: a dry run changes nothing, so run --sandbox --sandbox-reset alone first")
	}
	if !cfg.sandbox && !isLoopbackURL(cfg.apiURL) {
		if err := checkURL("--api-url", cfg.apiURL, cfg.allowHTTP); err != nil {
			return err
		}
	}
	if cfg.allowNegative && !cfg.undo {
		return usageErrorf("--allow-negative only applies to restock undo")
	}
	if cfg.maxUnknown < 1 {
		return usageErrorf("invalid --max-unknown %d: give the number of unknown outcomes in a row that stops the run, 1 or more", cfg.maxUnknown)
	}
	if cfg.retryUnknown && cfg.resumeID == "" {
		return usageErrorf("--retry-unknown only applies with --resume RUN_ID: it sends again the rows a run left unknown")
	}
	if cfg.dryRun && cfg.resumeID != "" {
		return usageErrorf("--dry-run and --resume cannot be used together: a dry run writes nothing, so there is nothing to resume")
	}
	if _, err := report.FormatOf(cfg.reportPath); err != nil {
		return usageErrorf("invalid --report %q: %v", cfg.reportPath, err)
	}
	if err := checkFolder("--report", cfg.reportPath); err != nil {
		return err
	}
	if cfg.failedRowsPath != "" {
		if err := checkFolder("--failed-rows", cfg.failedRowsPath); err != nil {
			return err
		}
	}
	return checkDistinctFiles(cfg)
}

// checkDistinctFiles rejects a report, products file or failed-rows file
// that would overwrite the input or one another.
func checkDistinctFiles(cfg *config) error {
	type namedPath struct{ name, path string }
	var paths []namedPath
	if !cfg.undo && cfg.input != "-" && !isURL(cfg.input) {
		paths = append(paths, namedPath{"FILE", cfg.input})
	}
	paths = append(paths, namedPath{"--report", cfg.reportPath})
	if format, _ := report.FormatOf(cfg.reportPath); format == report.FormatCSV {
		paths = append(paths, namedPath{"the products file of --report", report.ProductsPath(cfg.reportPath)})
	}
	if cfg.failedRowsPath != "" {
		paths = append(paths, namedPath{"--failed-rows", cfg.failedRowsPath})
	}

	for i, a := range paths {
		for _, b := range paths[i+1:] {
			if samePath(a.path, b.path) {
				return usageErrorf("%s and %s are the same file, %q: give them different paths, so that nothing is overwritten", a.name, b.name, b.path)
			}
		}
	}
	return nil
}

// samePath reports whether two paths name the same file: the same absolute
// path, or, for files that exist, the same file through a link.
func samePath(a, b string) bool {
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	if errA == nil && errB == nil && absA == absB {
		return true
	}
	infoA, errA := os.Stat(a)
	infoB, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(infoA, infoB)
}

// checkFolder rejects an output path whose folder does not exist, before
// anything is sent, so that a run never ends without its report.
func checkFolder(flagName, path string) error {
	folder := filepath.Dir(path)
	info, err := os.Stat(folder)
	if err != nil {
		return usageErrorf("invalid %s %q: folder %q does not exist: create it or choose another path", flagName, path, folder)
	}
	if !info.IsDir() {
		return usageErrorf("invalid %s %q: %q is not a folder", flagName, path, folder)
	}
	return nil
}

// flagValueError matches the flag package's message for a value that does
// not parse, such as `invalid value "5" for flag -timeout: parse error`.
var flagValueError = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -([a-z-]+): `)

// describeFlagError rewords the flag package's errors with the double-dash
// names of the docs and the fix.
func describeFlagError(err error) error {
	message := err.Error()
	if name, ok := strings.CutPrefix(message, "flag provided but not defined: -"); ok {
		return usageErrorf("unknown flag --%s", name)
	}
	if name, ok := strings.CutPrefix(message, "flag needs an argument: -"); ok {
		return usageErrorf("flag --%s needs a value", name)
	}
	if match := flagValueError.FindStringSubmatch(message); match != nil {
		value, name := match[1], match[2]
		switch name {
		case "timeout":
			return usageErrorf("invalid --%s %q: give a duration with a unit, such as 30s or 2m", name, value)
		case "rate":
			return usageErrorf("invalid --%s %q: give a number of requests per second, such as 5 or 0.5", name, value)
		default:
			return usageErrorf("invalid --%s %q: give a whole number", name, value)
		}
	}
	return usageErrorf("%v", err)
}

// isLoopbackURL reports whether raw is a URL on this machine, such as a
// local test server, where plain http exposes nothing.
func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkURL rejects a URL that is not absolute http(s), or plain http
// without --allow-http.
func checkURL(flagName, raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return usageErrorf("invalid %s %q: give an absolute https:// URL", flagName, raw)
	}
	if u.Scheme == "http" && !allowHTTP {
		return usageErrorf("invalid %s %q: plain http sends the data unencrypted; use https://, or pass --allow-http", flagName, raw)
	}
	return nil
}

func quoted(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, `Usage: restock [flags] FILE
       restock undo [flags] RUN_ID
       restock runs [--state-dir DIR] [--sandbox]

restock adds stock to a YouCan Shop store from a spreadsheet. It validates the
whole file first, then sends one increment per row under a rate limit, and
writes a report of every variant's new stock and of every failure.

FILE is a CSV file or an XLSX workbook, an https:// URL to download it from
(such as a Google Sheet published as CSV), or - for standard input. Its
header row names the columns product_id, variant_id and quantity, or sku and
quantity, in any order; case, spaces and names such as "Product ID" or "qty"
are accepted, and other columns are allowed. Each row adds "quantity" units
(a whole number from 1 to %d) to the variant "variant_id" of the product
"product_id", or to the variant whose SKU is "sku". Ids are UUIDs. Blank
rows are skipped. The CSV delimiter (, ; tab or |) and a UTF-16 encoding
are detected.

The API token is read from the %s environment variable.

Flags:
  --api-url URL            API base URL (default %q)
  --rate N                 requests per second, spaced evenly (default %v)
  --concurrency N          requests in flight at most (default %d); fewer
                           run when --rate needs fewer at the store's
                           latency; the rows of one product are always
                           sent one after another
  --timeout DURATION       time limit for one request, such as 30s or 1m
                           (default %v)
  --report PATH            report file, .csv, .json or .xlsx; a CSV report
                           puts the products in NAME-products.csv beside it
                           (default restock-report-<UTC time>.csv)
  --failed-rows PATH       write the rows certainly not applied (failed or
                           not attempted), in the input's columns plus
                           "error", to this CSV file
  --dry-run                validate the file and, with a token, check every
                           product and variant in the store and show the
                           stock each row would reach; change nothing in
                           the store
  --merge-duplicates       add up the quantities of rows that name the same
                           variant, instead of rejecting the file
  --delimiter CHAR         CSV delimiter: one character, or comma,
                           semicolon, tab or pipe (default: from an Excel
                           "sep=" first line, else from the header row)
  --encoding NAME          encoding of a CSV file that is not UTF-8, such as
                           windows-1252 or iso-8859-1 (default: UTF-8, or
                           UTF-16 after its byte-order mark)
  --sheet NAME             sheet of an XLSX workbook to read (default: the
                           first)
  --sandbox                run against a demo store on this machine, seeded
                           with the products of samples/restock.csv; it
                           keeps its stock between runs
  --sandbox-reset          with --sandbox: start the demo store again from
                           its seed, forgetting its runs
  --quiet                  no progress bar or progress lines
  --log-format FORMAT      text (lines for a person) or json (one JSON
                           object per line, each with the run id)
                           (default text)
  --log-level LEVEL        debug, info, warn or error (default info)
  --max-rows N             reject a file with more than N data rows, such as
                           a wrong file picked by a pattern (default 0: no
                           limit)
  --max-quantity N         reject a file with a row adding more than N
                           units, such as 1000 typed for 10 (default %d;
                           0: no limit)
  --notify URL             post a JSON summary of the run to URL when it
                           ends, however it ends
  --allow-http             accept http:// URLs for FILE and --notify
  --state-dir DIR          folder of run journals (default: $XDG_STATE_HOME/restock
                           or ~/.local/state/restock on Linux, the user config
                           folder elsewhere)
  --resume RUN_ID          continue a run that stopped, with the same FILE:
                           rows applied or failed are not sent again,
                           except those failed by what stopped the run
  --retry-unknown          with --resume: send again the rows left unknown,
                           after you checked in the store that they were
                           not applied
  --allow-repeat           apply a file that an earlier run already applied
  --max-unknown N          stop after N requests in a row get no usable
                           answer (default %d)
  --allow-negative         with undo: remove the units even where that makes
                           a variant's stock negative
  --help                   show this help

Commands:
  restock undo RUN_ID      remove the units that run RUN_ID added, one
                           decrement per applied row, as a run of its own:
                           it takes --dry-run, --resume, --report and the
                           other flags; a row that would make stock
                           negative is skipped unless --allow-negative
  restock runs             list the runs in the state folder

Every run that writes keeps a journal in the state folder, so that a run
stopped by a crash or Ctrl-C can be resumed without sending any row twice.
A new run of a file that an earlier run applied is rejected unless
--allow-repeat is given; one whose earlier run stopped early is rejected in
favour of --resume.

Row statuses: applied; failed (the store certainly did not apply it);
unknown (sent, but no usable answer: check the variant in the store);
not_attempted (never sent).

Exit codes:
  0    every row applied (in a dry run: every row valid)
  1    some rows failed or were not attempted
  2    invalid command line or invalid file, or a run rejected by a guard;
       nothing was sent
  3    the run stopped early: token rejected or lacking permission, store
       suspended or unreachable, or too many unknown outcomes in a row
  4    some rows are unknown: check them in the store before running again
  130  interrupted by Ctrl-C or SIGTERM; requests in flight finished (unless
       cut short by a second signal, then they are unknown) and the report
       was written

Examples:
  restock --sandbox samples/restock.csv
  %s=... restock --dry-run stock.csv
  %s=... restock --report result.json --failed-rows retry.csv stock.csv
  %s=... restock --resume 20261204-201933-3f9a1c stock.csv
`, importer.MaxQuantity, tokenVariable, youcan.DefaultBaseURL, defaultRate, defaultConcurrency, defaultTimeout, defaultMaxQuantity, defaultMaxUnknown, tokenVariable, tokenVariable, tokenVariable)
}
