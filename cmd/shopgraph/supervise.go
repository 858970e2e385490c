package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"
)

// component is one process that dev keeps running.
type component struct {
	name string
	// command returns a fresh, unstarted command for each run; supervise
	// sets its output and process group.
	command func() *exec.Cmd
}

// restartPolicy says how dev restarts a component that exited.
type restartPolicy struct {
	// first is the pause before the first restart; it doubles with each
	// restart in a row, up to max, so a component that cannot start does
	// not spin, while one that crashed once is back at once.
	first, max time.Duration
	// stable is how long a run must last to count as healthy: the pause
	// before the next restart starts from first again.
	stable time.Duration
	// grace is how long a component may take to stop after SIGTERM before
	// it is killed.
	grace time.Duration
}

// defaultRestarts is dev's restart policy.
func defaultRestarts() restartPolicy {
	return restartPolicy{first: 500 * time.Millisecond, max: 30 * time.Second, stable: 10 * time.Second, grace: 15 * time.Second}
}

// nextDelay returns the pause before restarting a component that ran for ran,
// given the pause before its previous restart (zero for none yet).
func (p restartPolicy) nextDelay(prev, ran time.Duration) time.Duration {
	if prev == 0 || ran >= p.stable {
		return p.first
	}
	return min(prev*2, p.max)
}

// supervise runs c until ctx ends, restarting it with back-off whenever it
// exits, and returns once its last process has stopped. Its own lines (exits
// and restarts) go to c's output, under c's prefix.
func supervise(ctx context.Context, c component, p restartPolicy, out *prefixWriter, ls logSettings) {
	log := ls.logger(out.For(c.name), "dev")
	var delay time.Duration
	for {
		started := time.Now()
		err := runOnce(ctx, c, out, p.grace)
		if ctx.Err() != nil {
			log.Info("stopped")
			return
		}
		ran := time.Since(started)
		delay = p.nextDelay(delay, ran)
		reason := "exit status 0"
		if err != nil {
			reason = err.Error()
		}
		log.Warn("exited, restarting", "reason", reason, "ran", ran.Round(time.Millisecond), "restart_in", delay)
		select {
		case <-ctx.Done():
			log.Info("stopped")
			return
		case <-time.After(delay):
		}
		log.Info("restarting")
	}
}

// runOnce starts c and waits until it exits or ctx ends; then it stops it,
// with SIGTERM to its process group and SIGKILL after grace.
func runOnce(ctx context.Context, c component, out *prefixWriter, grace time.Duration) error {
	cmd := c.command()
	cmd.Stdout = out.For(c.name)
	cmd.Stderr = out.For(c.name)
	// Own process group: Ctrl-C reaches dev alone, which stops the children
	// in order, and a signal to the group reaches whatever a child started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Output pipes held open by a grandchild must not keep Wait waiting.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	pgid := -cmd.Process.Pid
	if err := syscall.Kill(pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		return <-done
	}
}
