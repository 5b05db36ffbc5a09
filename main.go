// Command restock adds stock to a YouCan Shop store from a spreadsheet.
//
// Run "restock --help" for the file format, the flags and the exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"golang.org/x/term"
)

// defaultMemoryLimit is the soft memory limit of the process unless the
// GOMEMLIMIT environment variable sets one. A run goes at the API's rate,
// so the garbage collector can spend more CPU to keep a run of a million
// rows under about 500 MB (measured in BENCHMARKS.md). A run of 100 000
// rows peaks near 105 MB, well below the limit.
const defaultMemoryLimit = 400 << 20

func main() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	stop, abort := signalContexts()
	cmd := &command{
		args:             os.Args[1:],
		stdin:            os.Stdin,
		stderr:           os.Stderr,
		stdout:           os.Stdout,
		getenv:           os.Getenv,
		stderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
	os.Exit(cmd.run(stop, abort))
}

// signalContexts returns two contexts. The first SIGINT or SIGTERM cancels
// stop, whose cause is an *interruptedError: no new request is sent, the
// ones in flight finish and the report is written. A second signal cancels
// abort too, which cuts the requests in flight short.
func signalContexts() (stop, abort context.Context) {
	stop, cancelStop := context.WithCancelCause(context.Background())
	abort, cancelAbort := context.WithCancel(context.Background())

	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		received := <-signals
		cancelStop(&interruptedError{signal: received})
		<-signals
		cancelAbort()
	}()
	return stop, abort
}
