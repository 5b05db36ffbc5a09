// Command restock adds stock to a YouCan Shop store from a spreadsheet.
//
// Run "restock --help" for the file format, the flags and the exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
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
