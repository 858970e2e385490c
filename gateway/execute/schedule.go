package execute

import (
	"sync"

	"github.com/shopgraph/shopgraph/gateway/plan"
)

// step is a fetch of the plan to schedule: a root *plan.Fetch or a *plan.Flatten.
type step struct {
	node plan.Node
	id   int
	deps []int
}

// schedule runs a query plan's fetches each as soon as the fetches it depends
// on have finished, instead of stage by stage: a fetch waits for its own data,
// not for the slowest fetch of the stage before it. A query's fetches only read
// the data of the fetches they depend on, so this keeps their results; a
// mutation's root fetches must run in order, so mutations use the plan's
// Sequence and Parallel steps instead.
func (r *run) schedule(root plan.Node) {
	r.runSteps(r.steps(root), nil)
}

// steps lists the fetches of root that run with the request's variables.
func (r *run) steps(root plan.Node) []step {
	var steps []step
	var collect func(plan.Node)
	collect = func(n plan.Node) {
		switch n := n.(type) {
		case *plan.Sequence:
			for _, c := range n.Nodes {
				collect(c)
			}
		case *plan.Parallel:
			for _, c := range n.Nodes {
				collect(c)
			}
		case *plan.Fetch:
			steps = append(steps, step{node: n, id: n.ID, deps: n.DependsOn})
		case *plan.Flatten:
			steps = append(steps, step{node: n, id: n.Fetch.ID, deps: n.Fetch.DependsOn})
		case *plan.Condition:
			// A fetch left out by its condition never runs; fetches that list it
			// among their dependencies do not wait for it.
			if br := n.Branch(r.vars); br != nil {
				collect(br)
			}
		}
	}
	collect(root)
	return steps
}

// runSteps runs steps, each once those of its dependencies that are among
// steps have finished (the others have finished before). finished, when
// set, hears each step's ID once it has run or been given up.
func (r *run) runSteps(steps []step, finished func(id int)) {
	if len(steps) == 1 && finished == nil {
		r.node(steps[0].node)
		return
	}
	done := make(map[int]chan struct{}, len(steps))
	for _, s := range steps {
		done[s.id] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for _, s := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[s.id])
			if finished != nil {
				defer finished(s.id)
			}
			for _, d := range s.deps {
				if ch := done[d]; ch != nil {
					select {
					case <-ch:
					case <-r.ctx.Done():
						// Never stuck on a fetch that cannot finish: the
						// request's deadline ends the wait.
						return
					}
				}
			}
			if r.ctx.Err() != nil {
				return
			}
			r.node(s.node)
		}()
	}
	wg.Wait()
}
