package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"restock/importer"
	"restock/report"
	"restock/youcan"
)

// Defaults of the flags. The rate is conservative because YouCan documents
// no rate limit.
const (
	defaultRate        = 5.0
	defaultConcurrency = 4
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

	stateDir     string // "" means the default per-user folder
	resumeID     string
	retryUnknown bool
	allowRepeat  bool
	maxUnknown   int
}

// errHelp reports that --help was given; the help text is already printed.
var errHelp = errors.New("help requested")

// parseArgs parses the command line. Flags may come before or after FILE.
// It returns errHelp after printing the help to stdout for --help, and a
// usage error naming the flag and the fix for anything invalid.
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

	// flag stops at the first argument that is not a flag, so parse again
	// after each one to accept "restock stock.csv --dry-run".
	var files []string
	for {
		if err := flags.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage(stdout)
				return nil, errHelp
			}
			return nil, usageErrorf("%v", err)
		}
		args = flags.Args()
		if len(args) == 0 {
			break
		}
		files = append(files, args[0])
		args = args[1:]
	}

	switch len(files) {
	case 0:
		return nil, usageErrorf("missing FILE: name the CSV file to read, or - for standard input")
	case 1:
		cfg.input = files[0]
	default:
		return nil, usageErrorf("one FILE at a time, got %d: %s", len(files), strings.Join(quoted(files), " "))
	}

	if cfg.reportPath == "" {
		cfg.reportPath = "restock-report-" + now.UTC().Format("20060102T150405Z") + ".csv"
	}
	apiURLSet := false
	flags.Visit(func(f *flag.Flag) { apiURLSet = apiURLSet || f.Name == "api-url" })
	if err := cfg.validate(apiURLSet); err != nil {
		return nil, err
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
	if cfg.sandbox && apiURLSet {
		return usageErrorf("--sandbox and --api-url cannot be used together: --sandbox runs against a demo store on this machine")
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
	return nil
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

func quoted(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, `Usage: restock [flags] FILE

restock adds stock to a YouCan Shop store from a CSV file. It validates the
whole file first, then sends one increment per row under a rate limit, and
writes a report of every variant's new stock and of every failure.

FILE is a CSV path, or - for standard input. Its header row names the columns
product_id, variant_id and quantity, in any order; case and spaces around
the names are ignored, and other columns are allowed. Each row adds
"quantity" units (a whole number from 1 to %d) to the variant "variant_id"
of the product "product_id". Ids are UUIDs. Blank rows are skipped.

The API token is read from the %s environment variable.

Flags:
  --api-url URL            API base URL (default %q)
  --rate N                 requests per second, spaced evenly (default %v)
  --concurrency N          requests in flight at most; the rows of one
                           product are always sent one after another
                           (default %d)
  --timeout DURATION       time limit for one request, such as 30s or 1m
                           (default %v)
  --report PATH            report file; .csv (plus PATH-products.csv) or
                           .json (default restock-report-<UTC time>.csv)
  --failed-rows PATH       write the rows certainly not applied (failed or
                           not attempted), in the input's columns plus
                           "error", to this CSV file
  --dry-run                validate the file and, with a token, check every
                           product and variant in the store and show the
                           stock each row would reach; write nothing
  --merge-duplicates       add up the quantities of rows that name the same
                           variant, instead of rejecting the file
  --sandbox                run against a demo store on this machine, seeded
                           with the products of samples/restock.csv
  --quiet                  no progress bar or progress lines
  --state-dir DIR          folder of run journals (default: $XDG_STATE_HOME/restock
                           or ~/.local/state/restock on Linux, the user config
                           folder elsewhere)
  --resume RUN_ID          continue a run that stopped, with the same FILE:
                           rows applied or failed are not sent again
  --retry-unknown          with --resume: send again the rows left unknown,
                           after you checked in the store that they were
                           not applied
  --allow-repeat           apply a file that an earlier run already applied
  --max-unknown N          stop after N requests in a row get no usable
                           answer (default %d)
  --help                   show this help

Commands:
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
       suspended, or too many unknown outcomes in a row
  4    some rows are unknown: check them in the store before running again
  130  interrupted by Ctrl-C or SIGTERM; requests in flight finished and the
       report was written

Examples:
  restock --sandbox samples/restock.csv
  %s=... restock --dry-run stock.csv
  %s=... restock --report result.json --failed-rows retry.csv stock.csv
  %s=... restock --resume 20261204-201933-3f9a1c stock.csv
`, importer.MaxQuantity, tokenVariable, youcan.DefaultBaseURL, defaultRate, defaultConcurrency, defaultTimeout, defaultMaxUnknown, tokenVariable, tokenVariable, tokenVariable)
}
