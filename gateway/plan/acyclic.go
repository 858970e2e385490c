package plan

import "fmt"

// acyclic checks that no fetch of the plan depends, through others, on
// itself. The executor runs each fetch once those it depends on are done, so
// a cycle would never finish: planning fails instead, naming the fetches.
func acyclic(root Node) error {
	deps := map[int][]int{}
	var collect func(Node)
	collect = func(n Node) {
		switch n := n.(type) {
		case *Sequence:
			for _, c := range n.Nodes {
				collect(c)
			}
		case *Parallel:
			for _, c := range n.Nodes {
				collect(c)
			}
		case *Condition:
			if n.If != nil {
				collect(n.If)
			}
			if n.Else != nil {
				collect(n.Else)
			}
		case *Flatten:
			deps[n.Fetch.ID] = n.Fetch.DependsOn
		case *Fetch:
			deps[n.ID] = n.DependsOn
		}
	}
	collect(root)
	const (
		unseen = iota
		open
		closed
	)
	state := map[int]int{}
	var visit func(id int, trail []int) error
	visit = func(id int, trail []int) error {
		switch state[id] {
		case open:
			return fmt.Errorf("internal planning error: fetches depend on each other in a cycle %v", append(trail, id))
		case closed:
			return nil
		}
		state[id] = open
		for _, d := range deps[id] {
			if _, ok := deps[d]; !ok || d == id {
				continue
			}
			if err := visit(d, append(trail, id)); err != nil {
				return err
			}
		}
		state[id] = closed
		return nil
	}
	for id := range deps {
		if err := visit(id, nil); err != nil {
			return err
		}
	}
	return nil
}
